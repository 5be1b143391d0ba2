//! Transactions in the log: the open ones (which hold the LSO back) and the `.txnindex` of
//! aborted ones beside each segment, kept on append and rebuilt from the batches on recovery
//! and after truncation.

use super::PartitionLog;
use crate::log::batch::{self, BatchHeader};
use crate::log::error::{LogError, io_err};
use crate::log::txn_index::{self, AbortedTxn, TxnState};
use std::io::Write;

impl PartitionLog {
    /// Takes appended batches (`bytes` holds them at the headers' positions) into the
    /// transaction state, appending an entry to the active segment's `.txnindex` for each abort.
    pub(super) fn observe_txns(
        &mut self,
        bytes: &[u8],
        headers: &[(usize, BatchHeader)],
    ) -> Result<(), LogError> {
        let base = self.active_ref().base_offset;
        for (pos, h) in headers {
            if !h.is_transactional() {
                continue;
            }
            let marker = h
                .is_control()
                .then(|| {
                    bytes
                        .get(*pos..*pos + h.total_len)
                        .and_then(batch::control_type)
                })
                .flatten();
            if let Some(entry) = self.txns.observe(base, h, marker) {
                let path = txn_index::path(&self.dir, base);
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(io_err(&path))?;
                f.write_all(&txn_index::encode(&[entry]))
                    .map_err(io_err(&path))?;
            }
        }
        Ok(())
    }

    /// Rebuilds the transaction state from every batch and rewrites each segment's `.txnindex`
    /// that differs (missing, torn, or left from a longer log); returns how many were rewritten.
    pub(super) fn rebuild_txns(&mut self) -> Result<usize, LogError> {
        let mut state = TxnState::default();
        for seg in self.segments.values() {
            let mut pos = 0;
            while let Some(h) = seg.header_at(pos)? {
                if h.is_transactional() {
                    let marker = if h.is_control() {
                        batch::control_type(&seg.read_at(pos, h.total_len)?)
                    } else {
                        None
                    };
                    state.observe(seg.base_offset, &h, marker);
                }
                pos += h.total_len as u64;
            }
        }
        let mut rewritten = 0;
        for base in self.segments.keys() {
            let path = txn_index::path(&self.dir, *base);
            let want = txn_index::encode(state.segment_entries(*base));
            let have = std::fs::read(&path).ok();
            // No file and no entries is the common case: a log without aborts has no .txnindex.
            let same = match &have {
                Some(h) => *h == want,
                None => want.is_empty(),
            };
            if !same {
                // By rename: a fork may share the old file by a hard link.
                crate::log::shared_files::replace(&path, &want)?;
                rewritten += 1;
            }
        }
        self.txns = state;
        Ok(rewritten)
    }

    /// The first offset of the oldest open transaction, if any: the leader's LSO is the
    /// smaller of it and the HW.
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.txns.first_unstable_offset()
    }

    /// Open transactions in this log: (producer id, offset of its first record here).
    pub fn open_transactions(&self) -> Vec<(i64, i64)> {
        self.txns.open().collect()
    }

    /// The newest COMMIT/ABORT markers in this log: (offset, whether it is a COMMIT).
    pub fn recent_markers(&self) -> Vec<(i64, bool)> {
        self.txns.recent_markers().collect()
    }

    /// Aborted transactions overlapping offsets `[from, upper)`, oldest first.
    pub fn aborted_transactions(&self, from: i64, upper: i64) -> Vec<AbortedTxn> {
        self.txns.aborted_between(from, upper)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogConfig;
    use crate::log::batch::{ControlType, ProducerStamp};
    use bytes::Bytes;

    fn txn_batch(pid: i64, seq: i32, n: usize) -> Bytes {
        let recs: Vec<_> = (0..n)
            .map(|i| (None, Some(Bytes::from(format!("v{i}"))), i as i64))
            .collect();
        let stamp = ProducerStamp {
            producer_id: pid,
            producer_epoch: 0,
            base_sequence: seq,
        };
        batch::encode_transactional_records(&recs, 0, stamp).unwrap()
    }

    fn marker(pid: i64, m: ControlType) -> Bytes {
        batch::encode_control_batch(pid, 0, m, 0, 0).unwrap()
    }

    #[test]
    fn aborts_are_indexed_beside_the_segment_and_recovered_after_damage_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("t-0");
        let (mut log, _) = PartitionLog::open(&d, LogConfig::default(), 0).unwrap();
        log.append_as_leader(&txn_batch(1, 0, 3), 0, 0).unwrap(); // 0..=2
        log.append_as_leader(&txn_batch(2, 0, 2), 0, 0).unwrap(); // 3..=4
        assert_eq!(log.first_unstable_offset(), Some(0));
        log.append_as_leader(&marker(1, ControlType::Abort), 0, 0)
            .unwrap(); // 5
        assert_eq!(log.first_unstable_offset(), Some(3));
        log.append_as_leader(&marker(2, ControlType::Commit), 0, 0)
            .unwrap(); // 6
        assert_eq!(log.first_unstable_offset(), None);
        let aborted = log.aborted_transactions(0, 7);
        assert_eq!(aborted.len(), 1);
        assert_eq!((aborted[0].first_offset, aborted[0].last_offset), (0, 5));
        let file = txn_index::path(&d, 0);
        assert_eq!(std::fs::read(&file).unwrap().len(), txn_index::ENTRY_LEN);
        log.append_as_leader(&txn_batch(3, 0, 1), 0, 0).unwrap(); // 7, left open
        drop(log);

        // A lost .txnindex is rebuilt from the batches, and the open transaction is found again.
        std::fs::remove_file(&file).unwrap();
        let (mut log, report) = PartitionLog::open(&d, LogConfig::default(), 0).unwrap();
        assert!(report.indexes_rebuilt >= 1);
        assert_eq!(log.aborted_transactions(0, 8), aborted);
        assert_eq!(log.first_unstable_offset(), Some(7));
        assert_eq!(std::fs::read(&file).unwrap().len(), txn_index::ENTRY_LEN);

        // Cutting the abort marker reopens that transaction and empties the index.
        log.truncate_to(5).unwrap();
        assert_eq!(log.first_unstable_offset(), Some(0));
        assert_eq!(log.aborted_transactions(0, 8), vec![]);
        assert!(std::fs::read(&file).unwrap().is_empty());
    }
}
