//! A session kept in a store (`ServerConfig::sessions.store`): its write-ahead state, and what the
//! rest of the server asks of it.

use super::SessionState;
use crate::server::durable::DurableSession;
use crate::session_link::{lock, LinkToken, Outgoing};
use std::sync::Arc;

impl SessionState {
    /// Its write-ahead state, once the store holds the session.
    pub(crate) fn durable(&self) -> Option<&Arc<DurableSession>> {
        self.control.durable.get()
    }

    /// Keeps the session in the store from now on (once).
    pub(crate) fn make_durable(&self, durable: Arc<DurableSession>) {
        let _set_once_when_created_or_restored = self.control.durable.set(durable);
    }

    /// The attached connection's writer and link, for a stored session's journal (its
    /// ACKs; a refusal stops the link).
    pub(crate) fn attach_out(&self, out: &Outgoing, link: &LinkToken) {
        if let Some(durable) = self.durable() {
            durable.attach_out(out.clone(), link);
        }
    }

    /// Whether another node took the session over (its writes were refused).
    pub(crate) fn has_moved(&self) -> bool {
        self.durable().is_some_and(|durable| durable.is_lost())
    }

    /// The highest message the client may forget it sent: the last delivered, or with a
    /// store the last the store has as taken by the application.
    pub(crate) fn last_received(&self) -> u64 {
        match self.durable() {
            Some(durable) => durable.ackable(),
            None => lock(&self.inbound).last_delivered(),
        }
    }

    /// How the session's links note their progress, when it is kept in a store.
    pub(crate) fn write_ahead(&self) -> Option<Arc<dyn crate::session_link::WriteAhead>> {
        let notes =
            self.durable().map(|durable| crate::server::durable::Notes(Arc::clone(durable)));
        notes.map(|notes| Arc::new(notes) as Arc<dyn crate::session_link::WriteAhead>)
    }

    /// Notes the guard's tokens for the store (after a rotation or its confirmation);
    /// the version to wait for, when the session is kept in one.
    pub(crate) fn store_tokens(&self) -> Option<u64> {
        let durable = self.durable()?;
        let digests = lock(&self.guard).digests();
        Some(durable.tokens(crate::server::durable::tokens_of(&digests)))
    }
}
