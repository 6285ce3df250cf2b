//! A whole run: the server child, the bystander beside every attack, the report.

use crate::attacks::{run_all, Ctx, Intensity, Span};
use crate::bystander::{self, Bystander};
use crate::child::{status_field, Server, NOFILE};
use crate::report::{LimitsInUse, Report, ServerFigures, RSS_BUDGET};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Runs every attack for `length` against a fresh server child; the checked report.
pub async fn run(length: Duration) -> Result<Report, String> {
    rlimit::increase_nofile_limit(u64::MAX).map_err(|e| format!("open-file limit: {e}"))?;
    let server = Server::spawn().await?;
    let ctx = Arc::new(Ctx::new(server.addr));
    let span = Span { start: Instant::now(), length };
    let figures = measure(&server, ctx.clone(), span).await?;
    Ok(report(server, &ctx, figures, length).await)
}

/// What the clients measured.
struct Figures {
    attacks: Vec<Intensity>,
    bystander: Bystander,
    rss_timeline_mib: Vec<u64>,
}

/// The attacks and the bystander over `span`, the server's RSS sampled meanwhile.
async fn measure(server: &Server, ctx: Arc<Ctx>, span: Span) -> Result<Figures, String> {
    let timeline = server.sample(span.at(1.0));
    let bystander = tokio::spawn(bystander::run(server.addr, span.at(1.0)));
    let attacks = run_all(ctx, span).await;
    let bystander = bystander.await.map_err(|e| format!("bystander: {e}"))?;
    let rss_timeline_mib = timeline.await.unwrap_or_default();
    Ok(Figures { attacks, bystander, rss_timeline_mib })
}

async fn report(server: Server, ctx: &Ctx, figures: Figures, length: Duration) -> Report {
    let Figures { attacks, bystander, rss_timeline_mib } = figures;
    let server = server_figures(server, rss_timeline_mib).await;
    let closes = ctx.tally.snapshot();
    let base = Report { server, bystander, attacks, closes, ..Report::default() };
    Report { duration_seconds: length.as_secs(), limits: limits(), ..base }.checked()
}

/// The child's peak and final resident set, then its ending.
async fn server_figures(server: Server, rss_timeline_mib: Vec<u64>) -> ServerFigures {
    let status = server.status();
    let peak_rss_bytes = status_field(&status, "VmHWM").unwrap_or(0);
    let rss_at_end_bytes = status_field(&status, "VmRSS").unwrap_or(0);
    let ending = server.stop().await;
    let rss_budget_bytes = RSS_BUDGET;
    ServerFigures { peak_rss_bytes, rss_timeline_mib, rss_at_end_bytes, rss_budget_bytes, ending }
}

/// The limits of the server's configuration, [`crate::serve::config`].
pub fn limits() -> LimitsInUse {
    let config = crate::serve::config();
    let handshake = &config.conn.limits.handshake;
    let mut limits = admission(&config.conn.limits);
    limits.nofile = NOFILE;
    limits.handshakes_in_progress = handshake.max_in_progress as u64;
    limits.handshake_timeout_ms = handshake.timeout.as_millis() as u64;
    limits.hello_timeout_ms = config.timeouts.hello.as_millis() as u64;
    limits
}

fn admission(conn: &ws_reliability::conn::Limits) -> LimitsInUse {
    let per_address = &conn.per_address;
    LimitsInUse {
        max_connections: conn.max_connections as u64,
        accept_per_second: u64::from(conn.accept_per_second),
        per_address_connections: per_address.max_connections as u64,
        per_address_per_second: u64::from(per_address.accept_per_second),
        ..LimitsInUse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_are_the_defaults() {
        let limits = limits();
        assert_eq!(limits.nofile, 1024);
        assert_eq!(limits.per_address_connections, 64);
        assert_eq!(limits.per_address_per_second, 20);
        assert!(limits.max_connections > 0 && limits.hello_timeout_ms > 0);
    }
}
