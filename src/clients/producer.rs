//! A simulated producer that behaves like Kafka's: partitioner, batching by `linger.ms` and
//! `batch.size`, `acks`, and a metadata refresh on NOT_LEADER_OR_FOLLOWER. Sending, retries,
//! `delivery.timeout.ms` and the idempotent producer's sequences live in [`send`]; a
//! `transactional.id`'s InitProducerId, AddPartitionsToTxn and EndTxn in [`txn`].

mod send;
mod txn;

pub use txn::TxnEnd;

use crate::clients::spec::{KeyMode, Partitioner, ProducerSpec};
use crate::clients::view::{ClientOrigin, ProducerSnapshot};
use crate::cluster::lab::Cluster;
use crate::cluster::types::{ClientId, TopicPartition};
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::partitioner::{QueueLoad, RoundRobin, UniformSticky, partition_for_key};

/// At most this many batches wait for retries; older ones fail, so memory stays bounded
/// (Kafka's `buffer.memory` plays this role).
const MAX_QUEUED_BATCHES: usize = 1_000;

/// A batch being filled or sent.
#[derive(Clone, Debug)]
struct ProducerBatch {
    partition: i32,
    records: Vec<(Option<Bytes>, Bytes, i64)>,
    bytes: usize,
    created_ms: i64,
    attempts: u32,
    not_before_ms: i64,
    /// The idempotent producer's first sequence, given at its first send and kept by retries.
    seq: Option<i32>,
}

/// An idempotent producer's id, epoch and next sequence per partition.
#[derive(Clone, Debug)]
struct Idempotence {
    producer_id: i64,
    epoch: i16,
    next_seq: BTreeMap<i32, i32>,
    /// A sequence was lost for good (a batch failed): bump the epoch once nothing is in flight.
    bump_needed: bool,
}

/// A batch sent with `acks=all`, waiting for its ticket.
#[derive(Clone, Debug)]
struct InFlight {
    ticket: u64,
    batch: ProducerBatch,
}

/// A simulated producer.
#[derive(Clone)]
pub struct SimProducer {
    /// Lab-wide id.
    pub id: ClientId,
    /// `client.id`.
    pub client_id: String,
    /// Settings.
    pub spec: ProducerSpec,
    /// Whether it still runs.
    pub running: bool,
    metadata: BTreeMap<i32, i32>,
    metadata_stale: bool,
    open_batches: BTreeMap<i32, ProducerBatch>,
    /// Sealed batches waiting to be sent or retried, per partition in the order they go out.
    queued: BTreeMap<i32, VecDeque<ProducerBatch>>,
    in_flight: Vec<InFlight>,
    sticky: UniformSticky,
    round_robin: RoundRobin,
    /// Partitions whose failure was already reported, so a retry storm is one timeline line.
    failing: BTreeSet<i32>,
    /// Partitions whose expired batches were already reported, so an outage is one line.
    expired: BTreeSet<i32>,
    idempotence: Option<Idempotence>,
    carry: f64,
    next_key: u64,
    next_value: u64,
    /// Records sent.
    pub sent: u64,
    /// Records acknowledged.
    pub acknowledged: u64,
    /// Records failed for good.
    pub failed: u64,
    /// Retries made.
    pub retried: u64,
    /// Acknowledged (partition, offset, value) of the last step, for checks that follow records.
    pub recent_acks: Vec<(TopicPartition, i64, Bytes)>,
    /// Transactions whose EndTxn was answered in the last step.
    pub recent_txn_ends: Vec<TxnEnd>,
    /// Frozen (a long GC pause): it takes no step until resumed.
    pub paused: bool,
    killed: bool,
    txn: Option<txn::Transactional>,
}

