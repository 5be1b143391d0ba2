//! The transaction coordinator's requests: FindCoordinator(TRANSACTION), InitProducerId with a
//! `transactional.id`, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn. Each accepted state change
//! is appended to the id's `__transaction_state` partition with `acks=all` and answered once
//! replicated ([`TxnOutcome::Pending`], then [`Cluster::take_txn_result`]).

use super::codec::TxnRecord;
use super::{
    PendingWrite, TRANSACTION_STATE_TOPIC, TRANSACTIONAL_IDS_MAX, TXN_RESULTS_MAX,
    TransactionState, Txn, TxnMetadata, partition_for,
};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::{Cluster, ProduceOutcome};
use crate::cluster::snapshot::BrokerState;
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::encode_records;

/// How long a state change may wait for `__transaction_state` replication.
const TXN_LOG_APPEND_TIMEOUT_MS: i64 = 5_000;

/// What a transactional request turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnOutcome {
    /// Answered now.
    Done(Result<TxnReply, KafkaError>),
    /// Waiting for replication: [`Cluster::take_txn_result`] answers with this ticket.
    Pending(u64),
}

/// A successful answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnReply {
    /// InitProducerId: the id and epoch to use.
    Producer {
        /// Producer id.
        producer_id: i64,
        /// Producer epoch.
        producer_epoch: i16,
    },
    /// Any other request.
    Done,
}

/// One `transactional.id` as the dashboard and checks see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnView {
    /// The id.
    pub transactional_id: String,
    /// Its metadata.
    pub meta: TxnMetadata,
    /// Partitions whose marker is not written yet (while Prepare*).
    pub markers_left: usize,
}

impl Cluster {
    /// The `__transaction_state` partition of `transactional_id`.
    pub fn transaction_state_partition(&self, transactional_id: &str) -> TopicPartition {
        TopicPartition::new(
            TRANSACTION_STATE_TOPIC,
            partition_for(transactional_id, self.config.transaction_state_partitions),
        )
    }

    /// FindCoordinator for a `transactional.id`: the leader of its `__transaction_state`
    /// partition, once loaded. As in Kafka, the first request creates the topic and is answered
    /// COORDINATOR_NOT_AVAILABLE while it gets leaders.
    pub fn txn_coordinator_for(&mut self, transactional_id: &str) -> Result<BrokerId, KafkaError> {
        if !self.topics.contains_key(TRANSACTION_STATE_TOPIC) {
            self.create_transaction_state_topic()?;
            return Err(KafkaError::CoordinatorNotAvailable);
        }
        self.loaded_txn_coordinator(transactional_id)
    }

    pub(super) fn loaded_txn_coordinator(
        &self,
        transactional_id: &str,
    ) -> Result<BrokerId, KafkaError> {
        let tp = self.transaction_state_partition(transactional_id);
        let leader = self
            .leader_of(&tp)
            .ok_or(KafkaError::CoordinatorNotAvailable)?;
        match self.txn_hosting.loaded.get(&tp.partition) {
            Some((b, _)) if *b == leader => Ok(leader),
            _ => Err(KafkaError::CoordinatorLoadInProgress),
        }
    }

    fn create_transaction_state_topic(&mut self) -> Result<(), KafkaError> {
        let live = self
            .brokers
            .values()
            .filter(|b| b.state == BrokerState::Up)
            .count();
        let rf = self
            .config
            .offsets_topic_rf(live)
            .map_err(|_| KafkaError::CoordinatorNotAvailable)?;
        let mut spec = TopicSpec::new(
            TRANSACTION_STATE_TOPIC,
            self.config.transaction_state_partitions,
            rf,
        );
        spec.min_insync_replicas = self.config.transaction_state_min_isr.min(rf);
        self.create_topic_internal(spec, true)
    }

    fn check_txn_coordinator(&self, broker: BrokerId, tid: &str) -> Result<(), KafkaError> {
        match self.loaded_txn_coordinator(tid) {
            Ok(b) if b == broker => Ok(()),
            Ok(_) => Err(KafkaError::NotCoordinator),
            Err(e) => Err(e),
        }
    }

