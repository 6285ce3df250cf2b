//! Unit tests of the queue state machine.
