//! Replays the fuzz corpus on stable: every file under `fuzz/corpus/<target>/` (the
//! committed seeds, `seed-*`, and the inputs earlier runs found adding coverage, `min-*`) and `fuzz/regressions/<target>/` (every crash a fuzz run found) goes
//! through the same check as the cargo-fuzz target of that name
//! (`ws_reliability::fuzzing::TARGETS`), so a fixed crash stays fixed.
#![cfg(feature = "fuzzing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use ws_reliability::fuzzing::{Check, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of one target's directory, hidden files (`.gitkeep`) left out.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{dir:?}: {error}"));
    let mut files: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    files.retain(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'));
    files.sort();
    files
}

/// Runs `check` over every file; the failures, one line each.
fn replay(check: Check, files: &[PathBuf]) -> Vec<String> {
    let failed = files.iter().filter_map(|path| {
        let bytes = std::fs::read(path).unwrap();
        check(&bytes).err().map(|broken| format!("{}: {}", path.display(), broken.0))
    });
    failed.collect()
}

#[test]
fn every_target_has_seeds_and_a_regressions_directory() {
    for (target, _) in TARGETS {
        assert!(files("corpus", target).len() >= 5, "fuzz/corpus/{target} holds under 5 seeds");
        assert!(fuzz_dir().join("regressions").join(target).is_dir(), "no regressions/{target}");
    }
}

#[test]
fn the_committed_corpus_passes_every_check() {
    let failures: Vec<String> = TARGETS
        .iter()
        .flat_map(|(target, check)| {
            let mut all = files("corpus", target);
            all.extend(files("regressions", target));
            replay(*check, &all)
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} inputs broke a property:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_broken_property_is_reported_not_panicked() {
    // the worked example of docs/protocol.md § 11 decodes and re-encodes; a BATCH seed fed to
    // the HELLO check is simply a malformed HELLO (a typed error, no report)
    let example = [0x08, 0xad, 0x02, 0x04, 0x02, b'h', b'i', 0x05, 0x02, 0xde, 0xad];
    for (target, check) in TARGETS {
        assert_eq!(check(&example), Ok(()), "{target}");
    }
}
