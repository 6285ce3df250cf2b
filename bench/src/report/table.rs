//! The report as a text table: the title, one row per measure, what the figures mean.

use super::{grouped, ratio, verdict, MemoryReport, Report, Setup, ThroughputReport};
use super::{IDLE_TARGET_BYTES, RATIO_TARGET};

/// One table row.
fn row(cells: [&str; 6]) -> String {
    let [measure, raw, reliable, ratio, target, verdict] = cells;
    format!("{measure:<34}{raw:>13}{reliable:>13}{ratio:>9}   {target:<13}{verdict}\n")
}

/// The report as a table: the workload, one row per measure, what the figures mean.
pub fn table(report: &Report) -> String {
    let mut out = title(&report.setup);
    out += &row(["measure", "raw", "reliable", "ratio", "target", "verdict"]);
    out += &throughput_row(&report.throughput, report.setup.direction());
    out += &cores_row(&report.throughput, report.setup.direction());
    out += &rounds_line(&report.throughput);
    out += &report.memory.as_ref().map(memory_rows).unwrap_or_else(skipped_memory);
    out
}

fn title(setup: &Setup) -> String {
    let Wording { way, sender, send } = Wording::of(setup);
    let clients = setup.clients;
    let bytes = setup.payload_bytes;
    let pushed = pushed(setup);
    let head = format!("ws-bench: {bytes}-byte binary messages {way} {clients} clients, {pushed}");
    let flush = setup.raw_flush_every;
    let raw = format!("raw: tokio-tungstenite 0.30 defaults, {sender}feed + flush every {flush}");
    format!("{head}\n  {raw}\n  {RELIABLE_LINE}, {send}\n\n")
}

/// The title's line on the reliable side, in either direction.
const RELIABLE_LINE: &str = "reliable: ReliableServer/ReliableClient defaults, wsr.v1, acks on";

/// How the title words one direction of the run.
struct Wording {
    /// Between the messages and the clients: who sent.
    way: &'static str,
    /// Who sent on the raw side (empty: the server).
    sender: &'static str,
    /// How the reliable side sent.
    send: &'static str,
}

impl Wording {
    const PUSH: Wording = Wording {
        way: "pushed to",
        sender: "",
        send: "feed into a session sink (waits while the outbox is full)",
    };
    const UPLOAD: Wording = Wording {
        way: "uploaded by",
        sender: "client ",
        send: "feed into a client sink (waits while the outbox is full); a reader per session",
    };

    /// The wording of the direction `setup` measures.
    fn of(setup: &Setup) -> Self {
        if setup.upload {
            Wording::UPLOAD
        } else {
            Wording::PUSH
        }
    }
}

/// How much each client was pushed.
/// How much each client was sent: a count or a time.
pub(crate) fn pushed(setup: &Setup) -> String {
    match (setup.messages_per_client, setup.duration_secs) {
        (Some(count), _) => format!("{} messages each", grouped(count)),
        (None, seconds) => format!("for {:.0} s", seconds.unwrap_or_default()),
    }
}

fn throughput_row(throughput: &ThroughputReport, direction: &str) -> String {
    let rate = |value: f64| grouped(value.round() as u64);
    let raw = rate(throughput.raw_rate);
    let reliable = rate(throughput.reliable_rate);
    let ratio = format!("{:.2}x", throughput.ratio);
    let target = format!(">= {RATIO_TARGET:.2}x");
    let verdict = verdict(throughput.pass);
    let measure = format!("{direction} throughput (msgs/s)");
    row([&measure, &raw, &reliable, &ratio, &target, verdict])
}

/// Every round's ratio when there were several: the rows above are the median round's.
fn rounds_line(throughput: &ThroughputReport) -> String {
    if throughput.round_ratios.len() < 2 {
        return String::new();
    }
    let ratios: Vec<String> = throughput.round_ratios.iter().map(|r| format!("{r:.2}x")).collect();
    format!(
        "  rounds, raw then reliable alternating: {}; the rows above are the median round\n",
        ratios.join(" ")
    )
}

/// Cores the process kept busy during each push: a diagnosis, with no target.
fn cores_row(throughput: &ThroughputReport, direction: &str) -> String {
    let raw = throughput.raw.cores_busy();
    let reliable = throughput.reliable.cores_busy();
    let ratio = format!("{:.2}x", ratio(reliable, raw));
    let measure = format!("cores busy during the {direction}");
    row([&measure, &format!("{raw:.2}"), &format!("{reliable:.2}"), &ratio, "", ""])
}

fn memory_rows(memory: &MemoryReport) -> String {
    let raw = memory.raw_bytes;
    let reliable = memory.reliable_bytes;
    let ratio = format!("{:.2}x", ratio(reliable as f64, raw as f64));
    let target = format!("<= {}", grouped(IDLE_TARGET_BYTES));
    let measure = "server RSS per idle conn (bytes)";
    let line =
        row([measure, &grouped(raw), &grouped(reliable), &ratio, &target, verdict(memory.pass)]);
    line + &memory_note(memory.connections)
}

/// What the memory figures mean.
fn memory_note(connections: usize) -> String {
    let how = "server in a child process, (RSS after - RSS before) / connections";
    let buffers = "raw server with ReliableServer's buffers (256 B read, 4 KiB write)";
    format!("  idle: {connections} connections, {how};\n  {buffers}\n")
}

fn skipped_memory() -> String {
    "  idle memory: skipped (--idle 0)\n".to_owned()
}
