//! Capped exponential backoff with jitter and a seedable random source.

use std::time::Duration;

/// How much randomness spreads each delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// The delay is exactly the capped exponential value.
    None,
    /// The delay is uniform in `[0, capped value]` ("full jitter"): spreads a herd of
    /// clients the most, at the cost of sometimes retrying at once.
    #[default]
    Full,
    /// The delay is uniform in `[capped value / 2, capped value]`: a floor with some spread.
    Equal,
}

/// Capped exponential backoff: attempt `n` (counting from 0) waits
/// `min(cap, initial * multiplier^n)`, spread by [`Jitter`].
///
/// Defaults: initial 100 ms, multiplier 2, cap 30 s, full jitter. Full jitter is the
/// default because a restarted server otherwise meets every client at the same instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    multiplier: f64,
    cap: Duration,
    jitter: Jitter,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(30))
    }
}

impl Backoff {
    /// A backoff with full jitter. A multiplier below 1 is taken as 1 (no growth), and a
    /// cap below `initial` is raised to `initial`.
    pub fn new(initial: Duration, multiplier: f64, cap: Duration) -> Self {
        let multiplier = if multiplier.is_finite() { multiplier.max(1.0) } else { 1.0 };
        let cap = cap.max(initial);
        Backoff { initial, multiplier, cap, jitter: Jitter::Full }
    }

    /// The same backoff with another jitter.
    pub fn with_jitter(self, jitter: Jitter) -> Self {
        Backoff { jitter, ..self }
    }

    /// The first delay, before jitter.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The growth factor between attempts.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The largest delay, before jitter.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// The jitter applied to every delay.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The capped exponential delay of attempt `attempt` (from 0), before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let seconds = self.initial.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = seconds.min(self.cap.as_secs_f64());
        Duration::try_from_secs_f64(capped).unwrap_or(self.cap)
    }

    /// The delay before attempt `attempt` (from 0), jittered with `rng`.
    pub fn delay(&self, attempt: u32, rng: &mut JitterRng) -> Duration {
        let ceiling = self.ceiling(attempt);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => ceiling.mul_f64(rng.unit()),
            Jitter::Equal => ceiling / 2 + (ceiling / 2).mul_f64(rng.unit()),
        }
    }
}

/// The random source of jitter: seed it in tests for deterministic delays.
#[derive(Debug, Clone)]
pub struct JitterRng {
    inner: fastrand::Rng,
}

impl JitterRng {
    /// A source seeded from the operating system: use it in production.
    pub fn from_entropy() -> Self {
        JitterRng { inner: fastrand::Rng::new() }
    }

    /// A deterministic source: the same seed gives the same delays.
    pub fn seeded(seed: u64) -> Self {
        JitterRng { inner: fastrand::Rng::with_seed(seed) }
    }

    /// A uniform value in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.inner.f64()
    }
}

impl Default for JitterRng {
    fn default() -> Self {
        JitterRng::from_entropy()
    }
}

#[cfg(test)]
mod tests;
