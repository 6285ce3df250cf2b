//! Memory figures of this process from `/proc/self/status` (Linux): peak and current
//! resident set size, and memory per connection from two readings.

/// The value of a `kB` field (`VmHWM`, `VmRSS`) of a `/proc/<pid>/status` text, in bytes.
pub fn status_field(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.split(':').next() == Some(field))?;
    let kilobytes = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    Some(kilobytes * 1024)
}

/// This process's status text, empty where `/proc` is not available.
pub fn own_status() -> String {
    std::fs::read_to_string("/proc/self/status").unwrap_or_default()
}

/// Current and peak resident set size of a process, in bytes (0 where unknown), read from
/// one status text: the kernel writes both from one look at the counters, so `peak` is never
/// below `current`. Two reads of `/proc/self/status` promise no such thing: the resident
/// counters are per-CPU and approximate, and other threads free memory between the reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resident {
    /// `VmRSS`: resident now.
    pub current: u64,
    /// `VmHWM`: the most ever resident.
    pub peak: u64,
}

impl Resident {
    /// The two figures of a status text.
    pub fn of(status: &str) -> Self {
        let current = status_field(status, "VmRSS").unwrap_or(0);
        let peak = status_field(status, "VmHWM").unwrap_or(0);
        Resident { current, peak }
    }

    /// This process's figures now.
    pub fn now() -> Self {
        Resident::of(&own_status())
    }
}

/// Peak resident set size of this process in bytes (0 where unknown).
pub fn peak_rss() -> u64 {
    Resident::now().peak
}

/// Current resident set size of this process in bytes (0 where unknown).
pub fn current_rss() -> u64 {
    Resident::now().current
}

/// Bytes per connection between a reading before (`baseline`) and one with `connections`
/// open (`loaded`).
pub fn per_connection(baseline: u64, loaded: u64, connections: usize) -> u64 {
    loaded.saturating_sub(baseline) / (connections.max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_bytes() {
        let status = "Name:\tws-soak\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(status_field(status, "VmHWM"), Some(20480 * 1024));
        assert_eq!(status_field(status, "VmRSS"), Some(10240 * 1024));
        assert_eq!(status_field(status, "VmSwap"), None);
        assert_eq!(status_field("VmRSS: lots", "VmRSS"), None);
    }

    #[test]
    fn per_connection_divides_the_growth() {
        assert_eq!(per_connection(1000, 11_000, 1000), 10);
        assert_eq!(per_connection(5000, 4000, 10), 0);
        assert_eq!(per_connection(0, 100, 0), 100);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let resident = Resident::now();
        assert!(resident.peak >= resident.current, "{resident:?}");
        assert!(resident.current > 0, "linux /proc is expected on the soak machine");
        assert!(current_rss() > 0 && peak_rss() > 0);
    }

    #[test]
    fn both_figures_come_from_one_text() {
        let status = "VmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n";
        let resident = Resident::of(status);
        assert_eq!(resident, Resident { current: 10240 * 1024, peak: 20480 * 1024 });
        assert_eq!(Resident::of(""), Resident { current: 0, peak: 0 });
    }
}
