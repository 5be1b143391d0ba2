//! The coordinator's own work each step: reloading ids when a `__transaction_state` leader
//! changes, applying replicated changes, writing COMMIT/ABORT markers to every partition of a
//! completing transaction, and aborting transactions open longer than `transaction.timeout.ms`.

use super::codec::TxnRecord;
use super::host::coordinator_error;
use super::{TRANSACTION_STATE_TOPIC, TransactionState, Txn, TxnMetadata};
use crate::cluster::error::KafkaError;
use crate::cluster::event::EventKind;
use crate::cluster::lab::{Cluster, OFFSETS_TOPIC, ProduceOutcome};
use crate::cluster::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::{ControlType, encode_control_batch};
use std::collections::BTreeMap;

/// How long a marker append may wait for the partition's ISR before it is sent again.
const MARKER_TIMEOUT_MS: i64 = 5_000;

impl Cluster {
    /// One step of every loaded transaction coordinator.
    pub(crate) fn step_transactions(&mut self) {
        if !self.topics.contains_key(TRANSACTION_STATE_TOPIC) {
            return;
        }
        self.reload_txn_partitions();
        self.complete_txn_writes();
        self.complete_txn_offset_writes();
        let loaded: Vec<String> = self
            .txn_hosting
            .txns
            .keys()
            .filter(|tid| self.loaded_txn_coordinator(tid).is_ok())
            .cloned()
            .collect();
        for tid in loaded {
            self.write_markers(&tid);
            self.abort_if_timed_out(&tid);
        }
    }

