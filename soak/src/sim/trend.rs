//! The live heap's trend over a simulated run: the least-squares fit of the live bytes on
//! the time and the clients connected, and that fit's standard error, estimated for
//! correlated samples (Newey-West); over the quiet instants (the one checked) and over a
//! sample a minute.

use super::hours::Sample;
use serde::Serialize;

/// How many neighbouring samples the standard error lets be correlated: an hour of minute
/// samples. What the heap holds at an instant outlives the instant: a session expired in
/// a long partition stays in the store for an hour, a restart every 5 minutes refills the
/// server, a partition lasts up to 200 s. Newey-West's rule of thumb for ~1 400 samples
/// (7) would leave most of that correlation out and understate the error.
pub const LAG_SAMPLES: usize = 60;
/// How many neighbouring quiet instants (an hour apart) the standard error lets be
/// correlated: a session expired in a long partition stays in the store for an hour.
pub const QUIET_LAGS: usize = 2;

/// The live heap's growth per hour and how sure it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct HeapTrend {
    /// The time's coefficient of the fit, bytes per hour.
    pub bytes_per_hour: f64,
    /// Its standard error, bytes per hour (Newey-West, Bartlett weights over
    /// [`QUIET_LAGS`] or [`LAG_SAMPLES`] lags): a growth within about two of these of zero
    /// is not shown.
    pub standard_error: f64,
    /// The samples fitted.
    pub samples: usize,
}

impl std::fmt::Display for HeapTrend {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let growth = self.bytes_per_hour;
        write!(formatter, "{growth:.0} ± {:.0} B/h", self.standard_error)
    }
}

/// The live heap's trend, with the clients connected at each sample factored out, over the
/// samples after the first hour (the warm-up); `None` when those samples span less than an
/// hour (no trend to see). Each connected client holds ~56 KB (its connection, its session,
/// its client), and how many are connected swings by tens: a plain slope follows that
/// noise (-28 KB/h for seed 1, +95 KB/h for seed 2 over 24 h, the same code). Where the
/// clients do not vary apart from the time, the plain slope.
pub fn heap_trend(samples: &[Sample]) -> Option<HeapTrend> {
    trend(samples, LAG_SAMPLES)
}

/// The live heap's trend over the quiet instants after the first hour, a sample an hour
/// ([`super::lull`]): every client connected, nothing in flight, so the clients do not
/// vary and the fit is the plain slope; `None` for fewer than two (a run under 3 hours).
pub fn quiet_trend(samples: &[Sample]) -> Option<HeapTrend> {
    trend(samples, QUIET_LAGS)
}

/// The trend of the `samples` after the first hour, the standard error letting `lags`
/// neighbours be correlated.
fn trend(samples: &[Sample], lags: usize) -> Option<HeapTrend> {
    let warm: Vec<&Sample> = samples.iter().filter(|sample| sample.seconds >= 3600).collect();
    let span = warm.last()?.seconds - warm.first()?.seconds;
    let points: Vec<Point> = warm.into_iter().map(Point::of).collect();
    (span >= 3600).then(|| Fit::of(&points).trend(lags))
}

/// One sample as the fit sees it.
#[derive(Debug, Clone, Copy, Default)]
struct Point {
    hour: f64,
    clients: f64,
    heap: f64,
}

impl Point {
    fn of(sample: &Sample) -> Point {
        let hour = sample.seconds as f64 / 3600.0;
        Point { hour, clients: sample.clients as f64, heap: sample.live_bytes as f64 }
    }

    /// The point less `mean`, coordinate by coordinate.
    fn minus(self, mean: Point) -> Point {
        let heap = self.heap - mean.heap;
        Point { hour: self.hour - mean.hour, clients: self.clients - mean.clients, heap }
    }

    /// The mean of `points`.
    fn mean(points: &[Point]) -> Point {
        let count = (points.len() as f64).max(1.0);
        let total = points.iter().fold(Point::default(), |sum, point| sum.plus(*point));
        Point { hour: total.hour / count, clients: total.clients / count, heap: total.heap / count }
    }

    fn plus(self, other: Point) -> Point {
        let heap = self.heap + other.heap;
        Point { hour: self.hour + other.hour, clients: self.clients + other.clients, heap }
    }
}

/// The sums of squares and products of the points less their mean.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    hour_hour: f64,
    clients_clients: f64,
    hour_clients: f64,
    hour_heap: f64,
    clients_heap: f64,
}

