//! A session in the store: a fresh session's record, and the resume of a session this
//! process does not hold (written by this node before it restarted, or by another node),
//! which loads, checks, claims and rebuilds it (`docs/protocol.md` § 7 against the store).

use super::convert::{digests_of, stored_of, tokens_of};
use super::state::Start;
use super::{DurableSession, Journal, StoreConfig};
use crate::protocol::{CloseCode, Mode, Resume, ResumeGuard, SessionLostReason};
use crate::server::hello::{refusal, Opened, Refused};
use crate::server::session::{Kept, Opening, SessionState};
use crate::server::AuthRequest;
use crate::server::{Identity, SessionServer};
use crate::session_link::lock;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Bytes;
use ws_store::{Claim, Epoch, Lease, Loaded, Lookup, Progress, Refusal, SessionKey};
use ws_store::{SessionRecord, StoreError, UnixMillis};

impl SessionServer {
    /// Writes a fresh resumable `session` to the store, if the server keeps one; refused
    /// with 1011 when the store fails (the client retries).
    pub(crate) async fn persist(&self, session: &SessionState) -> Result<(), Refused> {
        let Some(journal) = self.inner.sessions.journal().filter(|_| session.resumable) else {
            return Ok(());
        };
        let epoch = journal.config().store.epoch().await.map_err(failed("create"))?;
        let record = self.record_of(journal.config(), session, epoch);
        let lease = journal.config().store.create(&record).await.map_err(failed("create"))?;
        session.make_durable(durable_from(journal, lease, session, &record));
        Ok(())
    }

    /// The store's record of a fresh `session`, owned by this node.
    fn record_of(
        &self,
        config: &StoreConfig,
        session: &SessionState,
        epoch: Epoch,
    ) -> SessionRecord {
        let deadlines = config.attached(self.inner.config.limits.resume_window);
        let owner = config.owner(&deadlines);
        let tokens = tokens_of(&lock(&session.guard).digests());
        let identity = Bytes::copy_from_slice(session.identity.as_bytes());
        let key = SessionKey(*session.id.as_bytes());
        let expires_at = deadlines.expires_at;
        let progress = fresh_progress();
        SessionRecord { key, identity, tokens, progress, expires_at, owner, epoch }
    }

    /// A resume of a session this process does not hold, from the store if the server
    /// keeps one (else `missing`): loaded, its identity and token checked, claimed for
    /// this node (rotating the token atomically), rebuilt with its outbox.
    pub(crate) async fn restore(
        &self,
        resume: &Resume,
        request: &AuthRequest,
        missing: Refused,
    ) -> Result<Opened, Refused> {
        let Some(journal) = self.inner.sessions.journal() else { return Err(missing) };
        let loaded = load(journal.config(), resume.session.as_bytes()).await?;
        let identity = self.authenticate(request)?;
        same_identity(&loaded.record, identity.as_bytes())?;
        let guard = self.restored_guard(&loaded.record, resume)?;
        let lease = self.claim(journal.config(), &loaded.record, &guard).await?;
        let session = self.rebuilt(journal, Rebuilt { loaded, identity, guard, lease })?;
        self.reopened(session, resume.last_received)
    }

    /// The session's guard rotated from the store's digests by the presented token, if
    /// the client's `last_received` is within what the store can resend.
    fn restored_guard(
        &self,
        record: &SessionRecord,
        resume: &Resume,
    ) -> Result<ResumeGuard, Refused> {
        let window = self.inner.config.limits.resume_window;
        let digests = digests_of(&record.tokens);
        let guard = ResumeGuard::restore(window, &digests, &resume.token).map_err(refusal)?;
        let held = record.progress.acked_through..record.progress.next_seq;
        if !held.contains(&resume.last_received) {
            return Err(Refused::Lost(SessionLostReason::Unrecoverable));
        }
        Ok(guard)
    }

    /// Claims the session for this node with the rotated tokens of `guard`.
    async fn claim(
        &self,
        config: &StoreConfig,
        record: &SessionRecord,
        guard: &ResumeGuard,
    ) -> Result<Lease, Refused> {
        let deadlines = config.attached(self.inner.config.limits.resume_window);
        let tokens = tokens_of(&guard.digests());
        let expected = record.tokens.current.clone();
        let claim =
            Claim { key: record.key, node: config.node.clone(), expected, tokens, deadlines };
        config.store.claim(&claim, UnixMillis::now()).await.map_err(claim_refused)
    }

    /// The session rebuilt from the store: its outbox holds the unacknowledged messages
    /// under their sequence numbers, released (the store has them).
    fn rebuilt(&self, journal: &Journal, rebuilt: Rebuilt) -> Result<Arc<SessionState>, Refused> {
        let record = &rebuilt.loaded.record;
        let session = self.state_of(record, rebuilt.identity, rebuilt.guard);
        refill(&session, &rebuilt.loaded)?;
        let durable = durable_from(journal, rebuilt.lease, &session, record);
        session.make_durable(Arc::clone(&durable));
        take_inbox(journal, &session, &durable, &rebuilt.loaded);
        Ok(Arc::new(session))
    }

    /// The in-memory state of a session the store kept as `record`, its outbox empty.
    fn state_of(
        &self,
        record: &SessionRecord,
        identity: Identity,
        guard: ResumeGuard,
    ) -> SessionState {
        let opening = Opening { mode: Mode::V1, identity, resumable: true };
        let config = &self.inner.config;
        let base = self.inner.sessions.outbox_base();
        let session = SessionState::with(kept(record, guard), opening, config, base);
        crate::server::hello::own_incoming(session, config)
    }