    /// When a `__transaction_state` partition's leader (or epoch) changes, the new coordinator
    /// reads the ids from its log: the last record of each id wins, changes not replicated are
    /// lost (their requesters get NOT_COORDINATOR), and markers of a Prepare* state are sent again.
    fn reload_txn_partitions(&mut self) {
        for p in 0..self.config.transaction_state_partitions {
            let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, p);
            let current = self
                .partitions
                .get(&tp)
                .and_then(|m| m.leader.map(|l| (l, m.leader_epoch)));
            if self.txn_hosting.loaded.get(&p).copied() == current {
                continue;
            }
            let here: Vec<String> = self
                .txn_hosting
                .txns
                .keys()
                .filter(|tid| self.transaction_state_partition(tid).partition == p)
                .cloned()
                .collect();
            let Some((leader, epoch)) = current else {
                // No leader: nothing is coordinated here until one is elected; the ids stay
                // known so their producers' batches are still checked.
                self.txn_hosting.loaded.remove(&p);
                continue;
            };
            let loaded = self.load_txn_records(leader, &tp);
            for tid in here {
                if let Some(t) = self.txn_hosting.txns.remove(&tid) {
                    self.txn_hosting.by_producer.remove(&t.meta.producer_id);
                    if let Some((ticket, _)) = t.pending.and_then(|w| w.reply) {
                        self.record_txn_result(ticket, Err(KafkaError::NotCoordinator));
                    }
                }
            }
            for (tid, meta) in loaded {
                let markers = if meta.state.is_preparing() {
                    meta.partitions
                        .iter()
                        .map(|tp| (tp.clone(), None))
                        .collect()
                } else {
                    BTreeMap::new()
                };
                self.txn_hosting
                    .by_producer
                    .insert(meta.producer_id, tid.clone());
                self.producer_states
                    .fence(meta.producer_id, meta.producer_epoch);
                self.txn_hosting.txns.insert(
                    tid,
                    Txn {
                        meta,
                        pending: None,
                        markers,
                    },
                );
            }
            self.txn_hosting.loaded.insert(p, (leader, epoch));
        }
    }

    /// The last record of each id in `leader`'s log of `tp`, up to its log end (as leader, all
    /// of it will be committed).
    fn load_txn_records(
        &self,
        leader: BrokerId,
        tp: &TopicPartition,
    ) -> BTreeMap<String, TxnMetadata> {
        let mut out = BTreeMap::new();
        let Some(r) = self.brokers.get(&leader).and_then(|b| b.replicas.get(tp)) else {
            return out;
        };
        let end = r.leo();
        let mut offset = r.log.log_start_offset();
        while offset < end {
            let Ok(records) = r.log.read_records(offset, 1 << 20, end) else {
                break;
            };
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for rec in &records {
                if let (Some(k), Some(v)) = (&rec.key, &rec.value)
                    && let Some(t) = TxnRecord::parse(k, v)
                {
                    out.insert(t.transactional_id, t.meta);
                }
            }
        }
        out
    }

    /// Applies state changes `__transaction_state` has replicated, and answers their requesters.
    fn complete_txn_writes(&mut self) {
        let waiting: Vec<(String, u64)> = self
            .txn_hosting
            .txns
            .iter()
            .filter_map(|(id, t)| t.pending.as_ref().map(|p| (id.clone(), p.produce_ticket)))
            .collect();
        for (tid, ticket) in waiting {
            let Some(result) = self.take_completion(ticket) else {
                continue;
            };
            let Some(w) = self
                .txn_hosting
                .txns
                .get_mut(&tid)
                .and_then(|t| t.pending.take())
            else {
                continue;
            };
            match result {
                Ok(_) => {
                    let before = self.txn_hosting.txns.get(&tid).map(|t| t.meta.clone());
                    self.apply_txn(&tid, w.target.clone());
                    self.note_txn_change(&tid, before.as_ref(), &w.target);
                    if let Some((reply, value)) = w.reply {
                        self.record_txn_result(reply, Ok(value));
                    }
                }
                Err(e) => {
                    if w.fresh {
                        self.txn_hosting.txns.remove(&tid);
                    }
                    if let Some((reply, _)) = w.reply {
                        self.record_txn_result(reply, Err(coordinator_error(e)));
                    }
                }
            }
        }
    }

    /// Writes the markers of a Prepare* transaction, each to its partition's leader with
    /// `acks=all` (sent again after a failure), then records CompleteCommit/CompleteAbort.
    fn write_markers(&mut self, tid: &str) {
        let Some(t) = self.txn_hosting.txns.get(tid) else {
            return;
        };
        if t.pending.is_some() || !t.meta.state.is_preparing() {
            return;
        }
        let commit = t.meta.state == TransactionState::PrepareCommit;
        let (pid, epoch) = (t.meta.producer_id, t.meta.producer_epoch);
        let markers: Vec<(TopicPartition, Option<u64>)> =
            t.markers.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let coordinator_epoch = self
            .partitions
            .get(&self.transaction_state_partition(tid))
            .map_or(0, |m| m.leader_epoch);
        let ts = self.config.epoch.timestamp_millis() + self.now_ms;
        let marker = if commit {
            ControlType::Commit
        } else {
            ControlType::Abort
        };
        for (tp, in_flight) in markers {
            let written = match in_flight {
                Some(ticket) => match self.take_completion(ticket) {
                    None => continue,
                    Some(Ok(_)) => true,
                    Some(Err(_)) => {
                        self.set_marker(tid, &tp, None);
                        continue;
                    }
                },
                // A partition that no longer exists needs no marker.
                None if !self.partitions.contains_key(&tp) => true,
                None => {
                    let Some(leader) = self.leader_of(&tp) else {
                        continue;
                    };
                    let Ok(bytes) = encode_control_batch(pid, epoch, marker, coordinator_epoch, ts)
                    else {
                        continue;
                    };
                    match self.produce(leader, &tp, &bytes, Acks::All, MARKER_TIMEOUT_MS) {
                        ProduceOutcome::Pending(ticket) => {
                            self.set_marker(tid, &tp, Some(ticket));
                            false
                        }
                        ProduceOutcome::Done(Ok(_)) => true,
                        ProduceOutcome::Done(Err(_)) => false,
                    }
                }
            };
            if written {
                if let Some(t) = self.txn_hosting.txns.get_mut(tid) {
                    t.markers.remove(&tp);
                }
                if tp.topic == OFFSETS_TOPIC {
                    self.complete_txn_offsets(pid, commit, tp.partition);
                }
            }
        }
        let Some(t) = self.txn_hosting.txns.get(tid) else {
            return;
        };
        if t.markers.is_empty() {
            let mut target = t.meta.clone();
            target.state = if commit {
                TransactionState::CompleteCommit
            } else {
                TransactionState::CompleteAbort
            };
            target.updated_ms = self.now_ms;
            let _ = self.write_txn(tid, target, None, false);
        }
    }

    fn set_marker(&mut self, tid: &str, tp: &TopicPartition, ticket: Option<u64>) {
        if let Some(slot) = self
            .txn_hosting
            .txns
            .get_mut(tid)
            .and_then(|t| t.markers.get_mut(tp))
        {
            *slot = ticket;
        }
    }

    /// `transaction.timeout.ms`: an open transaction older than its timeout is aborted, with the
    /// epoch bumped so its producer is fenced (its next request is refused).
    fn abort_if_timed_out(&mut self, tid: &str) {
        let Some(t) = self.txn_hosting.txns.get(tid) else {
            return;
        };
        let m = &t.meta;
        if t.pending.is_some()
            || m.state != TransactionState::Ongoing
            || self.now_ms - m.started_ms <= i64::from(m.timeout_ms)
        {
            return;
        }
        let mut target = m.clone();
        target.producer_epoch = m.producer_epoch.saturating_add(1);
        target.state = TransactionState::PrepareAbort;
        target.updated_ms = self.now_ms;
        self.emit(EventKind::TxnTimedOut {
            transactional_id: tid.to_string(),
            timeout_ms: m.timeout_ms,
        });
        let _ = self.write_txn(tid, target, None, false);
    }

    /// Timeline lines for a state change that took effect.
    fn note_txn_change(&mut self, tid: &str, before: Option<&TxnMetadata>, after: &TxnMetadata) {
        use TransactionState::*;
        let was = before.map(|b| b.state);
        let kind = match after.state {
            Ongoing if was != Some(Ongoing) => EventKind::TxnBegan {
                transactional_id: tid.to_string(),
                producer_id: after.producer_id,
            },
            CompleteCommit | CompleteAbort if was.is_some_and(|w| w.is_preparing()) => {
                EventKind::TxnEnded {
                    transactional_id: tid.to_string(),
                    committed: after.state == CompleteCommit,
                    partitions: after.partitions.len(),
                }
            }
            Empty | PrepareAbort
                if before.is_some_and(|b| b.producer_epoch < after.producer_epoch) =>
            {
                EventKind::ProducerFenced {
                    transactional_id: tid.to_string(),
                    producer_id: after.producer_id,
                    epoch: after.producer_epoch,
                }
            }
            _ => return,
        };
        self.emit(kind);
    }

    /// Whether any transaction is open or completing.
    pub fn has_open_transactions(&self) -> bool {
        self.txn_hosting
            .txns
            .values()
            .any(|t| t.meta.state == TransactionState::Ongoing || t.meta.state.is_preparing())
    }
}