impl Moments {
    fn add(self, delta: Point) -> Moments {
        Moments {
            hour_hour: self.hour_hour + delta.hour * delta.hour,
            clients_clients: self.clients_clients + delta.clients * delta.clients,
            hour_clients: self.hour_clients + delta.hour * delta.clients,
            hour_heap: self.hour_heap + delta.hour * delta.heap,
            clients_heap: self.clients_heap + delta.clients * delta.heap,
        }
    }

    /// The fit on hour and clients; the plain slope on the hour where the clients do not
    /// vary apart from the hours (a singular fit).
    fn coefficients(&self) -> Coefficients {
        let determinant = self.hour_hour * self.clients_clients - self.hour_clients.powi(2);
        if determinant <= 1e-9 * self.hour_hour * self.clients_clients {
            return self.plain();
        }
        let hour_row = Row::over(self.clients_clients, -self.hour_clients, determinant);
        let clients_row = Row::over(-self.hour_clients, self.hour_hour, determinant);
        let clients = clients_row.times(self.hour_heap, self.clients_heap);
        Coefficients { hour: hour_row.times(self.hour_heap, self.clients_heap), clients, hour_row }
    }

    /// The plain slope on the hour.
    fn plain(&self) -> Coefficients {
        let hour_row = Row { hour: 1.0 / self.hour_hour, clients: 0.0 };
        Coefficients { hour: self.hour_heap / self.hour_hour, clients: 0.0, hour_row }
    }
}

/// A row of the inverse of the moments' matrix: what a point's hour and clients weigh in
/// a coefficient.
#[derive(Debug, Clone, Copy)]
struct Row {
    hour: f64,
    clients: f64,
}

impl Row {
    fn times(self, hour: f64, clients: f64) -> f64 {
        self.hour * hour + self.clients * clients
    }

    /// The row (`hour`, `clients`) divided by `divisor`.
    fn over(hour: f64, clients: f64, divisor: f64) -> Row {
        Row { hour: hour / divisor, clients: clients / divisor }
    }
}

/// The fitted coefficients, and the hour's row of the inverse moments (which the standard
/// error weighs each point's residual by).
#[derive(Debug, Clone, Copy)]
struct Coefficients {
    hour: f64,
    clients: f64,
    hour_row: Row,
}

impl Coefficients {
    /// What `point` (less the mean) adds to the hour's coefficient's error: its residual,
    /// weighed by its hour and clients.
    fn score(&self, point: Point) -> f64 {
        let residual = point.heap - self.hour * point.hour - self.clients * point.clients;
        residual * self.hour_row.times(point.hour, point.clients)
    }
}

/// The points less their mean and their moments.
struct Fit {
    centred: Vec<Point>,
    moments: Moments,
}

impl Fit {
    fn of(points: &[Point]) -> Fit {
        let mean = Point::mean(points);
        let centred: Vec<Point> = points.iter().map(|point| point.minus(mean)).collect();
        let moments = centred.iter().copied().fold(Moments::default(), Moments::add);
        Fit { centred, moments }
    }

    /// The hour's coefficient and its Newey-West standard error, with the small-sample
    /// correction for three fitted parameters (the mean, the hour, the clients).
    fn trend(&self, lags: usize) -> HeapTrend {
        let coefficients = self.moments.coefficients();
        let scores: Vec<f64> =
            self.centred.iter().map(|point| coefficients.score(*point)).collect();
        let samples = scores.len();
        let correction = samples as f64 / (samples.saturating_sub(3).max(1) as f64);
        let standard_error = finite((long_run_variance(&scores, lags) * correction).sqrt());
        HeapTrend { bytes_per_hour: finite(coefficients.hour), standard_error, samples }
    }
}

/// `value`, or 0 where it is not finite (a fit of too few points).
fn finite(value: f64) -> f64 {
    Some(value).filter(|value| value.is_finite()).unwrap_or(0.0)
}

/// The variance of the sum of `scores` when each may be correlated with its `lags`
/// neighbours: the lagged products weighed down linearly (Bartlett), which keeps it from
/// going negative.
fn long_run_variance(scores: &[f64], lags: usize) -> f64 {
    let weight = |lag: usize| 1.0 - lag as f64 / (lags + 1) as f64;
    let lagged = (1..=lags).map(|lag| 2.0 * weight(lag) * products(scores, lag));
    products(scores, 0) + lagged.sum::<f64>()
}

/// The sum of every score times the one `lag` after it.
fn products(scores: &[f64], lag: usize) -> f64 {
    let later = scores.get(lag..).unwrap_or_default();
    scores.iter().zip(later).map(|(score, after)| score * after).sum()
}

#[cfg(test)]
mod tests;
