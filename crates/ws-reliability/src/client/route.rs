//! [`Route`]: the URLs a client tries in turn, its own first, then
//! `ClientConfig::server.fallback_urls`; a failed attempt moves on to the next.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The URLs of one service and the one tried now.
#[derive(Debug)]
pub(crate) struct Route {
    urls: Vec<String>,
    next: AtomicUsize,
}

impl Route {
    /// `url`, then `fallbacks`, in turn.
    pub(crate) fn new(url: &str, fallbacks: &[String]) -> Self {
        let urls = std::iter::once(url.to_owned()).chain(fallbacks.iter().cloned()).collect();
        Route { urls, next: AtomicUsize::new(0) }
    }

    /// Every URL, in the order tried.
    pub(crate) fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Where the URL tried now stands in [`urls`](Self::urls).
    fn index(&self) -> usize {
        self.next.load(Ordering::Relaxed) % self.urls.len().max(1)
    }

    /// The URL tried now.
    pub(crate) fn current(&self) -> &str {
        self.urls.get(self.index()).map_or("", String::as_str)
    }

    /// Of `items`, one per URL, the current URL's (a clone, to dial); `None` only when
    /// `items` is not one per URL.
    pub(crate) fn pick<T: Clone>(&self, items: &[T]) -> Option<T> {
        items.get(self.index()).cloned()
    }

    /// An attempt failed: the next attempt tries the next URL (counted when there is one).
    pub(crate) fn advance(&self) {
        if self.urls.len() > 1 {
            self.next.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("ws_reliability_client_url_switches_total").increment(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn a_failed_attempt_moves_on_to_the_next_url_in_turn() {
        let route = Route::new("ws://a/", &["ws://b/".to_owned()]);
        assert_eq!(route.current(), "ws://a/");
        route.advance();
        assert_eq!(route.current(), "ws://b/");
        route.advance();
        assert_eq!(route.current(), "ws://a/", "round robin");
        assert_eq!(route.pick(&[1, 2]), Some(1));
        let alone = Route::new("ws://a/", &[]);
        alone.advance();
        assert_eq!(alone.current(), "ws://a/");
    }
}
