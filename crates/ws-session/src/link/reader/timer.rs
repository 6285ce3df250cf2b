//! The reader's one timer (the ack schedule's deadline, the keepalive, the idle timeout),
//! two ways: made afresh at each step ([`Fresh`]), or kept from step to step ([`Kept`]).
//!
//! A `Sleep` made afresh takes a handle on the runtime and a place in its timer wheel, and
//! gives both back when the step ends: per frame read on a busy link. Kept, it is reset
//! only when a deadline comes sooner than the armed one, or once it fired; a deadline
//! that moved later (every read moves the idle timeout) leaves it armed, it fires early,
//! the reader finds nothing due and re-arms. That took about a sixth of the CPU a client
//! spends at 10% of raw's push rate (`docs/learnings.md` § 39). Kept costs a box (112 B)
//! for the link's life, so a server, whose idle links count, makes its timers afresh.

use futures::future::Either;
use std::future::{Future, Pending};
use std::pin::Pin;
use tokio::time::{Instant, Sleep};

/// How a reader waits for its next deadline.
pub trait StepTimer: Default + Send {
    /// The wait of one step.
    type Wait<'a>: Future<Output = ()> + Send
    where
        Self: 'a;

    /// Completes at `deadline`; never without one.
    fn wait(deadline: Option<Instant>, timer: &mut Self) -> Self::Wait<'_>;
}

/// A timer made afresh at each step, in the step's future: nothing kept between steps, so
/// an idle link holds nothing but its wait (a server's links).
#[derive(Debug, Default)]
pub struct Fresh;

impl StepTimer for Fresh {
    type Wait<'a> = Either<Sleep, Pending<()>>;

    fn wait(deadline: Option<Instant>, _: &mut Self) -> Self::Wait<'_> {
        match deadline {
            Some(deadline) => Either::Left(tokio::time::sleep_until(deadline)),
            None => Either::Right(std::future::pending()),
        }
    }
}

/// One timer kept from step to step once there was a deadline, boxed (a client's link).
#[derive(Debug, Default)]
pub struct Kept(Option<Pin<Box<Sleep>>>);

impl StepTimer for Kept {
    type Wait<'a> = Either<Pin<&'a mut Sleep>, Pending<()>>;

    fn wait(deadline: Option<Instant>, timer: &mut Self) -> Self::Wait<'_> {
        let Some(deadline) = deadline else { return Either::Right(std::future::pending()) };
        let sleep = timer.0.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if deadline < sleep.deadline() || sleep.is_elapsed() {
            sleep.as_mut().reset(deadline);
        }
        Either::Left(sleep.as_mut())
    }
}

#[cfg(test)]
mod tests;
