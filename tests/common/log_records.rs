//! Records for the partition-log tests: keyed batches written with known values, and every value
//! read back with its offset.

use bytes::Bytes;
use kafka_lab::log::PartitionLog;

/// Appends `batches` batches of `per_batch` records, keyed `k<b>`, valued `<tag>-<b>-<i>`.
pub fn write_records(log: &mut PartitionLog, batches: usize, per_batch: usize, tag: &str) {
    for b in 0..batches {
        let recs: Vec<_> = (0..per_batch)
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

/// Every record from the log start to the LEO: (offset, value).
pub fn values(log: &PartitionLog) -> Vec<(i64, String)> {
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