    /// InitProducerId with a `transactional.id`: a producer id at epoch 0 for a new id, else the
    /// epoch bumped, which fences every older producer with this id. An open transaction is
    /// aborted first (answered CONCURRENT_TRANSACTIONS until it is; the client retries).
    pub fn init_transactional_producer(
        &mut self,
        broker: BrokerId,
        transactional_id: &str,
        timeout_ms: i32,
        current: Option<(i64, i16)>,
    ) -> TxnOutcome {
        use TxnOutcome::Done;
        if let Err(e) = self.check_txn_coordinator(broker, transactional_id) {
            return Done(Err(e));
        }
        if timeout_ms <= 0 || i64::from(timeout_ms) > self.config.transaction_max_timeout_ms {
            return Done(Err(KafkaError::InvalidTransactionTimeout));
        }
        let now = self.now_ms;
        let Some(txn) = self.txn_hosting.txns.get(transactional_id) else {
            if self.txn_hosting.txns.len() >= TRANSACTIONAL_IDS_MAX && !self.forget_idle_txn() {
                return Done(Err(KafkaError::CoordinatorNotAvailable));
            }
            let producer_id = self.producer_states.new_id();
            let meta = TxnMetadata {
                producer_id,
                producer_epoch: 0,
                timeout_ms,
                state: TransactionState::Empty,
                partitions: Default::default(),
                started_ms: -1,
                updated_ms: now,
            };
            let reply = TxnReply::Producer {
                producer_id,
                producer_epoch: 0,
            };
            return self.write_txn(transactional_id, meta, Some(reply), true);
        };
        if txn.pending.is_some() || txn.meta.state.is_preparing() {
            return Done(Err(KafkaError::ConcurrentTransactions));
        }
        let meta = txn.meta.clone();
        if let Some((pid, epoch)) = current
            && pid >= 0
            && (pid != meta.producer_id || epoch != meta.producer_epoch)
        {
            return Done(Err(KafkaError::ProducerFenced));
        }
        let mut target = bumped(&meta);
        target.updated_ms = now;
        if meta.state == TransactionState::Ongoing {
            // Fence the old producer and abort what it left open; the caller retries.
            target.state = TransactionState::PrepareAbort;
            let _ = self.write_txn(transactional_id, target, None, false);
            return Done(Err(KafkaError::ConcurrentTransactions));
        }
        target.state = TransactionState::Empty;
        target.partitions.clear();
        target.started_ms = -1;
        target.timeout_ms = timeout_ms;
        let reply = TxnReply::Producer {
            producer_id: target.producer_id,
            producer_epoch: target.producer_epoch,
        };
        self.write_txn(transactional_id, target, Some(reply), false)
    }

    /// The metadata of `tid` for a request from `pid` at `epoch`, or Kafka's refusal.
    fn txn_for_request(
        &self,
        broker: BrokerId,
        tid: &str,
        pid: i64,
        epoch: i16,
    ) -> Result<&Txn, KafkaError> {
        self.check_txn_coordinator(broker, tid)?;
        let txn = self
            .txn_hosting
            .txns
            .get(tid)
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if txn.meta.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if epoch != txn.meta.producer_epoch {
            return Err(KafkaError::ProducerFenced);
        }
        if txn.pending.is_some() || txn.meta.state.is_preparing() {
            return Err(KafkaError::ConcurrentTransactions);
        }
        Ok(txn)
    }

    /// AddPartitionsToTxn (and AddOffsetsToTxn, with the group's `__consumer_offsets`
    /// partition): the transaction becomes Ongoing with these partitions.
    pub fn add_partitions_to_txn(
        &mut self,
        broker: BrokerId,
        transactional_id: &str,
        (pid, epoch): (i64, i16),
        partitions: &[TopicPartition],
    ) -> TxnOutcome {
        let meta = match self.txn_for_request(broker, transactional_id, pid, epoch) {
            Ok(t) => t.meta.clone(),
            Err(e) => return TxnOutcome::Done(Err(e)),
        };
        if partitions
            .iter()
            .any(|tp| !self.partitions.contains_key(tp))
        {
            return TxnOutcome::Done(Err(KafkaError::UnknownTopicOrPartition));
        }
        let ongoing = meta.state == TransactionState::Ongoing;
        if ongoing && partitions.iter().all(|tp| meta.partitions.contains(tp)) {
            return TxnOutcome::Done(Ok(TxnReply::Done));
        }
        let mut target = meta;
        if !ongoing {
            target.partitions.clear();
            target.started_ms = self.now_ms;
            target.state = TransactionState::Ongoing;
        }
        target.partitions.extend(partitions.iter().cloned());
        target.updated_ms = self.now_ms;
        self.write_txn(transactional_id, target, Some(TxnReply::Done), false)
    }

    /// AddOffsetsToTxn: the group's `__consumer_offsets` partition joins the transaction.
    pub fn add_offsets_to_txn(
        &mut self,
        broker: BrokerId,
        transactional_id: &str,
        producer: (i64, i16),
        group: &str,
    ) -> TxnOutcome {
        let tp = self.offsets_partition(group);
        self.add_partitions_to_txn(broker, transactional_id, producer, &[tp])
    }

