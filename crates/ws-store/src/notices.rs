//! [`Notices`]: the memory backend's notices, per node the sessions posted to since it
//! last looked. A notice follows its session: a claim passes it to the new owner, and it
//! goes with the session when the session is removed or swept.

use crate::record::{NodeId, SessionKey};
use std::collections::{BTreeMap, BTreeSet};

/// Per node, the sessions it owns that were posted to since it last looked; a node
/// without notices has no entry.
#[derive(Debug, Default)]
pub struct Notices(BTreeMap<NodeId, BTreeSet<SessionKey>>);

impl Notices {
    /// Leaves `node` a notice that `key` was posted to.
    pub fn leave(&mut self, node: &NodeId, key: SessionKey) {
        self.0.entry(node.clone()).or_default().insert(key);
    }

    /// Takes `node`'s notices, in key order.
    pub fn take(&mut self, node: &NodeId) -> Vec<SessionKey> {
        self.0.remove(node).unwrap_or_default().into_iter().collect()
    }

    /// Drops `node`'s notice of `key`, and says whether there was one.
    pub fn forget(&mut self, node: &NodeId, key: &SessionKey) -> bool {
        let Some(keys) = self.0.get_mut(node) else { return false };
        let held = keys.remove(key);
        if keys.is_empty() {
            self.0.remove(node);
        }
        held
    }

    /// Passes `from`'s notice of `key`, if it has one, to `to` (the session's new owner).
    pub fn pass(&mut self, from: &NodeId, to: &NodeId, key: &SessionKey) {
        if self.forget(from, key) {
            self.leave(to, *key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeId {
        NodeId(name.into())
    }

    #[test]
    fn a_forgotten_notice_leaves_no_empty_entry() {
        let mut notices = Notices::default();
        notices.leave(&node("a"), SessionKey([1; 16]));
        assert!(notices.forget(&node("a"), &SessionKey([1; 16])));
        assert!(!notices.forget(&node("a"), &SessionKey([1; 16])));
        assert!(notices.0.is_empty(), "no node left with an empty set");
    }

    #[test]
    fn a_passed_notice_moves_only_when_there_is_one() {
        let mut notices = Notices::default();
        notices.pass(&node("a"), &node("b"), &SessionKey([2; 16]));
        assert!(notices.0.is_empty(), "nothing to pass");
        notices.leave(&node("a"), SessionKey([2; 16]));
        notices.pass(&node("a"), &node("b"), &SessionKey([2; 16]));
        assert_eq!(notices.take(&node("a")), vec![]);
        assert_eq!(notices.take(&node("b")), vec![SessionKey([2; 16])]);
    }
}
