//! The transaction index (`.txnindex`) beside each segment, and the open transactions of a log.
//!
//! Kafka keeps, per segment, one entry for every transaction aborted in it (its ABORT marker lies
//! in the segment): which producer, the offsets its records span in this partition, and the LSO
//! after the abort. A `read_committed` fetch sends the entries overlapping what it returns, so the
//! client can drop those records. Each entry is 34 big-endian bytes:
//!
//! | bytes  | field                 |
//! |--------|-----------------------|
//! | 0..2   | version i16 (0)       |
//! | 2..10  | producerId i64        |
//! | 10..18 | firstOffset i64       |
//! | 18..26 | lastOffset i64        |
//! | 26..34 | lastStableOffset i64  |
//!
//! Like the offset index it is derived data: recovery rebuilds it from the batches and rewrites
//! the file when it differs. The open transactions (producer → first offset of its records since
//! its last marker) give the log's first unstable offset, from which the leader computes the LSO.

use super::batch::{BatchHeader, ControlType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bytes of one `.txnindex` entry.
pub const ENTRY_LEN: usize = 34;
/// The newest markers a log remembers for display (the replica-log view), oldest dropped.
pub const RECENT_MARKERS_MAX: usize = 32;

/// One aborted transaction in one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    /// The producer whose transaction was aborted.
    pub producer_id: i64,
    /// Offset of its first record in this partition.
    pub first_offset: i64,
    /// Offset of the ABORT marker.
    pub last_offset: i64,
    /// The partition's first unstable offset right after the abort.
    pub last_stable_offset: i64,
}

/// The `.txnindex` path of the segment starting at `base_offset`.
pub fn path(dir: &Path, base_offset: i64) -> PathBuf {
    dir.join(format!(
        "{}.txnindex",
        super::segment::file_stem(base_offset)
    ))
}

/// Encodes entries as they are stored.
pub fn encode(entries: &[AbortedTxn]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY_LEN);
    for e in entries {
        out.extend_from_slice(&0i16.to_be_bytes());
        out.extend_from_slice(&e.producer_id.to_be_bytes());
        out.extend_from_slice(&e.first_offset.to_be_bytes());
        out.extend_from_slice(&e.last_offset.to_be_bytes());
        out.extend_from_slice(&e.last_stable_offset.to_be_bytes());
    }
    out
}

/// Decodes whole entries (a torn last entry is ignored).
pub fn decode(bytes: &[u8]) -> Vec<AbortedTxn> {
    let field = |c: &[u8], at: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&c[at..at + 8]);
        i64::from_be_bytes(a)
    };
    bytes
        .chunks_exact(ENTRY_LEN)
        .map(|c| AbortedTxn {
            producer_id: field(c, 2),
            first_offset: field(c, 10),
            last_offset: field(c, 18),
            last_stable_offset: field(c, 26),
        })
        .collect()
}

/// What a log knows about transactions: the open ones and the aborted ones per segment.
///
/// Bounded by the log itself: one open entry per producer with records after its last marker in
/// this partition, one aborted entry per ABORT marker still on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxnState {
    /// Producer id → first offset of its open transaction here.
    open: BTreeMap<i64, i64>,
    /// Segment base offset → the transactions aborted by markers in that segment.
    aborted: BTreeMap<i64, Vec<AbortedTxn>>,
    /// The newest markers: (offset, COMMIT?), at most [`RECENT_MARKERS_MAX`].
    markers: std::collections::VecDeque<(i64, bool)>,
}

impl TxnState {
    /// Takes one batch appended in the segment starting at `segment_base`; returns the aborted
    /// entry it completes, if it is an ABORT marker closing an open transaction.
    pub fn observe(
        &mut self,
        segment_base: i64,
        h: &BatchHeader,
        marker: Option<ControlType>,
    ) -> Option<AbortedTxn> {
        if !h.is_transactional() || h.producer_id < 0 {
            return None;
        }
        if !h.is_control() {
            self.open.entry(h.producer_id).or_insert(h.base_offset);
            return None;
        }
        if let Some(m) = marker {
            self.markers
                .push_back((h.last_offset, m == ControlType::Commit));
            while self.markers.len() > RECENT_MARKERS_MAX {
                self.markers.pop_front();
            }
        }
        // A marker for a producer with nothing open here closes nothing (Kafka writes markers
        // to every partition the coordinator knows, written to or not).
        let first = self.open.remove(&h.producer_id)?;
        if marker != Some(ControlType::Abort) {
            return None;
        }
        let entry = AbortedTxn {
            producer_id: h.producer_id,
            first_offset: first,
            last_offset: h.last_offset,
            last_stable_offset: self.first_unstable_offset().unwrap_or(h.last_offset + 1),
        };
        self.aborted.entry(segment_base).or_default().push(entry);
        Some(entry)
    }

