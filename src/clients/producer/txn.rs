//! A transactional producer's side of Kafka's transaction protocol, one request at a time as
//! Kafka's `TransactionManager` sends them: InitProducerId with the `transactional.id` (an epoch
//! that fences every older producer with the id), AddPartitionsToTxn before the first batch to a
//! partition, the batches, then EndTxn every `commit.interval.ms`. A batch that fails for good
//! makes the transaction abortable: it is aborted, and the epoch bumped (InitProducerId with the
//! current id and epoch, KIP-360) since its sequences were lost. PRODUCER_FENCED or
//! INVALID_PRODUCER_EPOCH is fatal: the producer stops, as Kafka's does.

use super::{Idempotence, SimProducer};
use crate::clients::backoff::retry_backoff_ms;
use crate::clients::view::ProducerTxnState;
use crate::cluster::error::KafkaError;
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;
use crate::cluster::txn::{TxnOutcome, TxnReply};
use crate::cluster::types::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// A request to the transaction coordinator; one is outstanding at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    /// InitProducerId; `current` is the id and epoch to bump (KIP-360), none at start.
    Init { current: Option<(i64, i16)> },
    /// AddPartitionsToTxn with these partitions of the producer's topic.
    AddPartitions(Vec<i32>),
    /// EndTxn: commit or abort.
    End { commit: bool },
}

/// How a transaction ended, as the producer learned it (for checks that follow records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnEnd {
    /// The transaction's number in this producer (1, 2, …).
    pub number: u64,
    /// EndTxn(commit) answered (true) or EndTxn(abort) answered (false).
    pub committed: bool,
    /// The producer id it was written with.
    pub producer_id: i64,
    /// The epoch it was written with.
    pub epoch: i16,
}

/// The transactional state of a producer with a `transactional.id`.
#[derive(Clone, Debug)]
pub(super) struct Transactional {
    id: String,
    state: ProducerTxnState,
    /// The request to send (or sent, with `ticket`); one at a time.
    request: Option<Request>,
    /// The coordinator's ticket for the request sent and when to give up waiting.
    ticket: Option<(u64, i64)>,
    not_before_ms: i64,
    attempts: u32,
    /// Partitions added to the open transaction.
    added: BTreeSet<i32>,
    /// A batch failed for good: the transaction can only be aborted.
    abortable: bool,
    started_ms: i64,
    /// Transactions begun.
    number: u64,
    committed: u64,
    aborted: u64,
}

impl Transactional {
    /// A producer about to call InitProducerId with `id`.
    pub(super) fn new(id: String) -> Self {
        Self {
            id,
            state: ProducerTxnState::Initializing,
            request: Some(Request::Init { current: None }),
            ticket: None,
            not_before_ms: 0,
            attempts: 0,
            added: BTreeSet::new(),
            abortable: false,
            started_ms: -1,
            number: 0,
            committed: 0,
            aborted: 0,
        }
    }

    /// Where the producer is.
    pub(super) fn state(&self) -> ProducerTxnState {
        self.state
    }

    /// Whether the application may append records now (Kafka's `send` inside a transaction).
    pub(super) fn may_append(&self) -> bool {
        matches!(
            self.state,
            ProducerTxnState::Ready | ProducerTxnState::InTransaction
        )
    }

    /// Whether batches to `partition` may be sent (it is in the transaction).
    pub(super) fn may_send(&self, partition: i32) -> bool {
        self.added.contains(&partition)
    }

    /// Whether the batches not sent yet are to be written now (commit or abort is under way).
    pub(super) fn flushing(&self) -> bool {
        matches!(
            self.state,
            ProducerTxnState::Committing | ProducerTxnState::Aborting
        )
    }

    /// A batch failed for good: the open transaction can only abort.
    pub(super) fn set_abortable(&mut self) {
        if self.state == ProducerTxnState::InTransaction
            || self.state == ProducerTxnState::Committing
        {
            self.abortable = true;
        }
    }

    /// The number of the open (or last) transaction.
    pub(super) fn number(&self) -> u64 {
        self.number
    }

    /// Transactions committed and aborted by this producer's EndTxn.
    pub(super) fn ended(&self) -> (u64, u64) {
        (self.committed, self.aborted)
    }

    /// The `transactional.id`.
    pub(super) fn id(&self) -> &str {
        &self.id
    }
}

impl SimProducer {
    /// The first record of a transaction begins it (Kafka's `beginTransaction` is local).
    pub(super) fn begin_if_ready(&mut self, now: i64) {
        if let Some(t) = self.txn.as_mut()
            && t.state == ProducerTxnState::Ready
        {
            t.state = ProducerTxnState::InTransaction;
            t.number += 1;
            t.started_ms = now;
            t.added.clear();
            t.abortable = false;
        }
    }

