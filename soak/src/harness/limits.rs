//! The open-file limit: raised to what the connections need (both ends of every loopback
//! connection live in this process), or a clear error saying what to do.

use crate::SoakError;

/// Files the run opens besides its connections: listeners, the runtime, `/proc` reads.
const SPARE_FILES: u64 = 256;

/// Open files `connections` loopback connections need in one process (two sockets each).
pub fn files_needed(connections: usize) -> u64 {
    2 * connections as u64 + SPARE_FILES
}

/// Raises the soft `RLIMIT_NOFILE` towards the hard limit until it covers `connections`.
pub fn raise_open_files(connections: usize) -> Result<u64, SoakError> {
    let needed = files_needed(connections);
    let limit = rlimit::increase_nofile_limit(needed).unwrap_or(0);
    enough(connections, needed, limit)
}

/// `Ok(limit)` when `limit` covers `needed`, else the error telling what to do.
pub fn enough(connections: usize, needed: u64, limit: u64) -> Result<u64, SoakError> {
    if limit >= needed {
        Ok(limit)
    } else {
        Err(SoakError::OpenFiles { connections, needed, limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_limit_says_what_to_do() {
        assert_eq!(files_needed(1000), 2256);
        assert_eq!(enough(1000, 2256, 4096).unwrap(), 4096);
        let message = enough(1000, 2256, 1024).unwrap_err().to_string();
        assert!(message.contains("ulimit -n 2256") && message.contains("fewer --connections"));
    }

    #[test]
    fn a_hundred_connections_fit_here() {
        assert!(raise_open_files(100).unwrap() >= files_needed(100));
    }
}