    /// EndTxn: PrepareCommit or PrepareAbort, answered once replicated; the markers follow.
    pub fn end_txn(
        &mut self,
        broker: BrokerId,
        transactional_id: &str,
        (pid, epoch): (i64, i16),
        commit: bool,
    ) -> TxnOutcome {
        use TransactionState::*;
        let meta = match self.txn_for_request(broker, transactional_id, pid, epoch) {
            Ok(t) => t.meta.clone(),
            Err(KafkaError::ConcurrentTransactions) => {
                return TxnOutcome::Done(Err(KafkaError::ConcurrentTransactions));
            }
            Err(e) => return TxnOutcome::Done(Err(e)),
        };
        match (meta.state, commit) {
            (Ongoing, _) => {
                let mut target = meta;
                target.state = if commit { PrepareCommit } else { PrepareAbort };
                target.updated_ms = self.now_ms;
                self.write_txn(transactional_id, target, Some(TxnReply::Done), false)
            }
            // A retry of an EndTxn that already completed.
            (CompleteCommit, true) | (CompleteAbort, false) => TxnOutcome::Done(Ok(TxnReply::Done)),
            _ => TxnOutcome::Done(Err(KafkaError::InvalidTxnState)),
        }
    }

    /// The answer to a request that was [`TxnOutcome::Pending`], once its change is replicated.
    pub fn take_txn_result(&mut self, ticket: u64) -> Option<Result<TxnReply, KafkaError>> {
        self.txn_hosting.results.remove(&ticket)
    }

    /// Drops what is kept for a requester that went away (the change itself still happens).
    pub fn forget_txn_result(&mut self, ticket: u64) {
        self.txn_hosting.results.remove(&ticket);
        for t in self.txn_hosting.txns.values_mut() {
            if let Some(p) = &mut t.pending
                && p.reply.is_some_and(|(r, _)| r == ticket)
            {
                p.reply = None;
            }
        }
        self.txn_hosting
            .pending_offsets
            .retain(|p| p.reply != ticket);
    }

    /// Every `transactional.id` the coordinators know, by id.
    pub fn transactions(&self) -> Vec<TxnView> {
        self.txn_hosting
            .txns
            .iter()
            .map(|(id, t)| TxnView {
                transactional_id: id.clone(),
                meta: t.meta.clone(),
                markers_left: t.markers.len(),
            })
            .collect()
    }

    /// Transactions open or completing, oldest first, for the snapshot (bounded).
    pub(crate) fn transaction_snapshots(
        &self,
    ) -> Vec<crate::cluster::snapshot::TransactionSnapshot> {
        let mut open: Vec<_> = self
            .txn_hosting
            .txns
            .iter()
            .filter(|(_, t)| {
                t.meta.state == TransactionState::Ongoing || t.meta.state.is_preparing()
            })
            .map(|(id, t)| crate::cluster::snapshot::TransactionSnapshot {
                transactional_id: id.clone(),
                producer_id: t.meta.producer_id,
                producer_epoch: t.meta.producer_epoch,
                state: t.meta.state.name(),
                partitions: t.meta.partitions.iter().cloned().collect(),
                started_ms: t.meta.started_ms,
                timeout_ms: t.meta.timeout_ms,
            })
            .collect();
        open.sort_by_key(|t| t.started_ms);
        open.truncate(crate::cluster::snapshot::TRANSACTIONS_SHOWN_MAX);
        open
    }

    /// The produce path's check of a transactional batch (KIP-890's verification): the batch's
    /// epoch must be the id's current one and its partition added to the open transaction.
    pub(crate) fn verify_txn_produce(
        &self,
        tp: &TopicPartition,
        pid: i64,
        epoch: i16,
    ) -> Result<(), KafkaError> {
        let txn = self
            .txn_hosting
            .by_producer
            .get(&pid)
            .and_then(|tid| self.txn_hosting.txns.get(tid))
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if epoch < txn.meta.producer_epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if epoch > txn.meta.producer_epoch
            || txn.pending.is_some()
            || txn.meta.state != TransactionState::Ongoing
            || !txn.meta.partitions.contains(tp)
        {
            return Err(KafkaError::InvalidTxnState);
        }
        Ok(())
    }

