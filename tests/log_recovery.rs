//! Crash-recovery scenarios of the partition log: damaged files are truncated or rebuilt on reopen,
//! and a corrupt batch is never served.

mod common;

use bytes::Bytes;
use common::log_records::{values, write_records};
use kafka_lab::log::{LogConfig, LogError, PartitionLog};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 2_000,
        index_interval_bytes: 256,
        ..LogConfig::default()
    }
}

fn segment_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn torn_tail_is_truncated_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    write_records(&mut log, 10, 5, "value");
    let before = values(&log);
    drop(log);
    let seg = &segment_files(dir.path(), "log")[0];
    let len = std::fs::metadata(seg).unwrap().len();
    // A crash in the middle of the last write: 7 bytes of it are missing.
    OpenOptions::new()
        .write(true)
        .open(seg)
        .unwrap()
        .set_len(len - 7)
        .unwrap();
    let (log, report) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    assert!(report.bytes_truncated > 0);
    assert_eq!(log.log_end_offset(), 45);
    assert_eq!(values(&log), before[..45].to_vec());
    // The file itself was cut back to the last whole batch.
    assert!(std::fs::metadata(seg).unwrap().len() < len - 7);
}

#[test]
fn missing_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    write_records(&mut log, 40, 3, "value");
    let before = values(&log);
    drop(log);
    for idx in segment_files(dir.path(), "index") {
        std::fs::remove_file(idx).unwrap();
    }
    let (log, report) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    assert!(report.indexes_rebuilt >= 1);
    assert_eq!(report.bytes_truncated, 0);
    assert_eq!(values(&log), before);
    assert!(!segment_files(dir.path(), "index").is_empty());
}

#[test]
fn corrupt_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    write_records(&mut log, 40, 3, "value");
    let before = values(&log);
    drop(log);
    for idx in segment_files(dir.path(), "index") {
        std::fs::write(&idx, [0xffu8; 13]).unwrap();
    }
    let (log, report) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    assert!(report.indexes_rebuilt >= 1);
    assert_eq!(values(&log), before);
    // Reads from the middle use the rebuilt index and still land on the right batch.
    let recs = log.read_records(50, 1 << 20, log.log_end_offset()).unwrap();
    assert_eq!(recs[0].offset, 50);
}

#[test]
fn corrupt_batch_in_middle_truncates_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    write_records(&mut log, 10, 4, "value");
    let before = values(&log);
    drop(log);
    let seg = &segment_files(dir.path(), "log")[0];
    let mut data = std::fs::read(seg).unwrap();
    let batch_len = data.len() / 10;
    data[batch_len * 4 + 70] ^= 0x55; // inside the 5th batch's records
    std::fs::write(seg, &data).unwrap();
    let (log, report) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    assert_eq!(log.log_end_offset(), 16);
    assert_eq!(
        report.records_truncated, 24,
        "the damaged batch and the 5 after it held 24 records"
    );
    assert_eq!(values(&log), before[..16].to_vec());
}

#[test]
fn corrupt_batch_is_never_returned() {
    let dir = tempfile::tempdir().unwrap();
    // Without the tail cache: this test damages files under an open log, and the cache would
    // (rightly) serve the newest batches from memory exactly as they were written.
    let no_cache = LogConfig {
        tail_cache_bytes: 0,
        ..small_segments()
    };
    let (mut log, _) = PartitionLog::open(dir.path(), no_cache, 0).unwrap();
    write_records(&mut log, 60, 3, "value");
    assert!(log.segment_count() > 2);
    // Damage a closed segment while the log is open: recovery never sees it, so reads must catch it.
    let first = segment_files(dir.path(), "log")[0].clone();
    let mut data = std::fs::read(&first).unwrap();
    let n = data.len();
    data[n / 2] ^= 0xff;
    std::fs::write(&first, &data).unwrap();
    let leo = log.log_end_offset();
    let mut served = Vec::new();
    let mut offset = 0;
    let mut saw_error = false;
    while offset < leo {
        match log.read_records(offset, 1 << 20, leo) {
            Ok(recs) if !recs.is_empty() => {
                for r in &recs {
                    served.push(String::from_utf8_lossy(r.value.as_ref().unwrap()).into_owned());
                }
                offset = recs.last().unwrap().offset + 1;
            }
            Ok(_) => break,
            Err(LogError::CorruptBatch { path, .. }) => {
                assert_eq!(path, first);
                saw_error = true;
                break;
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(saw_error, "the damaged batch must be reported, not served");
    // Everything served is genuine.
    for (i, v) in served.iter().enumerate() {
        assert_eq!(v, &format!("value-{}-{}", i / 3, i % 3));
    }
    // And a reopen truncates at the damage instead of serving past it.
    drop(log);
    let (log, report) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    assert!(report.bytes_truncated > 0);
    assert!(log.log_end_offset() < leo);
    for (i, (_, v)) in values(&log).iter().enumerate() {
        assert_eq!(v, &format!("value-{}-{}", i / 3, i % 3));
    }
}

#[test]
fn stray_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    write_records(&mut log, 3, 3, "value");
    drop(log);
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    std::fs::write(dir.path().join("123.log"), "short name, not a segment").unwrap();
    std::fs::create_dir(dir.path().join("00000000000000000099.log.d")).unwrap();
    let (log, report) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    assert_eq!(report.bytes_truncated, 0);
    assert_eq!(log.log_end_offset(), 9);
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn garbage_segment_file_recovers_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("00000000000000000000.log"),
        (0..5000u32)
            .map(|i| (i * 7919 % 256) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let (mut log, report) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    assert_eq!(report.bytes_truncated, 5000);
    assert_eq!(log.log_end_offset(), 0);
    write_records(&mut log, 1, 2, "value");
    assert_eq!(values(&log).len(), 2);
}

#[test]
fn unreadable_dir_gives_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = PartitionLog::open(&file, LogConfig::default(), 0).unwrap_err();
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}

#[test]
fn gap_between_segments_drops_what_follows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    write_records(&mut log, 60, 3, "value");
    let segs = segment_files(dir.path(), "log");
    assert!(segs.len() >= 3);
    drop(log);
    std::fs::remove_file(&segs[1]).unwrap();
    let (log, report) = PartitionLog::open(dir.path(), small_segments(), 0).unwrap();
    assert!(report.bytes_truncated > 0);
    assert_eq!(log.segment_count(), 1);
    let v = values(&log);
    assert!(v.iter().enumerate().all(|(i, (o, _))| *o == i as i64));
}

#[test]
fn producer_input_with_bad_crc_is_rejected_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
    let good = kafka_lab::log::batch::encode_batch(&[(None, Bytes::from("a"), 1)]);
    let mut bad = good.to_vec();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let mut both = good.to_vec();
    both.extend_from_slice(&bad);
    assert!(matches!(
        log.append_as_leader(&both, 0, 0),
        Err(LogError::CorruptBatch { .. })
    ));
    assert_eq!(
        log.log_end_offset(),
        0,
        "nothing of a rejected request is appended"
    );
    assert!(log.append_as_leader(&[1, 2, 3], 0, 0).is_err());
}
