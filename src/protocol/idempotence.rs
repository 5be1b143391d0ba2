//! The idempotent producer: producer ids from InitProducerId and per-partition sequence checks.
//! A retried batch the leader already has is answered with its original offsets instead of being
//! written twice; a batch that skips sequence numbers is rejected with OUT_OF_ORDER_SEQUENCE_NUMBER.
//!
//! Kafka keeps this state in the log (snapshots of producer state per partition); the lab keeps
//! the last five batches per producer and partition here, and checks a remembered batch is still
//! in the current leader's log before calling a retry a duplicate (a failover may have truncated
//! it, and then the retry must be written).

use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use crate::log::batch::parse_header;
use std::collections::{BTreeMap, VecDeque};

/// Batches remembered per producer and partition (Kafka: 5, the most a client has in flight).
const REMEMBERED_BATCHES: usize = 5;
/// Producer-partition pairs remembered at most.
const MAX_ENTRIES: usize = 100_000;

/// One batch a producer wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Written {
    first_seq: i32,
    last_seq: i32,
    base_offset: i64,
    last_offset: i64,
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
    /// A gap: OUT_OF_ORDER_SEQUENCE_NUMBER.
    OutOfOrder,
    /// An older epoch than the producer's current one: INVALID_PRODUCER_EPOCH.
    FencedEpoch,
}

/// Kafka's INVALID_PRODUCER_EPOCH.
pub const INVALID_PRODUCER_EPOCH: i16 = 47;
/// Kafka's OUT_OF_ORDER_SEQUENCE_NUMBER.
pub const OUT_OF_ORDER_SEQUENCE_NUMBER: i16 = 45;

/// Producer ids handed out and sequence numbers seen.
#[derive(Clone, Debug, Default)]
pub struct ProducerState {
    last_id: i64,
    entries: BTreeMap<(i64, TopicPartition), Entry>,
}

impl ProducerState {
    /// InitProducerId: a new id at epoch 0, or (KIP-360) the same id with its epoch bumped.
    pub fn init(&mut self, current: Option<(i64, i16)>) -> (i64, i16) {
        match current {
            Some((id, epoch))
                if (0..=self.last_id).contains(&id) && (0..i16::MAX).contains(&epoch) =>
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

    /// Checks a batch from producer `pid` at `epoch` with sequences `first_seq..=last_seq`,
    /// sent to the current leader of `tp`.
    pub fn check(
        &mut self,
        cluster: &Cluster,
        tp: &TopicPartition,
        pid: i64,
        epoch: i16,
        first_seq: i32,
        last_seq: i32,
    ) -> SeqCheck {
        let key = (pid, tp.clone());
        let Some(entry) = self.entries.get_mut(&key) else {
            return SeqCheck::Append;
        };
        if epoch < entry.epoch {
            return SeqCheck::FencedEpoch;
        }
        if epoch > entry.epoch {
            // A bumped epoch restarts sequences at 0.
            entry.epoch = epoch;
            entry.batches.clear();
            return SeqCheck::Append;
        }
        if let Some(i) = entry
            .batches
            .iter()
            .position(|w| w.first_seq == first_seq && w.last_seq == last_seq)
        {
            let w = entry.batches[i];
            if still_in_leader_log(cluster, tp, pid, &w) {
                return SeqCheck::Duplicate {
                    base_offset: w.base_offset,
                    last_offset: w.last_offset,
                };
            }
            // Truncated by a failover: forget it and what came after, and write it again.
            entry.batches.truncate(i);
        }
        match entry.batches.back() {
            Some(w) if first_seq != w.last_seq.wrapping_add(1) => SeqCheck::OutOfOrder,
            _ => SeqCheck::Append,
        }
    }

    /// Remembers a batch the leader appended.
    pub fn record(
        &mut self,
        tp: &TopicPartition,
        pid: i64,
        epoch: i16,
        (first_seq, last_seq): (i32, i32),
        (base_offset, last_offset): (i64, i64),
    ) {
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&(pid, tp.clone())) {
            // Forget the oldest producers first (lowest ids).
            if let Some(k) = self.entries.keys().next().cloned() {
                self.entries.remove(&k);
            }
        }
        let entry = self.entries.entry((pid, tp.clone())).or_default();
        if epoch != entry.epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        entry.batches.push_back(Written {
            first_seq,
            last_seq,
            base_offset,
            last_offset,
        });
        while entry.batches.len() > REMEMBERED_BATCHES {
            entry.batches.pop_front();
        }
    }
}

/// Whether the current leader's log still holds the batch at `w.base_offset` from `pid`.
fn still_in_leader_log(cluster: &Cluster, tp: &TopicPartition, pid: i64, w: &Written) -> bool {
    let Some(leader) = cluster.leader_of(tp) else {
        return false;
    };
    let Some(log) = cluster.replica_log(leader, tp) else {
        return false;
    };
    let Ok(read) = log.read(w.base_offset, 1, log.log_end_offset()) else {
        return false;
    };
    match parse_header(&read.bytes) {
        Ok(h) => {
            h.base_offset == w.base_offset && h.producer_id == pid && h.base_sequence == w.first_seq
        }
        Err(_) => false,
    }
}