impl SimProducer {
    /// A producer that has not sent anything yet.
    pub fn new(id: ClientId, client_id: String, spec: ProducerSpec) -> Self {
        Self {
            id,
            client_id,
            running: true,
            metadata: BTreeMap::new(),
            metadata_stale: true,
            open_batches: BTreeMap::new(),
            queued: BTreeMap::new(),
            in_flight: Vec::new(),
            sticky: UniformSticky::new(),
            round_robin: RoundRobin::new(),
            failing: Default::default(),
            expired: Default::default(),
            idempotence: None,
            carry: 0.0,
            next_key: 0,
            next_value: 0,
            sent: 0,
            acknowledged: 0,
            failed: 0,
            retried: 0,
            recent_acks: Vec::new(),
            recent_txn_ends: Vec::new(),
            paused: false,
            killed: false,
            txn: spec.transactional_id.clone().map(txn::Transactional::new),
            spec,
        }
    }

    /// Whether it was killed.
    pub fn is_killed(&self) -> bool {
        self.killed
    }

    /// Crashes it: nothing more is sent or read, and a transaction it had open stays open.
    pub fn kill(&mut self, lab: &mut Cluster) {
        self.killed = true;
        self.running = false;
        for f in std::mem::take(&mut self.in_flight) {
            lab.forget_ticket(f.ticket);
        }
        self.txn_forget(lab);
        self.queued.clear();
        self.open_batches.clear();
    }

    /// The number of its open (or last) transaction, for checks that follow records into
    /// transactions: every record acknowledged in a step belongs to it.
    pub fn transaction_number(&self) -> Option<u64> {
        self.txn.as_ref().map(|t| t.number())
    }

    /// Its transactional state, if it has a `transactional.id`.
    pub fn transaction_state(&self) -> Option<crate::clients::view::ProducerTxnState> {
        self.txn.as_ref().map(|t| t.state())
    }

    /// Its producer id and epoch, once InitProducerId answered.
    pub fn producer_epoch(&self) -> Option<(i64, i16)> {
        self.idempotence.as_ref().map(|i| (i.producer_id, i.epoch))
    }

    /// Dashboard view.
    pub fn snapshot(&self) -> ProducerSnapshot {
        ProducerSnapshot {
            id: self.id,
            client_id: self.client_id.clone(),
            origin: ClientOrigin::Simulated,
            topic: self.spec.topic.clone(),
            rate_per_sec: self.spec.rate_per_sec,
            acks: self.spec.acks,
            key_mode: self.spec.key_mode,
            partitioner: self.spec.partitioner,
            batch_size: self.spec.batch_size,
            sent: self.sent,
            acknowledged: self.acknowledged,
            failed: self.failed,
            retried: self.retried,
            running: self.running,
            idempotent: self.spec.idempotent(),
            producer_id: self.idempotence.as_ref().map(|i| i.producer_id),
            transactional_id: self.txn.as_ref().map(|t| t.id().to_string()),
            transaction: self.txn.as_ref().map(|t| t.state()),
            transactions_ended: self.txn.as_ref().map_or((0, 0), |t| t.ended()),
            paused: self.paused,
            killed: self.killed,
        }
    }

    fn refresh_metadata(&mut self, lab: &Cluster) {
        self.metadata.clear();
        if let Some(n) = lab.partition_count(&self.spec.topic) {
            for p in 0..n {
                let tp = TopicPartition::new(self.spec.topic.clone(), p);
                if let Some(l) = lab.leader_of(&tp) {
                    self.metadata.insert(p, l);
                }
            }
        }
        self.metadata_stale = false;
    }

    /// One step: make records due at the rate, seal batches by linger/size, send, collect acks.
    pub fn step(&mut self, lab: &mut Cluster, step_ms: i64) {
        self.recent_acks.clear();
        self.recent_txn_ends.clear();
        if self.metadata_stale {
            self.refresh_metadata(lab);
        }
        let now = lab.now_ms();
        let Some(partitions) = lab.partition_count(&self.spec.topic) else {
            return;
        };
        self.txn_poll(lab, now);
        if self.txn.is_none() && self.spec.idempotent() && self.idempotence.is_none() {
            // InitProducerId before the first send, as Kafka's producer does.
            let (producer_id, epoch) = lab.init_producer_id(None);
            self.idempotence = Some(Idempotence {
                producer_id,
                epoch,
                next_seq: BTreeMap::new(),
                bump_needed: false,
            });
        }
        // A transactional application appends only inside a transaction: never while it waits for
        // InitProducerId or for its commit (Kafka's `commitTransaction` blocks).
        if self.running && self.txn.as_ref().is_none_or(|t| t.may_append()) {
            self.carry += self.spec.rate_per_sec * step_ms as f64 / 1000.0;
            while self.carry >= 1.0 {
                self.carry -= 1.0;
                self.begin_if_ready(now);
                self.make_record(lab, partitions, now);
            }
        }
        // Seal batches whose linger.ms has passed.
        let due: Vec<i32> = self
            .open_batches
            .iter()
            .filter(|(_, b)| now - b.created_ms >= self.spec.linger_ms as i64)
            .map(|(p, _)| *p)
            .collect();
        for p in due {
            if let Some(b) = self.open_batches.remove(&p) {
                self.seal(b);
            }
        }
        self.expire_queued(lab, now);
        self.send_queued(lab, now);
        self.collect_acks(lab, now);
        self.txn_advance(lab, now);
    }

