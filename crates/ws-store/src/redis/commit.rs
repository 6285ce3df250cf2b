//! [`RedisStore::commit_all`]: every session's `commit.lua` call in one pipeline (one
//! round trip), then `WAIT` when the config asks for replicated commits.

use super::reply::{integer, Reply};
use super::scripts::COMMIT;
use super::{args, failed, RedisStore, BACKEND};
use crate::changes::SessionWrite;
use crate::error::{Refusal, StoreError};
use redis::Value;

/// Per write (in order): applied, or refused.
pub type Outcomes = Vec<Result<(), Refusal>>;

impl RedisStore {
    /// Commits `writes` in one round trip, measured and traced.
    pub(super) async fn commit_all(&self, writes: &[SessionWrite]) -> Result<Outcomes, StoreError> {
        crate::observe::observe_commit(BACKEND, writes.len(), self.pipeline(writes)).await
    }

    async fn pipeline(&self, writes: &[SessionWrite]) -> Result<Outcomes, StoreError> {
        let mut pipe = self.calls(writes);
        self.wait_for_replicas(&mut pipe);
        let replies: Vec<Value> = pipe.query_async(&mut self.connection()).await.map_err(failed)?;
        self.outcomes(&replies, writes.len())
    }

    /// The script calls of `writes`, after loading the script in the same round trip (a
    /// restarted Redis has no scripts cached).
    fn calls(&self, writes: &[SessionWrite]) -> redis::Pipeline {
        let mut pipe = redis::pipe();
        pipe.load_script(&COMMIT).ignore();
        for write in writes {
            let names = self.config.keys(&write.lease.key);
            pipe.invoke_script(&args::write(&COMMIT, &names, write, self.config.grace_millis()));
        }
        pipe
    }

    /// Appends `WAIT` to `pipe` when the config asks for replicated commits.
    fn wait_for_replicas(&self, pipe: &mut redis::Pipeline) {
        if let Some(replication) = self.config.wait_replicas {
            let replicas = replication.replicas;
            pipe.cmd("WAIT").arg(replicas).arg(replication.timeout_millis());
        }
    }

    fn outcomes(&self, replies: &[Value], writes: usize) -> Result<Outcomes, StoreError> {
        let (scripts, waited) = replies.split_at(writes.min(replies.len()));
        let outcomes = scripts.iter().map(|reply| Reply::of(reply)?.outcome());
        let outcomes = outcomes.collect::<Result<Outcomes, StoreError>>()?;
        self.check_replicas(waited)?;
        Ok(outcomes)
    }

    /// Fewer replicas than asked for acknowledged: a backend failure (the writes are on
    /// the primary, but a failover now could lose them).
    fn check_replicas(&self, waited: &[Value]) -> Result<(), StoreError> {
        let Some(replication) = self.config.wait_replicas else { return Ok(()) };
        let acknowledged = integer(waited.first().unwrap_or(&Value::Nil))?;
        if acknowledged >= replication.replicas as u64 {
            return Ok(());
        }
        let asked = replication.replicas;
        Err(failed(format!("{acknowledged} of {asked} replicas acknowledged the commit in time")))
    }
}
