//! Unit tests of the transition table and the atomic state: exhaustive, racing, and a
//! proptest model.

use super::*;
use proptest::prelude::*;
use std::sync::{Arc, Barrier};

#[test]
fn the_table_allows_exactly_its_five_transitions() {
    let legal: Vec<_> = ConnState::ALL
        .iter()
        .flat_map(|from| ConnState::ALL.iter().map(move |to| (*from, *to)))
        .filter(|(from, to)| from.can_become(*to))
        .collect();
    let mut table = TRANSITIONS.to_vec();
    table.sort();
    assert_eq!(legal, table);
}

#[test]
fn an_illegal_transition_changes_nothing() {
    let cell = AtomicState::default();
    assert_eq!(cell.transition(ConnState::Closed), Err(ConnState::Active));
    assert_eq!(cell.transition_from(ConnState::Active, ConnState::Closed), Err(ConnState::Active));
    assert_eq!(cell.transition_from(ConnState::Closing, ConnState::Closed), Err(ConnState::Active));
    assert_eq!(cell.get(), ConnState::Active);
    assert_eq!(cell.transition(ConnState::Closing), Ok(ConnState::Active));
    assert_eq!(cell.transition(ConnState::Active), Err(ConnState::Closing));
    assert_eq!(cell.get(), ConnState::Closing);
}

#[test]
fn closed_is_terminal() {
    let cell = AtomicState::new();
    cell.transition(ConnState::Failed).unwrap();
    cell.transition(ConnState::Closed).unwrap();
    for to in ConnState::ALL {
        assert_eq!(cell.transition(to), Err(ConnState::Closed));
    }
    assert_eq!(ConnState::Closed.to_string(), "closed");
}

/// Threads race random transitions on one cell; the successful ones, in the order they
/// won, must form one legal path from `Active`.
#[test]
fn racing_transitions_never_produce_an_illegal_state() {
    for round in 0..200_u64 {
        let cell = Arc::new(AtomicState::new());
        let start = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8_u64)
            .map(|thread| {
                let (cell, start) = (cell.clone(), start.clone());
                std::thread::spawn(move || {
                    let mut rng = fastrand::Rng::with_seed(round * 8 + thread);
                    start.wait();
                    (0..20)
                        .filter_map(|_| {
                            let to = ConnState::ALL[rng.usize(0..4)];
                            cell.transition(to).ok().map(|from| (from, to))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut won: Vec<_> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert!(won.iter().all(|(from, to)| from.can_become(*to)));
        // Each state is left at most once, so the wins chain from Active in one way.
        let mut state = ConnState::Active;
        while let Some(at) = won.iter().position(|(from, _)| *from == state) {
            state = won.swap_remove(at).1;
        }
        assert!(won.is_empty(), "every win continues the path: {won:?}");
        assert_eq!(cell.get(), state);
    }
}

fn any_state() -> impl Strategy<Value = ConnState> {
    prop::sample::select(ConnState::ALL.to_vec())
}

#[derive(Debug, Clone)]
enum Op {
    To(ConnState),
    FromTo(ConnState, ConnState),
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any_state().prop_map(Op::To),
        (any_state(), any_state()).prop_map(|(from, to)| Op::FromTo(from, to)),
    ]
}

proptest! {
    /// The cell behaves as the table says, step for step: a model-based test.
    #[test]
    fn the_cell_follows_the_table_model(ops in prop::collection::vec(any_op(), 0..40)) {
        let cell = AtomicState::new();
        let mut model = ConnState::Active;
        for op in ops {
            let (expected_from, to) = match op {
                Op::To(to) => (model, to),
                Op::FromTo(from, to) => (from, to),
            };
            let legal = expected_from == model && model.can_become(to);
            let got = match op {
                Op::To(to) => cell.transition(to).map(drop),
                Op::FromTo(from, to) => cell.transition_from(from, to),
            };
            prop_assert_eq!(got.is_ok(), legal);
            if legal { model = to; } else { prop_assert_eq!(got, Err(model)); }
            prop_assert_eq!(cell.get(), model);
        }
    }
}
