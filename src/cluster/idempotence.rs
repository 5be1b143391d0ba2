//! The idempotent producer's broker side: producer ids (InitProducerId) and the per-partition
//! sequence check every produce goes through, from real clients and simulated producers alike.
//!
//! A retried batch the leader already has is answered with its original offsets instead of being
//! written twice; a batch that skips sequence numbers is refused with OUT_OF_ORDER_SEQUENCE_NUMBER;
//! an older producer epoch with INVALID_PRODUCER_EPOCH.
//!
//! Kafka keeps this state in each replica's log (producer-state snapshots); the lab keeps the last
//! five batches per producer and partition here, cluster-wide, and asks whether a remembered batch
//! is still in the current leader's log before trusting it: a failover may have truncated it, and
//! then the retry must be written again.

use super::types::TopicPartition;
use std::collections::{BTreeMap, VecDeque};

/// Batches remembered per producer and partition (Kafka: 5, the most a client has in flight).
pub const REMEMBERED_BATCHES: usize = 5;
/// Producer-partition pairs remembered at most; beyond it the lowest producer ids are forgotten.
pub const PRODUCER_ENTRIES_MAX: usize = 100_000;

/// One batch a producer wrote, where, and under which leader epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Sequence of its first record.
    pub first_seq: i32,
    /// Sequence of its last record.
    pub last_seq: i32,
    /// Offset of its first record.
    pub base_offset: i64,
    /// Offset of its last record.
    pub last_offset: i64,
    /// The partition's leader epoch when it was appended: while it lasts, the batch is still there.
    pub leader_epoch: i32,
}

#[derive(Clone, Debug, Default)]
struct Entry {
    epoch: i16,
    batches: VecDeque<Written>,
}

/// What to do with an incoming idempotent batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqCheck {
    /// Write it.
    Append,
    /// Already written at these offsets: answer with them.
    Duplicate {
        /// First offset of the original.
        base_offset: i64,
        /// Last offset of the original.
        last_offset: i64,
    },
    /// A gap in the sequence: OUT_OF_ORDER_SEQUENCE_NUMBER.
    OutOfOrder,
    /// An older epoch than the producer's current one: INVALID_PRODUCER_EPOCH.
    FencedEpoch,
}

/// Producer ids handed out and the sequences each producer wrote per partition.
#[derive(Clone, Debug, Default)]
pub struct ProducerStates {
    last_id: i64,
    entries: BTreeMap<(i64, TopicPartition), Entry>,
}

impl ProducerStates {
    /// InitProducerId: a new id at epoch 0, or (KIP-360) the same id with its epoch bumped, after
    /// which its sequences start again at 0 everywhere.
    pub fn init(&mut self, current: Option<(i64, i16)>) -> (i64, i16) {
        match current {
            Some((id, epoch))
                if (1..=self.last_id).contains(&id) && (0..i16::MAX).contains(&epoch) =>
            {
                self.entries.retain(|(pid, _), _| *pid != id);
                (id, epoch + 1)
            }
            _ => {
                self.last_id += 1;
                (self.last_id, 0)
            }
        }
    }

    /// A new producer id for a `transactional.id` the transaction coordinator has not seen.
    pub fn new_id(&mut self) -> i64 {
        self.last_id += 1;
        self.last_id
    }

    /// The transaction coordinator bumped `pid` to `epoch` (InitProducerId or a timeout abort):
    /// every partition's older epoch is fenced from now on, and sequences start again at 0.
    pub fn fence(&mut self, pid: i64, epoch: i16) {
        for ((p, _), entry) in self
            .entries
            .range_mut((pid, TopicPartition::new("", i32::MIN))..)
        {
            if *p != pid {
                break;
            }
            if entry.epoch < epoch {
                entry.epoch = epoch;
                entry.batches.clear();
            }
        }
    }

    /// Checks a batch from producer `pid` at `epoch` with sequences `first_seq..=last_seq` for
    /// `tp`. `in_leader_log` says whether a remembered batch is still in the current leader's log.
    pub fn check(
        &mut self,
        tp: &TopicPartition,
        pid: i64,
        epoch: i16,
        (first_seq, last_seq): (i32, i32),
        in_leader_log: impl Fn(&Written) -> bool,
    ) -> SeqCheck {
        // No state for this producer (new, or forgotten): any sequence is accepted, as Kafka does.
        let Some(entry) = self.entries.get_mut(&(pid, tp.clone())) else {
            return SeqCheck::Append;
        };
        if epoch < entry.epoch {
            return SeqCheck::FencedEpoch;
        }
        if epoch > entry.epoch {
            // A bumped epoch starts its sequences at 0.
            return if first_seq == 0 {
                SeqCheck::Append
            } else {
                SeqCheck::OutOfOrder
            };
        }
        // A failover may have truncated the newest batches: the new leader never had them.
        while entry.batches.back().is_some_and(|w| !in_leader_log(w)) {
            entry.batches.pop_back();
        }
        if let Some(w) = entry
            .batches
            .iter()
            .find(|w| w.first_seq == first_seq && w.last_seq == last_seq)
        {
            return SeqCheck::Duplicate {
                base_offset: w.base_offset,
                last_offset: w.last_offset,
            };
        }
        match entry.batches.back() {
            Some(w) if first_seq != crate::log::batch::increment_sequence(w.last_seq, 1) => {
                SeqCheck::OutOfOrder
            }
            _ => SeqCheck::Append,
        }
    }

