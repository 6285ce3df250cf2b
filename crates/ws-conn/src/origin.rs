//! Which browser origins may open a WebSocket: a browser sends the page's `Origin` with
//! every upgrade, and its cookies with it, so a server that admits every origin lets any
//! web page act as its logged-in visitors (cross-site WebSocket hijacking).

use crate::metrics;

/// Which `Origin` an HTTP upgrade may carry. A request without `Origin` does not come from
/// a browser and is always admitted; one that carries it must match the policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OriginPolicy {
    /// The origin's host and port must be the request's own `Host` (the page was served by
    /// this server, or by one at the same address). The default.
    #[default]
    SameHost,
    /// The origin must be one of these, e.g. `https://app.example.com` (compared without
    /// case, a default port or a trailing slash).
    AllowList(Vec<String>),
    /// Every origin. Only for a server whose authentication rides on no cookie or other
    /// ambient credential of the browser.
    Any,
}

/// An upgrade refused for its `Origin`: answer it with HTTP 403.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("origin {origin:?} is not allowed")]
pub struct OriginRefused {
    /// The refused `Origin` header.
    pub origin: String,
}

impl OriginPolicy {
    /// Only the origins in `allowed`.
    pub fn allow_only<T: Into<String>>(allowed: impl IntoIterator<Item = T>) -> Self {
        OriginPolicy::AllowList(allowed.into_iter().map(Into::into).collect())
    }

    /// Whether an upgrade with these `Origin` and `Host` headers is admitted; a refusal is
    /// counted in `ws_conn_origin_refused_total`. A header that is not text is passed as an
    /// empty string, which matches nothing.
    pub fn check(&self, origin: Option<&str>, host: Option<&str>) -> Result<(), OriginRefused> {
        let Some(origin) = origin else { return Ok(()) };
        if self.admits(origin, host) {
            return Ok(());
        }
        metrics::origin_refused();
        Err(OriginRefused { origin: origin.to_owned() })
    }

    fn admits(&self, origin: &str, host: Option<&str>) -> bool {
        let parsed = Origin::parse(origin);
        match self {
            OriginPolicy::Any => true,
            OriginPolicy::SameHost => parsed.zip(host).is_some_and(|(ours, host)| ours.is_at(host)),
            OriginPolicy::AllowList(list) => parsed.is_some_and(|ours| ours.is_listed(list)),
        }
    }
}

/// A serialized origin, `scheme://host[:port]`, lowercased, its scheme's default port
/// dropped.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    authority: String,
}

impl Origin {
    /// `None` for anything but `scheme://authority` (the opaque origin `null` included).
    fn parse(text: &str) -> Option<Origin> {
        let (scheme, rest) = text.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let authority =
            without_default_port(&scheme, &rest.trim_end_matches('/').to_ascii_lowercase());
        let valid = !authority.is_empty() && !authority.contains(['/', '?', '#', '@']);
        valid.then_some(Origin { scheme, authority })
    }

    /// Whether this origin names `host` (a `Host` header, whose port is implied too).
    fn is_at(&self, host: &str) -> bool {
        self.authority == without_default_port(&self.scheme, &host.trim().to_ascii_lowercase())
    }

    fn is_listed(&self, list: &[String]) -> bool {
        list.iter().filter_map(|allowed| Origin::parse(allowed)).any(|allowed| &allowed == self)
    }
}

/// `authority` without `:80` (http, ws) or `:443` (https, wss).
fn without_default_port(scheme: &str, authority: &str) -> String {
    let default = match scheme {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => return authority.to_owned(),
    };
    authority.strip_suffix(default).unwrap_or(authority).to_owned()
}

#[cfg(test)]
mod tests;