    /// Takes the coordinator's answer to the request in flight, if it came.
    pub(super) fn txn_poll(&mut self, lab: &mut Cluster, now: i64) {
        let Some(t) = self.txn.as_mut() else { return };
        let Some((ticket, deadline)) = t.ticket else {
            return;
        };
        let result = match lab.take_txn_result(ticket) {
            Some(r) => r,
            None if now >= deadline => {
                lab.forget_txn_result(ticket);
                Err(KafkaError::RequestTimedOut)
            }
            None => return,
        };
        t.ticket = None;
        self.txn_answer(lab, result, now);
    }

    /// Moves the transaction on after this step's sends: partitions to add, a commit due, an
    /// EndTxn once every batch is answered; then sends the next request.
    pub(super) fn txn_advance(&mut self, lab: &mut Cluster, now: i64) {
        let Some(t) = self.txn.as_ref() else { return };
        let interval = self.spec.commit_interval_ms as i64;
        match t.state {
            ProducerTxnState::InTransaction if t.abortable => self.begin_abort(),
            // A stopped producer commits what it has, as an application closing cleanly would.
            ProducerTxnState::InTransaction if !self.running || now - t.started_ms >= interval => {
                if let Some(t) = self.txn.as_mut() {
                    t.state = ProducerTxnState::Committing;
                }
            }
            ProducerTxnState::Committing if t.abortable => self.begin_abort(),
            _ => {}
        }
        if self.txn.as_ref().is_some_and(Transactional::flushing) {
            for b in std::mem::take(&mut self.open_batches).into_values() {
                self.seal(b);
            }
        }
        if self
            .txn
            .as_ref()
            .is_some_and(|t| t.state == ProducerTxnState::Aborting)
        {
            // Batches not sent are dropped: the abort would discard them anyway.
            let dropped: usize = self
                .queued
                .values()
                .flatten()
                .map(|b| b.records.len())
                .sum();
            self.failed += dropped as u64;
            self.queued.clear();
        }
        let idle = self.queued.is_empty() && self.in_flight.is_empty();
        let to_add: Vec<i32> = match &self.txn {
            Some(t) => self
                .queued
                .keys()
                .copied()
                .filter(|p| !t.added.contains(p))
                .collect(),
            None => return,
        };
        let bump = self.idempotence.as_ref().is_some_and(|i| i.bump_needed);
        let Some(t) = self.txn.as_mut() else { return };
        if t.request.is_none() {
            match t.state {
                ProducerTxnState::InTransaction | ProducerTxnState::Committing
                    if !to_add.is_empty() =>
                {
                    t.request = Some(Request::AddPartitions(to_add));
                }
                ProducerTxnState::Committing | ProducerTxnState::Aborting if idle => {
                    let commit = t.state == ProducerTxnState::Committing;
                    if t.added.is_empty() {
                        // Nothing was written: Kafka's producer ends such a transaction locally.
                        t.state = ProducerTxnState::Ready;
                        if bump {
                            t.state = ProducerTxnState::Initializing;
                            t.request = Some(Request::Init {
                                current: self
                                    .idempotence
                                    .as_ref()
                                    .map(|i| (i.producer_id, i.epoch)),
                            });
                        }
                    } else {
                        t.request = Some(Request::End { commit });
                    }
                }
                _ => {}
            }
        }
        self.txn_send(lab, now);
    }

    fn begin_abort(&mut self) {
        if let Some(t) = self.txn.as_mut() {
            t.state = ProducerTxnState::Aborting;
        }
        let dropped: usize = self.open_batches.values().map(|b| b.records.len()).sum();
        self.failed += dropped as u64;
        self.open_batches.clear();
    }

    /// Sends the pending request to the coordinator of the `transactional.id`, once its backoff
    /// has passed (FindCoordinator first, as every request does after a coordinator error).
    fn txn_send(&mut self, lab: &mut Cluster, now: i64) {
        let Some(t) = self.txn.as_ref() else { return };
        let Some(request) = t.request.clone() else {
            return;
        };
        if t.ticket.is_some() || now < t.not_before_ms {
            return;
        }
        let tid = t.id.clone();
        let broker = match lab.txn_coordinator_for(&tid) {
            Ok(b) => b,
            Err(e) => {
                self.txn_answer(lab, Err(e), now);
                return;
            }
        };
        let producer = self
            .idempotence
            .as_ref()
            .map_or((-1, -1), |i| (i.producer_id, i.epoch));
        let outcome = match &request {
            Request::Init { current } => {
                let timeout = self.spec.transaction_timeout_ms.min(i32::MAX as u64) as i32;
                lab.init_transactional_producer(broker, &tid, timeout, *current)
            }
            Request::AddPartitions(ps) => {
                let tps: Vec<TopicPartition> = ps
                    .iter()
                    .map(|p| TopicPartition::new(self.spec.topic.clone(), *p))
                    .collect();
                lab.add_partitions_to_txn(broker, &tid, producer, &tps)
            }
            Request::End { commit } => lab.end_txn(broker, &tid, producer, *commit),
        };
        match outcome {
            TxnOutcome::Done(r) => self.txn_answer(lab, r, now),
            TxnOutcome::Pending(ticket) => {
                let deadline = now + self.spec.request_timeout_ms as i64;
                if let Some(t) = self.txn.as_mut() {
                    t.ticket = Some((ticket, deadline));
                }
            }
        }
    }