    /// The first offset of the oldest open transaction: the LSO cannot pass it.
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.open.values().copied().min()
    }

    /// Open transactions: (producer id, first offset here).
    pub fn open(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.open.iter().map(|(p, o)| (*p, *o))
    }

    /// Aborted transactions that overlap offsets `[from, upper)`, oldest first: what a
    /// `read_committed` fetch returning that range sends along.
    pub fn aborted_between(&self, from: i64, upper: i64) -> Vec<AbortedTxn> {
        let mut out: Vec<AbortedTxn> = self
            .aborted
            .values()
            .flatten()
            .filter(|a| a.last_offset >= from && a.first_offset < upper)
            .copied()
            .collect();
        out.sort_by_key(|a| a.first_offset);
        out
    }

    /// The aborted entries of one segment, as its `.txnindex` holds them.
    pub fn segment_entries(&self, segment_base: i64) -> &[AbortedTxn] {
        self.aborted
            .get(&segment_base)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Forgets a deleted segment's entries.
    pub fn drop_segment(&mut self, segment_base: i64) {
        self.aborted.remove(&segment_base);
    }

    /// The newest markers, oldest first: (offset, whether it is a COMMIT).
    pub fn recent_markers(&self) -> impl Iterator<Item = (i64, bool)> + '_ {
        self.markers.iter().copied()
    }

    /// Whether the log has seen nothing transactional (then truncation cannot change this state).
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.aborted.is_empty() && self.markers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::batch::{CONTROL_FLAG, TRANSACTIONAL_FLAG};

    fn batch(pid: i64, base: i64, last: i64, control: bool) -> BatchHeader {
        BatchHeader {
            base_offset: base,
            total_len: 70,
            leader_epoch: 0,
            last_offset: last,
            max_timestamp: 0,
            base_timestamp: 0,
            producer_id: pid,
            producer_epoch: 0,
            base_sequence: if control { -1 } else { 0 },
            record_count: (last - base + 1) as i32,
            attributes: TRANSACTIONAL_FLAG | if control { CONTROL_FLAG } else { 0 },
        }
    }

    #[test]
    fn open_transactions_hold_the_first_unstable_offset_and_aborts_are_indexed() {
        let mut t = TxnState::default();
        assert_eq!(t.observe(0, &batch(1, 0, 4, false), None), None);
        t.observe(0, &batch(2, 5, 6, false), None);
        t.observe(0, &batch(1, 7, 9, false), None);
        assert_eq!(t.first_unstable_offset(), Some(0));
        assert_eq!(
            t.observe(0, &batch(1, 10, 10, true), Some(ControlType::Commit)),
            None
        );
        assert_eq!(t.first_unstable_offset(), Some(5));
        let aborted = t
            .observe(0, &batch(2, 11, 11, true), Some(ControlType::Abort))
            .unwrap();
        assert_eq!((aborted.first_offset, aborted.last_offset), (5, 11));
        assert_eq!(aborted.last_stable_offset, 12);
        assert_eq!(t.first_unstable_offset(), None);
        assert_eq!(t.aborted_between(0, 5), vec![]);
        assert_eq!(t.aborted_between(0, 6), vec![aborted]);
        assert_eq!(t.aborted_between(12, 20), vec![]);
        assert_eq!(decode(&encode(&[aborted])), vec![aborted]);
        assert_eq!(
            t.recent_markers().collect::<Vec<_>>(),
            [(10, true), (11, false)]
        );
        t.drop_segment(0);
        assert_eq!(t.first_unstable_offset(), None);
    }

    #[test]
    fn plain_batches_and_stray_markers_change_nothing() {
        let mut t = TxnState::default();
        let mut plain = batch(1, 0, 0, false);
        plain.attributes = 0;
        t.observe(0, &plain, None);
        t.observe(0, &batch(3, 1, 1, true), Some(ControlType::Abort));
        assert_eq!(t.first_unstable_offset(), None);
        assert_eq!(t.aborted_between(0, 10), vec![]);
        assert_eq!(decode(&[1, 2, 3]), vec![]);
    }
}
