//! What a consumer hands its application from fetched records, as Kafka's fetcher decides it:
//! control records (COMMIT/ABORT markers) never, and with `isolation.level=read_committed` no
//! record of a transaction the fetch response lists as aborted.

use crate::log::txn_index::AbortedTxn;
use kafka_protocol::records::Record;
use std::collections::BTreeSet;

/// The records an application sees, in offset order. `aborted` is the fetch response's list;
/// a producer's records are skipped from its aborted transaction's first offset until its ABORT
/// marker, as the Java consumer does (it walks the list sorted by first offset).
pub fn visible_records(
    records: Vec<Record>,
    aborted: &[AbortedTxn],
    read_committed: bool,
) -> Vec<Record> {
    let mut pending: Vec<AbortedTxn> = if read_committed {
        aborted.to_vec()
    } else {
        Vec::new()
    };
    pending.sort_by_key(|a| std::cmp::Reverse(a.first_offset));
    let mut active: BTreeSet<i64> = BTreeSet::new();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        while pending.last().is_some_and(|a| a.first_offset <= r.offset) {
            if let Some(a) = pending.pop() {
                active.insert(a.producer_id);
            }
        }
        if r.control {
            // An ABORT (or COMMIT) marker ends whatever of this producer was being skipped.
            active.remove(&r.producer_id);
            continue;
        }
        if r.transactional && active.contains(&r.producer_id) {
            continue;
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::batch::{
        ControlType, ProducerStamp, decode_records, encode_control_batch,
        encode_transactional_records,
    };
    use crate::log::{LogConfig, PartitionLog};
    use bytes::Bytes;

    #[test]
    fn read_committed_drops_aborted_records_and_markers_read_uncommitted_only_markers() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = PartitionLog::open(dir.path(), LogConfig::default(), 0).unwrap();
        let txn = |pid: i64, v: &str| {
            let stamp = ProducerStamp {
                producer_id: pid,
                producer_epoch: 0,
                base_sequence: 0,
            };
            encode_transactional_records(&[(None, Some(Bytes::from(v.to_string())), 0)], 0, stamp)
                .unwrap()
        };
        log.append_as_leader(&txn(1, "a1"), 0, 0).unwrap();
        log.append_as_leader(&txn(2, "c1"), 0, 0).unwrap();
        log.append_records(&[(None, Some(Bytes::from("plain")), 0)], 0, 0)
            .unwrap();
        for (pid, m) in [(1, ControlType::Abort), (2, ControlType::Commit)] {
            let b = encode_control_batch(pid, 0, m, 0, 0).unwrap();
            log.append_as_leader(&b, 0, 0).unwrap();
        }
        let end = log.log_end_offset();
        let fetched = log.read(0, 1 << 20, end).unwrap();
        let aborted = log.aborted_transactions(0, end);
        let values = |committed: bool| -> Vec<String> {
            let recs = decode_records(&fetched.bytes).unwrap();
            visible_records(recs, &aborted, committed)
                .into_iter()
                .map(|r| String::from_utf8_lossy(&r.value.unwrap()).into_owned())
                .collect()
        };
        assert_eq!(values(true), ["c1", "plain"]);
        assert_eq!(values(false), ["a1", "c1", "plain"]);
    }
}
