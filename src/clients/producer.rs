//! A simulated producer that behaves like Kafka's: partitioner, batching by `linger.ms` and
//! `batch.size`, `acks`, retries with backoff, and a metadata refresh on NOT_LEADER_OR_FOLLOWER.

use crate::clients::spec::KeyMode;
use crate::clients::spec::ProducerSpec;
use crate::clients::view::{ClientOrigin, ProducerSnapshot};
use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, ProduceError};
use crate::cluster::lab::{Cluster, ProduceOutcome};
use crate::cluster::types::{Acks, ClientId, TopicPartition};
use bytes::Bytes;
use std::collections::{BTreeMap, VecDeque};

use super::partitioner::{StickyPartitioner, partition_for_key};

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
}

/// A batch sent with `acks=all`, waiting for its ticket.
#[derive(Clone, Debug)]
struct InFlight {
    ticket: u64,
    batch: ProducerBatch,
}

/// A simulated producer.
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
    ready: VecDeque<ProducerBatch>,
    in_flight: Vec<InFlight>,
    sticky: StickyPartitioner,
    /// Partitions whose failure was already reported, so a retry storm is one timeline line.
    failing: std::collections::BTreeSet<i32>,
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
}

impl SimProducer {
    /// A producer that has not sent anything yet.
    pub fn new(id: ClientId, client_id: String, spec: ProducerSpec) -> Self {
        Self {
            id,
            client_id,
            spec,
            running: true,
            metadata: BTreeMap::new(),
            metadata_stale: true,
            open_batches: BTreeMap::new(),
            ready: VecDeque::new(),
            in_flight: Vec::new(),
            sticky: StickyPartitioner::new(),
            failing: Default::default(),
            carry: 0.0,
            next_key: 0,
            next_value: 0,
            sent: 0,
            acknowledged: 0,
            failed: 0,
            retried: 0,
            recent_acks: Vec::new(),
        }
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
            sent: self.sent,
            acknowledged: self.acknowledged,
            failed: self.failed,
            retried: self.retried,
            running: self.running,
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
        if self.metadata_stale {
            self.refresh_metadata(lab);
        }
        let now = lab.now_ms();
        let Some(partitions) = lab.partition_count(&self.spec.topic) else {
            return;
        };
        if self.running {
            self.carry += self.spec.rate_per_sec * step_ms as f64 / 1000.0;
            while self.carry >= 1.0 {
                self.carry -= 1.0;
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
        self.send_ready(lab, now);
        self.collect_acks(lab, now);
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
        let partition = match &key {
            Some(k) => partition_for_key(k, partitions),
            None => {
                let available: Vec<i32> = self.metadata.keys().copied().collect();
                self.sticky.partition(&available, partitions, lab.rng_mut())
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
        });
        batch.records.push((key, value, now));
        batch.bytes += size;
        self.sent += 1;
        if batch.bytes >= self.spec.batch_size
            && let Some(b) = self.open_batches.remove(&partition)
        {
            self.seal(b);
        }
    }

    fn seal(&mut self, batch: ProducerBatch) {
        if self.spec.key_mode == KeyMode::None {
            // Sticky partitioner: a full or lingered batch moves the producer to a new partition.
            self.sticky.on_new_batch();
        }
        if self.ready.len() >= MAX_QUEUED_BATCHES
            && let Some(old) = self.ready.pop_front()
        {
            self.failed += old.records.len() as u64;
        }
        self.ready.push_back(batch);
    }

    fn send_ready(&mut self, lab: &mut Cluster, now: i64) {
        let mut waiting = VecDeque::new();
        while let Some(batch) = self.ready.pop_front() {
            if batch.not_before_ms > now {
                waiting.push_back(batch);
                continue;
            }
            let tp = TopicPartition::new(self.spec.topic.clone(), batch.partition);
            let Some(&leader) = self.metadata.get(&batch.partition) else {
                self.metadata_stale = true;
                self.retry_or_fail(
                    lab,
                    batch,
                    KafkaError::LeaderNotAvailable,
                    now,
                    &mut waiting,
                );
                continue;
            };
            let encoded = crate::log::batch::encode_batch(&batch.records);
            match lab.produce(
                leader,
                &tp,
                &encoded,
                self.spec.acks,
                self.spec.request_timeout_ms as i64,
            ) {
                ProduceOutcome::Done(Ok(ack)) => {
                    self.failing.remove(&batch.partition);
                    self.acknowledged += batch.records.len() as u64;
                    if self.spec.acks != Acks::None {
                        for (i, r) in batch.records.iter().enumerate() {
                            self.recent_acks.push((
                                tp.clone(),
                                ack.base_offset + i as i64,
                                r.1.clone(),
                            ));
                        }
                    }
                }
                ProduceOutcome::Done(Err(e)) => {
                    if self.spec.acks == Acks::None {
                        // acks=0: the producer never hears about failures.
                        self.acknowledged += batch.records.len() as u64;
                    } else {
                        self.retry_or_fail(lab, batch, e, now, &mut waiting);
                    }
                }
                ProduceOutcome::Pending(ticket) => self.in_flight.push(InFlight { ticket, batch }),
            }
        }
        self.ready = waiting;
    }

    fn collect_acks(&mut self, lab: &mut Cluster, now: i64) {
        let in_flight = std::mem::take(&mut self.in_flight);
        let mut waiting = VecDeque::new();
        for f in in_flight {
            match lab.take_completion(f.ticket) {
                None => self.in_flight.push(f),
                Some(Ok(ack)) => {
                    self.failing.remove(&f.batch.partition);
                    self.acknowledged += f.batch.records.len() as u64;
                    let tp = TopicPartition::new(self.spec.topic.clone(), f.batch.partition);
                    for (i, r) in f.batch.records.iter().enumerate() {
                        self.recent_acks.push((
                            tp.clone(),
                            ack.base_offset + i as i64,
                            r.1.clone(),
                        ));
                    }
                }
                Some(Err(e)) => self.retry_or_fail(lab, f.batch, e, now, &mut waiting),
            }
        }
        self.ready.extend(waiting);
    }

    fn retry_or_fail(
        &mut self,
        lab: &mut Cluster,
        mut batch: ProducerBatch,
        error: KafkaError,
        now: i64,
        queue: &mut VecDeque<ProducerBatch>,
    ) {
        if matches!(
            error,
            KafkaError::NotLeaderOrFollower | KafkaError::LeaderNotAvailable
        ) {
            self.metadata_stale = true;
        }
        let tp = TopicPartition::new(self.spec.topic.clone(), batch.partition);
        if error.is_retriable() && batch.attempts < self.spec.retries {
            // Report a partition's first failure only, until it succeeds again.
            if self.failing.insert(batch.partition) {
                lab.emit_event(EventKind::ProduceFailed {
                    client: self.client_id.clone(),
                    tp,
                    error: ProduceError {
                        error,
                        retrying: true,
                    },
                });
            }
            batch.attempts += 1;
            batch.not_before_ms = now + self.spec.retry_backoff_ms as i64;
            self.retried += 1;
            queue.push_back(batch);
        } else {
            self.failed += batch.records.len() as u64;
            lab.emit_event(EventKind::ProduceFailed {
                client: self.client_id.clone(),
                tp,
                error: ProduceError {
                    error,
                    retrying: false,
                },
            });
        }
    }
}
