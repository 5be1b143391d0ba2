//! TxnOffsetCommit: a transactional producer commits a group's offsets as part of its
//! transaction. The group coordinator appends them to `__consumer_offsets` as a transactional
//! batch; they count only when the transaction's COMMIT marker lands there, and vanish with an
//! ABORT: the heart of consume-transform-produce exactly once.

use super::host::coordinator_error;
use super::{PendingOffsets, TransactionState, TxnOutcome, TxnReply};
use crate::cluster::error::KafkaError;
use crate::cluster::group::{OffsetAndMetadata, OffsetCommitRecord};
use crate::cluster::lab::{Cluster, ProduceOutcome};
use crate::cluster::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::{ProducerStamp, encode_transactional_records};

/// How long a transactional commit may wait for `__consumer_offsets` replication
/// (`offsets.commit.timeout.ms`).
const OFFSETS_COMMIT_TIMEOUT_MS: i64 = 5_000;

impl Cluster {
    /// TxnOffsetCommit sent to `broker` (the group's coordinator) by `transactional_id`'s producer.
    pub fn txn_offset_commit(
        &mut self,
        broker: BrokerId,
        group: &str,
        transactional_id: &str,
        (pid, epoch): (i64, i16),
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) -> TxnOutcome {
        use TxnOutcome::Done;
        if let Err(e) = self.check_group_coordinator(broker, group) {
            return Done(Err(e));
        }
        let offsets_tp = self.offsets_partition(group);
        let Some(txn) = self.txn_hosting.txns.get(transactional_id) else {
            return Done(Err(KafkaError::InvalidProducerIdMapping));
        };
        if txn.meta.producer_id != pid {
            return Done(Err(KafkaError::InvalidProducerIdMapping));
        }
        if epoch != txn.meta.producer_epoch {
            return Done(Err(KafkaError::ProducerFenced));
        }
        if txn.meta.state != TransactionState::Ongoing || !txn.meta.partitions.contains(&offsets_tp)
        {
            // AddOffsetsToTxn must come first.
            return Done(Err(KafkaError::InvalidTxnState));
        }
        if offsets.is_empty() {
            return Done(Ok(TxnReply::Done));
        }
        let ts = self.config.epoch.timestamp_millis() + self.now_ms;
        let records: Vec<_> = offsets
            .iter()
            .map(|(tp, committed)| {
                let r = OffsetCommitRecord {
                    group: group.to_string(),
                    tp: tp.clone(),
                    committed: committed.clone(),
                    commit_timestamp: ts,
                };
                (Some(r.key()), Some(r.value()), ts)
            })
            .collect();
        // No sequence: offsets are not part of the producer's per-partition sequence.
        let stamp = ProducerStamp {
            producer_id: pid,
            producer_epoch: epoch,
            base_sequence: -1,
        };
        let Ok(bytes) = encode_transactional_records(&records, 0, stamp) else {
            return Done(Err(KafkaError::Unknown));
        };
        match self.produce(
            broker,
            &offsets_tp,
            &bytes,
            Acks::All,
            OFFSETS_COMMIT_TIMEOUT_MS,
        ) {
            ProduceOutcome::Pending(produce_ticket) => {
                self.txn_hosting.next_reply += 1;
                let reply = self.txn_hosting.next_reply;
                self.txn_hosting.pending_offsets.push(PendingOffsets {
                    produce_ticket,
                    reply,
                    producer_id: pid,
                    group: group.to_string(),
                    offsets: offsets.to_vec(),
                });
                TxnOutcome::Pending(reply)
            }
            ProduceOutcome::Done(Ok(_)) => {
                self.stash_txn_offsets(pid, group, offsets);
                Done(Ok(TxnReply::Done))
            }
            ProduceOutcome::Done(Err(e)) => Done(Err(coordinator_error(e))),
        }
    }

    fn stash_txn_offsets(
        &mut self,
        pid: i64,
        group: &str,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) {
        let entry = self.txn_hosting.txn_offsets.entry(pid).or_default();
        for (tp, om) in offsets {
            entry.retain(|(g, t, _)| !(g == group && t == tp));
            entry.push((group.to_string(), tp.clone(), om.clone()));
        }
    }

    /// Transactional commits `__consumer_offsets` has replicated: kept until the marker.
    pub(super) fn complete_txn_offset_writes(&mut self) {
        let pending = std::mem::take(&mut self.txn_hosting.pending_offsets);
        for p in pending {
            match self.take_completion(p.produce_ticket) {
                None => self.txn_hosting.pending_offsets.push(p),
                Some(Ok(_)) => {
                    self.stash_txn_offsets(p.producer_id, &p.group, &p.offsets);
                    self.record_txn_result(p.reply, Ok(TxnReply::Done));
                }
                Some(Err(e)) => self.record_txn_result(p.reply, Err(coordinator_error(e))),
            }
        }
    }

    /// A marker landed on `__consumer_offsets` partition `offsets_partition`: the producer's
    /// offsets for groups stored there count (COMMIT) or are dropped (ABORT).
    pub(super) fn complete_txn_offsets(&mut self, pid: i64, commit: bool, offsets_partition: i32) {
        let Some(entries) = self.txn_hosting.txn_offsets.remove(&pid) else {
            return;
        };
        let (here, elsewhere): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|(g, _, _)| self.offsets_partition(g).partition == offsets_partition);
        if !elsewhere.is_empty() {
            self.txn_hosting.txn_offsets.insert(pid, elsewhere);
        }
        if commit {
            for (group, tp, om) in here {
                self.apply_commits(&group, &[(tp, om)]);
            }
        }
    }
}