    fn make_record(&mut self, lab: &mut Cluster, partitions: i32, now: i64) {
        let key = match self.spec.key_mode {
            KeyMode::None => None,
            KeyMode::Keyed { distinct_keys } => {
                let k = self.next_key % distinct_keys.max(1) as u64;
                self.next_key += 1;
                Some(Bytes::from(format!("key-{k}")))
            }
        };
        let partition = match (&key, self.spec.partitioner) {
            (_, Partitioner::RoundRobin) => {
                let available: Vec<i32> = self.metadata.keys().copied().collect();
                self.round_robin.partition(&available, partitions)
            }
            (Some(k), Partitioner::Sticky) => partition_for_key(k, partitions),
            (None, Partitioner::Sticky) => {
                let loads = self.queue_loads();
                self.sticky.partition(&loads, partitions, lab.rng_mut())
            }
        };
        let mut value = format!("{}#{}", self.client_id, self.next_value).into_bytes();
        self.next_value += 1;
        if value.len() < self.spec.value_bytes {
            value.resize(self.spec.value_bytes, b'.');
        }
        let value = Bytes::from(value);
        let size = value.len() + key.as_ref().map_or(0, |k| k.len()) + 20;
        let batch = self.open_batches.entry(partition).or_insert(ProducerBatch {
            partition,
            records: Vec::new(),
            bytes: 0,
            created_ms: now,
            attempts: 0,
            not_before_ms: now,
            seq: None,
        });
        let unkeyed_sticky = key.is_none() && self.spec.partitioner == Partitioner::Sticky;
        batch.records.push((key, value, now));
        batch.bytes += size;
        self.sent += 1;
        if batch.bytes >= self.spec.batch_size
            && let Some(b) = self.open_batches.remove(&partition)
        {
            self.seal(b);
        }
        if unkeyed_sticky {
            let loads = self.queue_loads();
            let batch_size = self.spec.batch_size;
            self.sticky
                .on_append(size, batch_size, &loads, partitions, lab.rng_mut());
        }
    }

    /// Partitions with a known leader and the batches waiting for each (open or sealed), which
    /// the adaptive sticky partitioner weighs.
    fn queue_loads(&self) -> Vec<QueueLoad> {
        self.metadata
            .keys()
            .map(|&partition| QueueLoad {
                partition,
                queued_batches: self.queued.get(&partition).map_or(0, VecDeque::len)
                    + usize::from(self.open_batches.contains_key(&partition)),
            })
            .collect()
    }

    fn seal(&mut self, batch: ProducerBatch) {
        let queued: usize = self.queued.values().map(VecDeque::len).sum();
        if queued >= MAX_QUEUED_BATCHES {
            // The oldest waiting batch fails (Kafka's `buffer.memory` runs out).
            let oldest = self
                .queued
                .iter()
                .filter_map(|(p, q)| q.front().map(|b| (b.created_ms, *p)))
                .min();
            if let Some(old) = oldest.and_then(|(_, p)| self.queued.get_mut(&p)?.pop_front()) {
                self.failed += old.records.len() as u64;
                self.note_lost_sequence(&old);
            }
        }
        self.queued
            .entry(batch.partition)
            .or_default()
            .push_back(batch);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod txn_tests;
