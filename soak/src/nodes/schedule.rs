//! [`Schedule`]: when the harness kills the next node, and when it has a node post to a
//! session another node runs, until the run's deadline.

use std::time::Duration;
use tokio::time::{sleep_until, Instant, Interval, MissedTickBehavior};

/// How often a node is told to post to a session another node runs.
pub const POST_EVERY: Duration = Duration::from_millis(50);

/// What comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Kill the next node (and start it again).
    Kill,
    /// Have a node post to a session another node runs.
    Post,
}

/// The run's kills and posts.
#[derive(Debug)]
pub struct Schedule {
    deadline: Instant,
    kill_every: Option<Duration>,
    next_kill: Option<Instant>,
    posts: Interval,
    /// Only with more than one node: a post needs another node.
    posting: bool,
}

impl Schedule {
    /// Kills every `kill_every` (the last one no later than `deadline`), posts every
    /// [`POST_EVERY`] when `posting`.
    pub fn new(deadline: Instant, kill_every: Option<Duration>, posting: bool) -> Self {
        let next_kill = kill_every.map(|every| Instant::now() + every);
        let mut posts = tokio::time::interval(POST_EVERY);
        posts.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Schedule { deadline, kill_every, next_kill, posts, posting }
    }

    /// Waits for the next step; `None` at the deadline.
    pub async fn next(&mut self) -> Option<Step> {
        let kill_at = self.next_kill.filter(|at| *at <= self.deadline);
        tokio::select! {
            biased;
            () = sleep_until(self.deadline) => None,
            () = sleep_until(kill_at.unwrap_or(self.deadline)), if kill_at.is_some() => self.killed(),
            _ = self.posts.tick(), if self.posting => Some(Step::Post),
        }
    }

    fn killed(&mut self) -> Option<Step> {
        let every = self.kill_every?;
        self.next_kill = self.next_kill.map(|at| at + every);
        Some(Step::Kill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn kills_on_time_and_posts_between_until_the_deadline() {
        let deadline = Instant::now() + Duration::from_millis(250);
        let mut schedule = Schedule::new(deadline, Some(Duration::from_millis(100)), true);
        let mut steps = Vec::new();
        while let Some(step) = schedule.next().await {
            steps.push(step);
        }
        assert_eq!(
            steps.iter().filter(|step| **step == Step::Kill).count(),
            2,
            "at 100 and 200 ms"
        );
        assert_eq!(steps.iter().filter(|step| **step == Step::Post).count(), 5, "every 50 ms");
        let mut alone = Schedule::new(Instant::now() + Duration::from_millis(100), None, false);
        assert_eq!(alone.next().await, None, "one node, no kills: only the deadline");
    }
}