    /// Appends `target` for `tid` to `__transaction_state`; it applies once replicated, and the
    /// requester (if any) is answered then. `fresh`: the id is new, so a failed append forgets it.
    pub(super) fn write_txn(
        &mut self,
        tid: &str,
        target: TxnMetadata,
        reply: Option<TxnReply>,
        fresh: bool,
    ) -> TxnOutcome {
        let tp = self.transaction_state_partition(tid);
        let Some(leader) = self.leader_of(&tp) else {
            return TxnOutcome::Done(Err(KafkaError::NotCoordinator));
        };
        let rec = TxnRecord {
            transactional_id: tid.to_string(),
            meta: target.clone(),
        };
        let ts = self.config.epoch.timestamp_millis() + self.now_ms;
        let Ok(bytes) = encode_records(&[(Some(rec.key()), Some(rec.value()), ts)], 0) else {
            return TxnOutcome::Done(Err(KafkaError::Unknown));
        };
        match self.produce(leader, &tp, &bytes, Acks::All, TXN_LOG_APPEND_TIMEOUT_MS) {
            ProduceOutcome::Pending(produce_ticket) => {
                let reply = reply.map(|r| (self.next_txn_reply(), r));
                let txn = self
                    .txn_hosting
                    .txns
                    .entry(tid.to_string())
                    .or_insert_with(|| Txn {
                        meta: target.clone(),
                        pending: None,
                        markers: Default::default(),
                    });
                txn.pending = Some(PendingWrite {
                    produce_ticket,
                    target,
                    reply,
                    fresh,
                });
                match reply {
                    Some((ticket, _)) => TxnOutcome::Pending(ticket),
                    None => TxnOutcome::Done(Ok(TxnReply::Done)),
                }
            }
            ProduceOutcome::Done(Ok(_)) => {
                self.apply_txn(tid, target);
                TxnOutcome::Done(Ok(reply.unwrap_or(TxnReply::Done)))
            }
            ProduceOutcome::Done(Err(e)) => TxnOutcome::Done(Err(coordinator_error(e))),
        }
    }

    fn next_txn_reply(&mut self) -> u64 {
        self.txn_hosting.next_reply += 1;
        self.txn_hosting.next_reply
    }

    pub(super) fn record_txn_result(&mut self, ticket: u64, r: Result<TxnReply, KafkaError>) {
        self.txn_hosting.results.insert(ticket, r);
        while self.txn_hosting.results.len() > TXN_RESULTS_MAX {
            self.txn_hosting.results.pop_first();
        }
    }

    /// A replicated change takes effect: a new epoch fences the older ones in the produce path,
    /// and a Prepare* state sets up the markers to write.
    pub(super) fn apply_txn(&mut self, tid: &str, target: TxnMetadata) {
        let h = &mut self.txn_hosting;
        let txn = h.txns.entry(tid.to_string()).or_insert_with(|| Txn {
            meta: target.clone(),
            pending: None,
            markers: Default::default(),
        });
        let old = (txn.meta.producer_id, txn.meta.producer_epoch);
        txn.markers = if target.state.is_preparing() {
            target
                .partitions
                .iter()
                .map(|tp| (tp.clone(), None))
                .collect()
        } else {
            Default::default()
        };
        txn.meta = target;
        let new = (txn.meta.producer_id, txn.meta.producer_epoch);
        if old.0 != new.0 {
            h.by_producer.remove(&old.0);
        }
        h.by_producer.insert(new.0, tid.to_string());
        if new != old {
            self.producer_states.fence(new.0, new.1);
        }
    }

    /// Forgets the longest idle id with no transaction in progress; false when there is none.
    fn forget_idle_txn(&mut self) -> bool {
        let idle = self
            .txn_hosting
            .txns
            .iter()
            .filter(|(_, t)| {
                t.pending.is_none()
                    && matches!(
                        t.meta.state,
                        TransactionState::Empty
                            | TransactionState::CompleteCommit
                            | TransactionState::CompleteAbort
                    )
            })
            .min_by_key(|(_, t)| t.meta.updated_ms)
            .map(|(id, t)| (id.clone(), t.meta.producer_id));
        match idle {
            Some((id, pid)) => {
                self.txn_hosting.txns.remove(&id);
                self.txn_hosting.by_producer.remove(&pid);
                true
            }
            None => false,
        }
    }
}

/// The next epoch of `meta`'s producer (a new producer id once the epoch is exhausted).
fn bumped(meta: &TxnMetadata) -> TxnMetadata {
    let mut m = meta.clone();
    m.producer_epoch = meta.producer_epoch.saturating_add(1);
    m
}

/// What a coordinator answers when its log append fails, as Kafka's `TransactionStateManager`.
pub(super) fn coordinator_error(e: KafkaError) -> KafkaError {
    match e {
        KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
        KafkaError::UnknownTopicOrPartition
        | KafkaError::NotEnoughReplicas
        | KafkaError::NotEnoughReplicasAfterAppend
        | KafkaError::RequestTimedOut
        | KafkaError::LeaderNotAvailable => KafkaError::CoordinatorNotAvailable,
        other => other,
    }
}
