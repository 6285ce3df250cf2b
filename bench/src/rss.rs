//! Memory figures of this process from `/proc/self/status` (Linux), and bytes per
//! connection from two readings.

/// The value of a `kB` field (`VmHWM`, `VmRSS`) of a `/proc/<pid>/status` text, in bytes.
pub fn status_field(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.split(':').next() == Some(field))?;
    let kilobytes = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    Some(kilobytes * 1024)
}

/// This process's `(VmRSS, VmHWM)` in bytes (0 where `/proc` is not available).
pub fn own() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name| status_field(&status, name).unwrap_or(0);
    (field("VmRSS"), field("VmHWM"))
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
        let status = "Name:\tws-bench\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n";
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
        let (rss, peak) = own();
        assert!(rss > 0 && peak >= rss, "linux /proc is expected");
    }
}