    /// What an answer does: the next state, a retry after `retry.backoff.ms`, or the end.
    fn txn_answer(&mut self, lab: &mut Cluster, result: Result<TxnReply, KafkaError>, now: i64) {
        let Some(t) = self.txn.as_mut() else { return };
        let Some(request) = t.request.clone() else {
            return;
        };
        match result {
            Ok(reply) => {
                t.request = None;
                t.attempts = 0;
                match request {
                    Request::Init { .. } => {
                        if let TxnReply::Producer {
                            producer_id,
                            producer_epoch,
                        } = reply
                        {
                            self.idempotence = Some(Idempotence {
                                producer_id,
                                epoch: producer_epoch,
                                next_seq: BTreeMap::new(),
                                bump_needed: false,
                            });
                            t.state = ProducerTxnState::Ready;
                        }
                    }
                    Request::AddPartitions(ps) => t.added.extend(ps),
                    Request::End { commit } => {
                        if commit {
                            t.committed += 1;
                        } else {
                            t.aborted += 1;
                        }
                        let (producer_id, epoch) = self
                            .idempotence
                            .as_ref()
                            .map_or((-1, -1), |i| (i.producer_id, i.epoch));
                        self.recent_txn_ends.push(TxnEnd {
                            number: t.number,
                            committed: commit,
                            producer_id,
                            epoch,
                        });
                        t.added.clear();
                        t.abortable = false;
                        t.state = ProducerTxnState::Ready;
                        if let Some(i) = self.idempotence.as_ref().filter(|i| i.bump_needed) {
                            // Sequences were lost with a failed batch: a new epoch (KIP-360).
                            t.state = ProducerTxnState::Initializing;
                            t.request = Some(Request::Init {
                                current: Some((i.producer_id, i.epoch)),
                            });
                        }
                    }
                }
            }
            Err(e @ (KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch)) => {
                self.fence(lab, e);
            }
            Err(e) if e.is_retriable() => {
                let (initial, max) = (self.spec.retry_backoff_ms, self.spec.retry_backoff_max_ms);
                t.not_before_ms = now + retry_backoff_ms(initial, max, t.attempts, lab.rng_mut());
                t.attempts += 1;
            }
            Err(_) => {
                // Anything else (the coordinator lost the id, the transaction is in a state it
                // cannot leave): start again from the current epoch, which is fenced if the
                // coordinator moved on (a timeout bumped it).
                t.attempts = 0;
                t.added.clear();
                t.abortable = false;
                t.state = ProducerTxnState::Initializing;
                t.request = Some(Request::Init {
                    current: self.idempotence.as_ref().map(|i| (i.producer_id, i.epoch)),
                });
                let dropped: usize = self
                    .queued
                    .values()
                    .flatten()
                    .chain(self.open_batches.values())
                    .map(|b| b.records.len())
                    .sum();
                self.failed += dropped as u64;
                self.queued.clear();
                self.open_batches.clear();
            }
        }
    }

    /// PRODUCER_FENCED or INVALID_PRODUCER_EPOCH: a newer producer has the `transactional.id`.
    /// The producer stops for good; what it had not sent is gone.
    pub(super) fn fence(&mut self, lab: &mut Cluster, error: KafkaError) {
        let Some(t) = self.txn.as_mut() else { return };
        if t.state == ProducerTxnState::Fenced {
            return;
        }
        t.state = ProducerTxnState::Fenced;
        t.request = None;
        if let Some((ticket, _)) = t.ticket.take() {
            lab.forget_txn_result(ticket);
        }
        let transactional_id = t.id.clone();
        self.running = false;
        let dropped: usize = self
            .queued
            .values()
            .flatten()
            .chain(self.open_batches.values())
            .map(|b| b.records.len())
            .sum();
        self.failed += dropped as u64;
        self.queued.clear();
        self.open_batches.clear();
        lab.emit_event(EventKind::ZombieFenced {
            client_id: self.client_id.clone(),
            transactional_id,
            epoch: self.idempotence.as_ref().map_or(-1, |i| i.epoch),
            error,
        });
    }

    /// Forgets the coordinator's answer a killed producer will never read.
    pub(super) fn txn_forget(&mut self, lab: &mut Cluster) {
        if let Some(t) = self.txn.as_mut()
            && let Some((ticket, _)) = t.ticket.take()
        {
            lab.forget_txn_result(ticket);
        }
    }
}