    /// Remembers a batch the leader appended.
    pub fn record(&mut self, tp: &TopicPartition, pid: i64, epoch: i16, written: Written) {
        let key = (pid, tp.clone());
        if self.entries.len() >= PRODUCER_ENTRIES_MAX && !self.entries.contains_key(&key) {
            // Forget the oldest producers first (lowest ids).
            self.entries.pop_first();
        }
        let entry = self.entries.entry(key).or_default();
        if epoch != entry.epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        entry.batches.push_back(written);
        while entry.batches.len() > REMEMBERED_BATCHES {
            entry.batches.pop_front();
        }
    }

    /// Forgets a deleted topic's producer-partition entries.
    pub fn forget_topic(&mut self, topic: &str) {
        self.entries.retain(|(_, tp), _| tp.topic != topic);
    }

    /// Producer-partition pairs remembered, to check the bound.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> TopicPartition {
        TopicPartition::new("t", 0)
    }

    fn written(first_seq: i32, last_seq: i32, base_offset: i64) -> Written {
        Written {
            first_seq,
            last_seq,
            base_offset,
            last_offset: base_offset + i64::from(last_seq - first_seq),
            leader_epoch: 0,
        }
    }

    /// Producer 1 wrote sequences 0..=9 as two batches at offsets 0 and 5.
    fn with_two_batches() -> (ProducerStates, i64) {
        let mut s = ProducerStates::default();
        let (pid, epoch) = s.init(None);
        s.record(&tp(), pid, epoch, written(0, 4, 0));
        s.record(&tp(), pid, epoch, written(5, 9, 5));
        (s, pid)
    }

    #[test]
    fn next_sequence_is_appended_a_retry_is_a_duplicate_a_gap_is_out_of_order() {
        let (mut s, pid) = with_two_batches();
        let all_there = |_: &Written| true;
        assert_eq!(
            s.check(&tp(), pid, 0, (10, 14), all_there),
            SeqCheck::Append
        );
        assert_eq!(
            s.check(&tp(), pid, 0, (0, 4), all_there),
            SeqCheck::Duplicate {
                base_offset: 0,
                last_offset: 4
            }
        );
        assert_eq!(
            s.check(&tp(), pid, 0, (11, 14), all_there),
            SeqCheck::OutOfOrder
        );
        assert_eq!(
            s.check(&tp(), 99, 0, (7, 9), all_there),
            SeqCheck::Append,
            "a producer the partition has no state for may start anywhere"
        );
    }

    #[test]
    fn after_i32_max_the_next_sequence_is_zero() {
        let mut s = ProducerStates::default();
        let (pid, epoch) = s.init(None);
        s.record(&tp(), pid, epoch, written(i32::MAX - 4, i32::MAX, 0));
        let all_there = |_: &Written| true;
        assert_eq!(
            s.check(&tp(), pid, epoch, (0, 4), all_there),
            SeqCheck::Append
        );
        assert_eq!(
            s.check(&tp(), pid, epoch, (i32::MIN, i32::MIN + 4), all_there),
            SeqCheck::OutOfOrder
        );
    }

    #[test]
    fn a_batch_truncated_by_failover_is_written_again_and_a_later_one_waits() {
        let (mut s, pid) = with_two_batches();
        // The new leader has offsets 0..5 only: the second batch was lost with the old leader.
        let new_leader = |w: &Written| w.last_offset < 5;
        assert_eq!(
            s.check(&tp(), pid, 0, (5, 9), new_leader),
            SeqCheck::Append,
            "the retry of the lost batch is written"
        );
        let (mut s, pid) = with_two_batches();
        assert_eq!(
            s.check(&tp(), pid, 0, (10, 14), new_leader),
            SeqCheck::OutOfOrder,
            "the batch after the lost one must wait for it"
        );
    }

    #[test]
    fn epochs_fence_older_ones_and_restart_sequences() {
        let (mut s, pid) = with_two_batches();
        let (same, bumped) = s.init(Some((pid, 0)));
        assert_eq!((same, bumped), (pid, 1));
        s.record(&tp(), pid, 1, written(0, 0, 10));
        let all_there = |_: &Written| true;
        assert_eq!(
            s.check(&tp(), pid, 0, (10, 10), all_there),
            SeqCheck::FencedEpoch
        );
        assert_eq!(
            s.check(&tp(), pid, 2, (3, 3), all_there),
            SeqCheck::OutOfOrder
        );
        assert_eq!(s.check(&tp(), pid, 2, (0, 0), all_there), SeqCheck::Append);
        assert_ne!(
            s.init(Some((pid + 50, 0))).0,
            pid + 50,
            "unknown ids get new ones"
        );
    }

    #[test]
    fn five_batches_are_remembered_and_entries_are_bounded() {
        let mut s = ProducerStates::default();
        let (pid, _) = s.init(None);
        for i in 0..8 {
            s.record(&tp(), pid, 0, written(i, i, i64::from(i)));
        }
        let all_there = |_: &Written| true;
        assert_eq!(
            s.check(&tp(), pid, 0, (3, 3), all_there),
            SeqCheck::Duplicate {
                base_offset: 3,
                last_offset: 3
            }
        );
        assert_eq!(
            s.check(&tp(), pid, 0, (2, 2), all_there),
            SeqCheck::OutOfOrder
        );
        for p in 0..(PRODUCER_ENTRIES_MAX as i64 + 3) {
            s.record(&TopicPartition::new("u", 0), p + 10, 0, written(0, 0, 0));
        }
        assert_eq!(s.len(), PRODUCER_ENTRIES_MAX);
    }
}
