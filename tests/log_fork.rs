//! Forked partition logs (the checkpoints of time travel): a fork shares sealed segments with its
//! original by hard links, and neither ever sees the other's writes.

use bytes::Bytes;
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

fn write_records(log: &mut PartitionLog, batches: usize, tag: &str) {
    for b in 0..batches {
        let recs: Vec<_> = (0..5)
            .map(|i| {
                (
                    Some(Bytes::from(format!("k{b}"))),
                    Some(Bytes::from(format!("{tag}-{b}-{i}"))),
                    1_000 + b as i64,
                )
            })
            .collect();
        log.append_records(&recs, 0, 0).unwrap();
    }
}

fn values(log: &PartitionLog) -> Vec<(i64, String)> {
    let leo = log.log_end_offset();
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    while offset < leo {
        let recs = log.read_records(offset, 1 << 20, leo).unwrap();
        if recs.is_empty() {
            break;
        }
        for r in recs {
            out.push((
                r.offset,
                String::from_utf8_lossy(&r.value.unwrap()).into_owned(),
            ));
            offset = r.offset + 1;
        }
    }
    out
}

#[test]
fn truncating_the_original_into_a_shared_segment_leaves_the_fork_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut live, _) = PartitionLog::open(&dir.path().join("live"), small_segments(), 0).unwrap();
    write_records(&mut live, 80, "v");
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
    write_records(&mut live, 10, "new");
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
    write_records(&mut live, 7, "v");
    let before = values(&live);
    let mut fork = live.fork_to(&dir.path().join("fork")).unwrap();
    write_records(&mut fork, 30, "fork");
    fork.truncate_to(2).unwrap();
    write_records(&mut fork, 3, "again");
    assert_eq!(values(&live), before);
    drop(live);
    let (reopened, _) = PartitionLog::open(&dir.path().join("live"), small_segments(), 0).unwrap();
    assert_eq!(values(&reopened), before);
}
