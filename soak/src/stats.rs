//! Percentile maths: [`Summary`] of a set of samples (count, mean, p50, p99, max), by the
//! nearest-rank method.

use serde::Serialize;

/// Count, mean, median, 99th percentile and maximum of some samples (all 0 when none).
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Samples.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (nearest rank).
    pub p50: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
}

impl Summary {
    /// The summary of `samples` (NaNs are left out).
    pub fn of(samples: &[f64]) -> Summary {
        let sorted = Sorted::new(samples);
        let at = |percent| percentile(&sorted.0, percent);
        let count = sorted.0.len();
        Summary { count, mean: sorted.mean(), p50: at(50.0), p99: at(99.0), max: at(100.0) }
    }
}

/// Samples in ascending order, NaNs left out.
struct Sorted(Vec<f64>);

impl Sorted {
    fn new(samples: &[f64]) -> Self {
        let mut sorted: Vec<f64> =
            samples.iter().copied().filter(|value| !value.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        Sorted(sorted)
    }

    /// The arithmetic mean, 0 for no samples.
    fn mean(&self) -> f64 {
        if self.0.is_empty() {
            0.0
        } else {
            self.0.iter().sum::<f64>() / self.0.len() as f64
        }
    }
}

/// The nearest-rank `percent` percentile of ascending `sorted` (0 for no samples): the
/// smallest value with at least `percent`% of the samples at or below it.
pub fn percentile(sorted: &[f64], percent: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&hundred, 50.0), 50.0);
        assert_eq!(percentile(&hundred, 99.0), 99.0);
        assert_eq!(percentile(&hundred, 100.0), 100.0);
        assert_eq!(percentile(&hundred, 0.0), 1.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn a_summary_of_unsorted_samples() {
        let summary = Summary::of(&[0.4, 0.1, f64::NAN, 0.3, 0.2]);
        assert_eq!((summary.count, summary.p50, summary.p99, summary.max), (4, 0.2, 0.4, 0.4));
        assert!((summary.mean - 0.25).abs() < 1e-12);
        assert_eq!(Summary::of(&[]), Summary::default());
    }
}
