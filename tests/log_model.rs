//! Property test: random appends, reads, truncations, rolls, retention passes, reopenings and tail
//! damage, checked against a simple in-memory model of the log.

use bytes::Bytes;
use kafka_lab::log::{LogConfig, PartitionLog};
use proptest::prelude::*;
use std::fs::OpenOptions;
use std::path::Path;

#[derive(Clone, Debug)]
enum Op {
    Append { records: usize, size: usize },
    Read { at: u8, max_bytes: usize },
    Truncate { at: u8 },
    Roll,
    Retention,
    Reopen,
    CutTail { bytes: usize },
    FlipTail { back: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1usize..20, 1usize..300).prop_map(|(records, size)| Op::Append { records, size }),
        4 => (any::<u8>(), 1usize..4000).prop_map(|(at, max_bytes)| Op::Read { at, max_bytes }),
        1 => any::<u8>().prop_map(|at| Op::Truncate { at }),
        1 => Just(Op::Roll),
        1 => Just(Op::Retention),
        1 => Just(Op::Reopen),
        1 => (1usize..200).prop_map(|bytes| Op::CutTail { bytes }),
        1 => (1usize..200).prop_map(|back| Op::FlipTail { back }),
    ]
}

fn config() -> LogConfig {
    LogConfig {
        segment_bytes: 3_000,
        retention_bytes: 9_000,
        index_interval_bytes: 500,
        ..LogConfig::default()
    }
}

fn active_segment(dir: &Path) -> Option<std::path::PathBuf> {
    let mut logs: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs.pop()
}

/// Every record of the log, read back through `read_records` in chunks.
fn all_records(log: &PartitionLog) -> Vec<(i64, Vec<u8>)> {
    let mut out = Vec::new();
    let leo = log.log_end_offset();
    let mut offset = log.log_start_offset();
    while offset < leo {
        let recs = log.read_records(offset, 777, leo).expect("read");
        assert!(
            !recs.is_empty(),
            "read at {offset} below LEO {leo} returned nothing"
        );
        for r in recs {
            out.push((r.offset, r.value.unwrap().to_vec()));
            offset = r.offset + 1;
        }
    }
    out
}

proptest! {
    // 256 cases by default; PROPTEST_CASES changes it.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn log_matches_model(ops in prop::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = PartitionLog::open(dir.path(), config(), 0).unwrap();
        // The model: every record still in the log, in offset order.
        let mut model: Vec<(i64, Vec<u8>)> = Vec::new();
        let mut counter = 0u64;
        for op in ops {
            match op {
                Op::Append { records, size } => {
                    let base = log.log_end_offset();
                    let recs: Vec<_> = (0..records).map(|_| {
                        counter += 1;
                        let mut v = format!("r{counter}-").into_bytes();
                        v.resize(size.max(v.len()), b'x');
                        (None, Some(Bytes::from(v)), counter as i64)
                    }).collect();
                    let info = log.append_records(&recs, 0, 0).unwrap();
                    prop_assert_eq!(info.base_offset, base);
                    prop_assert_eq!(info.last_offset, base + records as i64 - 1);
                    for (i, (_, v, _)) in recs.into_iter().enumerate() {
                        model.push((base + i as i64, v.unwrap().to_vec()));
                    }
                }
                Op::Read { at, max_bytes } => {
                    let start = log.log_start_offset();
                    let leo = log.log_end_offset();
                    let offset = start + (at as i64 * (leo - start + 1)) / 256;
                    let recs = log.read_records(offset, max_bytes, leo).unwrap();
                    let want: Vec<_> = model.iter().filter(|(o, _)| *o >= offset).collect();
                    prop_assert!(offset == leo || !recs.is_empty());
                    for (r, w) in recs.iter().zip(want.iter()) {
                        prop_assert_eq!(r.offset, w.0);
                        prop_assert_eq!(&r.value.as_ref().unwrap()[..], &w.1[..]);
                    }
                }
                Op::Truncate { at } => {
                    let start = log.log_start_offset();
                    let leo = log.log_end_offset();
                    let target = start + (at as i64 * (leo - start)) / 256;
                    log.truncate_to(target).unwrap();
                    // Truncation happens at batch boundaries: the new LEO is at most the target.
                    let new_leo = log.log_end_offset();
                    prop_assert!(new_leo <= target.max(start));
                    model.retain(|(o, _)| *o < new_leo);
                }
                Op::Roll => { log.roll(0).unwrap(); }
                Op::Retention => {
                    let (_, start) = log.apply_retention(0).unwrap();
                    model.retain(|(o, _)| *o >= start);
                }
                Op::Reopen => {
                    drop(log);
                    let (l, report) = PartitionLog::open(dir.path(), config(), 0).unwrap();
                    prop_assert_eq!(report.bytes_truncated, 0);
                    log = l;
                }
                Op::CutTail { bytes } => {
                    drop(log);
                    if let Some(seg) = active_segment(dir.path()) {
                        let len = std::fs::metadata(&seg).unwrap().len();
                        OpenOptions::new().write(true).open(&seg).unwrap()
                            .set_len(len.saturating_sub(bytes as u64)).unwrap();
                    }
                    log = PartitionLog::open(dir.path(), config(), 0).unwrap().0;
                    let leo = log.log_end_offset();
                    model.retain(|(o, _)| *o < leo);
                }
                Op::FlipTail { back } => {
                    drop(log);
                    if let Some(seg) = active_segment(dir.path()) {
                        let mut data = std::fs::read(&seg).unwrap();
                        if !data.is_empty() {
                            let i = data.len().saturating_sub(back.min(data.len()));
                            data[i] ^= 0xa5;
                            std::fs::write(&seg, &data).unwrap();
                        }
                    }
                    log = PartitionLog::open(dir.path(), config(), 0).unwrap().0;
                    let leo = log.log_end_offset();
                    model.retain(|(o, _)| *o < leo);
                }
            }
            // After every operation the log holds exactly the model (a prefix of what was
            // appended, minus what retention deleted).
            let got = all_records(&log);
            prop_assert_eq!(got.len(), model.len());
            prop_assert!(got == model, "log diverged from model");
        }
    }
}
