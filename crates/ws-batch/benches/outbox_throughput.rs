//! Criterion bench placeholder.
fn main() {}
