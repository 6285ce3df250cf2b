//! CPU time the whole process used, from `/proc/self/stat`: how many of the machine's cores
//! a push kept busy. A run that leaves cores idle waits on hand-offs between tasks; one
//! that keeps them busy is limited by the work per message.

use std::time::Duration;

/// Linux reports `utime` and `stime` in `USER_HZ` ticks, which the kernel fixes at 100 for
/// user space on every architecture it exposes `/proc` on.
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time of this process so far (zero where `/proc` is unreadable).
pub fn used() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    parse_ticks(&stat).map_or(Duration::ZERO, ticks_to_duration)
}

/// `utime + stime` from a `/proc/<pid>/stat` line. The command name (field 2) is in
/// parentheses and may hold spaces, so fields are counted after its closing one.
pub fn parse_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11); // fields 3..=13 come first
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// User plus system CPU time of process `pid` so far (zero once it is gone).
pub fn of_process(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    parse_ticks(&stat).map_or(Duration::ZERO, ticks_to_duration)
}

fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND)
}

/// Cores kept busy on average: CPU time over wall time (0 for no wall time).
pub fn cores_busy(cpu: Duration, wall_seconds: f64) -> f64 {
    if wall_seconds > 0.0 {
        cpu.as_secs_f64() / wall_seconds
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_system_ticks_are_summed() {
        let stat = "4242 (ws bench) R 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 7 0 1 2 3";
        assert_eq!(parse_ticks(stat), Some(300));
    }

    #[test]
    fn a_truncated_line_is_none() {
        assert_eq!(parse_ticks("4242 (ws) R 1 2"), None);
        assert_eq!(parse_ticks("no parenthesis"), None);
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        // Spins until the kernel has counted a tick of CPU time (10 ms of CPU, however long
        // that takes on a loaded machine), bounded: a /proc that never counts fails.
        let guard = std::time::Instant::now();
        while used() == Duration::ZERO && guard.elapsed() < Duration::from_secs(30) {
            std::hint::black_box(guard.elapsed());
        }
        assert!(used() > Duration::ZERO, "no CPU time counted after 30 s of spinning");
        assert!(of_process(std::process::id()) > Duration::ZERO);
    }

    #[test]
    fn cores_busy_is_cpu_over_wall() {
        assert_eq!(cores_busy(Duration::from_secs(3), 2.0), 1.5);
        assert_eq!(cores_busy(Duration::from_secs(3), 0.0), 0.0);
    }
}
