//! Forked partition logs (the checkpoints of time travel): a fork shares sealed segments with its
//! original by hard links, and neither ever sees the other's writes.

mod common;

use common::log_records::{values, write_records};
use kafka_lab::log::{LogConfig, PartitionLog};
use std::os::unix::fs::MetadataExt;

/// Small segments and no tail cache, so reads come from the files.
fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 2_000,
        index_interval_bytes: 256,
        tail_cache_bytes: 0,
        ..LogConfig::default()
    }
}

#[test]
fn truncating_the_original_into_a_shared_segment_leaves_the_fork_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut live, _) = PartitionLog::open(&dir.path().join("live"), small_segments(), 0).unwrap();
    write_records(&mut live, 80, 5, "v");
    assert!(live.segment_count() >= 4, "several sealed segments");
    let before = values(&live);
    let fork = live.fork_to(&dir.path().join("fork")).unwrap();
    let first_sealed = dir.path().join("fork").join("00000000000000000000.log");
    assert_eq!(
        std::fs::metadata(&first_sealed).unwrap().nlink(),
        2,
        "sealed segments are linked, not copied"
    );
    // Cut the original inside its second segment (a sealed one, shared with the fork), then
    // write other records where the cut ones were.
    let second = live.segment_base_offsets().nth(1).unwrap();
    live.truncate_to(second + 3).unwrap();
    write_records(&mut live, 10, 5, "new");
    assert_ne!(values(&live), before);
    assert_eq!(values(&fork), before, "the fork reads its records");
    assert_eq!(fork.log_end_offset(), before.len() as i64);
    drop(fork);
    // Reopened from its files, the fork is the same log (indexes included).
    let (reopened, report) =
        PartitionLog::open(&dir.path().join("fork"), small_segments(), 0).unwrap();
    assert_eq!(report.bytes_truncated, 0);
    assert_eq!(values(&reopened), before);
}

#[test]
fn appends_to_the_fork_do_not_reach_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let (mut live, _) = PartitionLog::open(&dir.path().join("live"), small_segments(), 0).unwrap();
    write_records(&mut live, 7, 5, "v");
    let before = values(&live);
    let mut fork = live.fork_to(&dir.path().join("fork")).unwrap();
    write_records(&mut fork, 30, 5, "fork");
    fork.truncate_to(2).unwrap();
    write_records(&mut fork, 3, 5, "again");
    assert_eq!(values(&live), before);
    drop(live);
    let (reopened, _) = PartitionLog::open(&dir.path().join("live"), small_segments(), 0).unwrap();
    assert_eq!(values(&reopened), before);
}
