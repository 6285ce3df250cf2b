//! The ledger's counting, line by line.

use super::*;
use crate::nodes::line::Post;

fn opened(session: &str, restored: bool, first: u64) -> Line {
    Line::Opened(Opened { session: session.into(), restored, first })
}

fn sent(session: &str, number: u64) -> Line {
    Line::Sent { session: session.into(), number }
}

fn taken(session: &str, seq: u64, number: u64) -> Line {
    Line::Received(Taken { session: session.into(), seq, client: 0, number })
}

#[test]
fn in_order_deliveries_of_every_reported_send_leave_nothing_lost() {
    let mut ledger = Ledger::default();
    ledger.node_line(0, opened("s", false, 1));
    (1..=3).for_each(|number| ledger.node_line(0, sent("s", number)));
    (1..=3).for_each(|number| ledger.delivered("s", number));
    assert_eq!(ledger.undelivered(), 0);
    assert_eq!((ledger.counts().duplicated, ledger.counts().gaps), (0, 0));
    assert_eq!(ledger.counts.durable_sends, 3);
}

#[test]
fn repeats_gaps_and_undelivered_sends_are_counted() {
    let mut ledger = Ledger::default();
    (1..=5).for_each(|number| ledger.node_line(0, sent("s", number)));
    [1, 1, 3].into_iter().for_each(|number| ledger.delivered("s", number));
    assert_eq!(ledger.counts.duplicated, 1);
    assert_eq!(ledger.counts().gaps, 1, "2 skipped");
    assert_eq!(ledger.undelivered(), 2, "4 and 5");
}

#[test]
fn a_restored_session_counts_by_the_node_that_held_it_and_reused_numbers_show() {
    let mut ledger = Ledger::default();
    ledger.node_line(0, opened("s", false, 1));
    (1..=4).for_each(|number| ledger.node_line(0, sent("s", number)));
    ledger.node_line(0, opened("s", true, 5));
    ledger.node_line(1, opened("s", true, 4));
    let counts = ledger.counts;
    assert_eq!((counts.fresh_sessions, counts.resumed_same_node), (1, 1));
    assert_eq!((counts.resumed_other_node, counts.reused), (1, 1));
}

#[test]
fn a_client_message_taken_again_is_a_repeat_under_its_own_seq_else_a_duplicate() {
    let mut ledger = Ledger::default();
    (1..=3).for_each(|number| ledger.client_sent(0, number));
    ledger.node_line(0, taken("s", 1, 1));
    ledger.node_line(1, taken("s", 1, 1));
    ledger.node_line(1, taken("s", 2, 1));
    ledger.node_line(1, taken("s", 2, 2));
    assert_eq!((ledger.counts.client_repeats, ledger.counts.client_duplicated), (1, 1));
    assert_eq!(ledger.untaken(), 1, "3 was never taken");
}

#[test]
fn a_restored_producer_may_jump_past_numbers_posts_took_but_not_past_sent_ones() {
    let mut ledger = Ledger::default();
    (1..=3).for_each(|number| ledger.node_line(0, sent("s", number)));
    (1..=3).for_each(|number| ledger.delivered("s", number));
    ledger.node_line(1, opened("s", true, 6)); // posts took 4 and 5
    ledger.node_line(1, sent("s", 6));
    ledger.delivered("s", 6);
    assert_eq!((ledger.counts().gaps, ledger.undelivered()), (0, 0), "4 and 5 were never sent");
    ledger.node_line(1, sent("s", 7));
    ledger.node_line(1, sent("s", 8));
    ledger.delivered("s", 8);
    assert_eq!(ledger.counts().gaps, 1, "7 was sent and passed over: lost");
}

#[test]
fn each_posters_posts_arrive_once_in_order() {
    let mut ledger = Ledger::default();
    let post = |number, cross| Line::Posted(Post { session: "s".into(), poster: 9, number, cross });
    ledger.node_line(1, post(1, true));
    ledger.node_line(1, post(2, false));
    ledger.node_line(1, post(3, true));
    assert_eq!((ledger.counts.cross_node_sends, ledger.counts.local_posts), (2, 1));
    assert_eq!(ledger.undelivered(), 3);
    [1, 1, 3].into_iter().for_each(|number| ledger.post_delivered("s", 9, number));
    let counts = ledger.counts();
    assert_eq!((counts.duplicated, counts.gaps, ledger.undelivered()), (1, 1, 0));
}