    /// Hands the rebuilt session out as a fresh one would be (the application of this
    /// process never held it), within the budget and the backlog.
    fn reopened(&self, session: Arc<SessionState>, last_received: u64) -> Result<Opened, Refused> {
        self.room_for_session()?;
        let place = self.inner.backlog.place(self.inner.config.incoming.mode)?;
        self.inner.sessions.insert(Arc::clone(&session));
        self.inner.notifier.opened(&session, place);
        Ok(Opened { session, resumed: Some(last_received), batch: false })
    }
}

/// What a rebuilt session is made of.
struct Rebuilt {
    loaded: Loaded,
    identity: Identity,
    guard: ResumeGuard,
    lease: Lease,
}

/// The write-ahead state of `session` as `record` has it, under `lease`.
fn durable_from(
    journal: &Journal,
    lease: Lease,
    session: &SessionState,
    record: &SessionRecord,
) -> Arc<DurableSession> {
    let journal = journal.clone();
    let outbox = session.outbox.clone();
    let appended = record.progress.next_seq - 1;
    let received = record.progress.received_through;
    let tokens = tokens_of(&lock(&session.guard).digests());
    DurableSession::new(Start { lease, journal, outbox, appended, received, tokens })
}

/// What a restored session keeps of `record`, with its rotated `guard`.
fn kept(record: &SessionRecord, guard: ResumeGuard) -> Kept {
    let id = crate::protocol::SessionId::from_bytes(record.key.0);
    Kept { id, guard, received: record.progress.received_through }
}

/// The session under `key` in the store, or why a resume of it is lost.
async fn load(config: &StoreConfig, key: &[u8; 16]) -> Result<Loaded, Refused> {
    let lookup = config.store.load(&SessionKey(*key), UnixMillis::now()).await;
    match lookup.map_err(failed("load"))? {
        Lookup::Found(loaded) => Ok(*loaded),
        Lookup::Missing => Err(Refused::Lost(SessionLostReason::UnknownSession)),
        Lookup::Expired => Err(Refused::Lost(SessionLostReason::Expired)),
        Lookup::Damaged(_) => Err(Refused::Lost(SessionLostReason::Unrecoverable)),
    }
}

/// A resume must come from the identity that opened the session (counted when not).
fn same_identity(record: &SessionRecord, identity: &[u8]) -> Result<(), Refused> {
    if record.identity == identity {
        return Ok(());
    }
    crate::metrics::auth_refused("identity");
    Err(Refused::Auth(crate::server::Refusal::new("the session belongs to another identity")))
}

/// Puts the stored entries back into the session's outbox under their numbers.
fn refill(session: &SessionState, loaded: &Loaded) -> Result<(), Refused> {
    session.outbox.continue_after(loaded.record.progress.acked_through);
    push_stored(session, &loaded.outbox)?;
    let last = loaded.record.progress.next_seq - 1;
    session.outbox.release_through(last);
    session.pushed(last);
    Ok(())
}

/// Moves what other nodes posted to the session while no node ran it into its outbox,
/// after the stored entries. The next look at the notices reads the inbox again: a post
/// between the load and the claim left its notice to the previous owner, and what did not
/// fit the outbox waits there too.
fn take_inbox(
    journal: &Journal,
    session: &SessionState,
    durable: &Arc<DurableSession>,
    loaded: &Loaded,
) {
    let taken = durable.take_posts(&loaded.inbox);
    taken.last_seq.into_iter().for_each(|seq| session.pushed(seq));
    journal.retry_posts(loaded.record.key);
}

/// Pushes the stored `entries` (consecutive after the ack): all, or the session is lost.
fn push_stored(session: &SessionState, entries: &[ws_store::Entry]) -> Result<(), Refused> {
    let unrecoverable = Refused::Lost(SessionLostReason::Unrecoverable);
    let stored: Option<Vec<_>> = entries.iter().map(stored_of).collect();
    let stored = stored.ok_or(Refused::Lost(SessionLostReason::Unrecoverable))?;
    let pushed = session.outbox.push_many(stored);
    let complete = pushed.refused.is_none() && pushed.seqs.count() == entries.len();
    complete.then_some(()).ok_or(unrecoverable)
}

/// Why a claim failed, as the resume's answer.
fn claim_refused(error: StoreError) -> Refused {
    match error.refusal() {
        Some(Refusal::TokenChanged) => Refused::Lost(SessionLostReason::TokenReplayed),
        Some(Refusal::Expired) => Refused::Lost(SessionLostReason::Expired),
        Some(Refusal::Missing) => Refused::Lost(SessionLostReason::UnknownSession),
        _ => failed("claim")(error),
    }
}

/// Maps a store failure to a 1011 refusal, counted under `op`.
fn failed(op: &'static str) -> impl Fn(StoreError) -> Refused {
    move |error| {
        tracing::error!(%error, op, "session store failed");
        crate::metrics::store_failed(op);
        Refused::Close(CloseCode::Internal)
    }
}

/// A fresh session's progress: nothing sent or received yet, its numbers after ws-core's
/// sequence origin (0, but in a simulated run, which moves it near 2^32 on both ends).
fn fresh_progress() -> Progress {
    let origin = ws_core::sequence::origin();
    Progress { received_through: origin, acked_through: origin, next_seq: origin + 1 }
}
