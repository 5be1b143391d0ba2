//! Sending a producer's batches as Kafka's sender does: per partition in order, at most
//! `max.in.flight.requests.per.connection` unanswered, retries after an exponential backoff until
//! `delivery.timeout.ms`, and the idempotent producer's sequences.
//!
//! Order across retries is where idempotence matters. Without it, a failed batch goes back to the
//! head of its partition's queue (Kafka's `addFirst`), so several failed in-flight batches are
//! resent in reverse, and a batch the leader did write but never acknowledged is written again.
//! With it, every batch carries its sequence, retries go back in sequence order and are sent only
//! as the first in flight, and the broker answers a retry it already has with the original offsets.

use super::{InFlight, ProducerBatch, SimProducer};
use crate::clients::backoff::retry_backoff_ms;
use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, ProduceError};
use crate::cluster::lab::{Cluster, ProduceAck, ProduceOutcome};
use crate::cluster::types::{Acks, TopicPartition};
use crate::log::batch::{ProducerStamp, encode_stamped_records, encode_transactional_records};

impl SimProducer {
    fn tp(&self, partition: i32) -> TopicPartition {
        TopicPartition::new(self.spec.topic.clone(), partition)
    }

    fn in_flight_to(&self, partition: i32) -> usize {
        self.in_flight
            .iter()
            .filter(|f| f.batch.partition == partition)
            .count()
    }

    fn delivery_expired(&self, batch: &ProducerBatch, now: i64) -> bool {
        now - batch.created_ms >= self.spec.delivery_timeout_ms as i64
    }

    /// Sends what each partition may send now, oldest first.
    pub(super) fn send_queued(&mut self, lab: &mut Cluster, now: i64) {
        self.maybe_bump_epoch(lab);
        if self.txn.is_none() && self.idempotence.as_ref().is_some_and(|i| i.bump_needed) {
            // Nothing new goes out until the in-flight batches are answered and the epoch is new.
            return;
        }
        let partitions: Vec<i32> = self.queued.keys().copied().collect();
        for p in partitions {
            self.send_partition(lab, p, now);
        }
        self.queued.retain(|_, q| !q.is_empty());
    }

    fn send_partition(&mut self, lab: &mut Cluster, p: i32, now: i64) {
        loop {
            let in_flight = self.in_flight_to(p);
            let Some(front) = self.queued.get(&p).and_then(|q| q.front()) else {
                return;
            };
            // The head waits out its backoff and holds the partition's later batches back.
            if front.not_before_ms > now || in_flight >= self.spec.max_in_flight as usize {
                return;
            }
            // A transaction writes to a partition only once AddPartitionsToTxn added it.
            if self.txn.as_ref().is_some_and(|t| !t.may_send(p)) {
                return;
            }
            // An idempotent retry goes only as the first in flight, so no sequence overtakes it.
            if self.idempotence.is_some() && front.seq.is_some() && in_flight > 0 {
                return;
            }
            let Some(mut batch) = self.queued.get_mut(&p).and_then(|q| q.pop_front()) else {
                return;
            };
            let tp = self.tp(p);
            let Some(&leader) = self.metadata.get(&p) else {
                self.metadata_stale = true;
                self.retry_or_fail(lab, batch, KafkaError::LeaderNotAvailable, now);
                return;
            };
            let stamp = self.stamp(&mut batch);
            let records: Vec<_> = batch
                .records
                .iter()
                .map(|(k, v, ts)| (k.clone(), Some(v.clone()), *ts))
                .collect();
            // Plain records without compression always encode; an empty batch is the fallback.
            let encoded = match stamp {
                Some(stamp) if self.txn.is_some() => {
                    encode_transactional_records(&records, 0, stamp).unwrap_or_default()
                }
                _ => encode_stamped_records(&records, 0, stamp).unwrap_or_default(),
            };
            let timeout_ms = self.spec.request_timeout_ms as i64;
            match lab.produce(leader, &tp, &encoded, self.spec.acks, timeout_ms) {
                ProduceOutcome::Done(Ok(ack)) => self.acked(&batch, ack),
                ProduceOutcome::Done(Err(_)) if self.spec.acks == Acks::None => {
                    // acks=0: the producer never hears about failures.
                    self.acknowledged += batch.records.len() as u64;
                }
                ProduceOutcome::Done(Err(e)) => {
                    self.retry_or_fail(lab, batch, e, now);
                    return;
                }
                ProduceOutcome::Pending(ticket) => self.in_flight.push(InFlight { ticket, batch }),
            }
        }
    }

    /// The idempotent producer's stamp: a sequence given at the first send, kept by retries.
    fn stamp(&mut self, batch: &mut ProducerBatch) -> Option<ProducerStamp> {
        let idem = self.idempotence.as_mut()?;
        let seq = *batch.seq.get_or_insert_with(|| {
            let next = idem.next_seq.entry(batch.partition).or_insert(0);
            let seq = *next;
            *next = crate::log::batch::increment_sequence(*next, batch.records.len() as i32);
            seq
        });
        Some(ProducerStamp {
            producer_id: idem.producer_id,
            producer_epoch: idem.epoch,
            base_sequence: seq,
        })
    }

    fn acked(&mut self, batch: &ProducerBatch, ack: ProduceAck) {
        self.failing.remove(&batch.partition);
        self.expired.remove(&batch.partition);
        self.acknowledged += batch.records.len() as u64;
        if self.spec.acks == Acks::None {
            return;
        }
        let tp = self.tp(batch.partition);
        for (i, r) in batch.records.iter().enumerate() {
            self.recent_acks
                .push((tp.clone(), ack.base_offset + i as i64, r.1.clone()));
        }
    }

    /// Takes the answers to `acks=all` batches; a batch past `delivery.timeout.ms` stops waiting.
    pub(super) fn collect_acks(&mut self, lab: &mut Cluster, now: i64) {
        // In send order, so a batch is settled before the ones sent after it.
        for f in std::mem::take(&mut self.in_flight) {
            match lab.take_completion(f.ticket) {
                None if self.delivery_expired(&f.batch, now) => {
                    lab.forget_ticket(f.ticket);
                    self.fail_expired(lab, f.batch);
                }
                None => self.in_flight.push(f),
                Some(Ok(ack)) => self.acked(&f.batch, ack),
                Some(Err(e)) => self.retry_or_fail(lab, f.batch, e, now),
            }
        }
    }

    /// Fails queued batches older than `delivery.timeout.ms` (an offline partition's, say).
    pub(super) fn expire_queued(&mut self, lab: &mut Cluster, now: i64) {
        let timeout_ms = self.spec.delivery_timeout_ms as i64;
        let mut expired = Vec::new();
        for q in self.queued.values_mut() {
            let (old, keep): (Vec<_>, Vec<_>) =
                q.drain(..).partition(|b| now - b.created_ms >= timeout_ms);
            q.extend(keep);
            expired.extend(old);
        }
        for batch in expired {
            self.fail_expired(lab, batch);
        }
    }

    fn retry_or_fail(
        &mut self,
        lab: &mut Cluster,
        mut batch: ProducerBatch,
        error: KafkaError,
        now: i64,
    ) {
        if matches!(
            error,
            KafkaError::NotLeaderOrFollower | KafkaError::LeaderNotAvailable
        ) {
            self.metadata_stale = true;
        }
        if self.txn.is_some()
            && matches!(
                error,
                KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch
            )
        {
            // A newer producer has the transactional.id: fatal, as in Kafka's producer.
            self.failed += batch.records.len() as u64;
            self.fence(lab, error);
            return;
        }
        if self.delivery_expired(&batch, now) {
            self.fail_expired(lab, batch);
            return;
        }
        let idempotent = self.idempotence.is_some();
        let out_of_order = error == KafkaError::OutOfOrderSequence && idempotent;
        if out_of_order && !self.earlier_unresolved(&batch) {
            // The broker lost the sequences before this one (an unclean election, acks=1 lost on
            // failover): as Kafka's producer (KIP-360), bump the epoch and start again at 0.
            if let Some(i) = self.idempotence.as_mut() {
                i.bump_needed = true;
            }
        }
        if (error.is_retriable() || out_of_order) && batch.attempts < self.spec.retries {
            // Report a partition's first failure only, until it succeeds again.
            if self.failing.insert(batch.partition) {
                lab.emit_event(EventKind::ProduceFailed {
                    client: self.client_id.clone(),
                    tp: self.tp(batch.partition),
                    error: ProduceError {
                        error,
                        retrying: true,
                        expired_after_ms: None,
                    },
                });
            }
            let (initial, max) = (self.spec.retry_backoff_ms, self.spec.retry_backoff_max_ms);
            let wait = retry_backoff_ms(initial, max, batch.attempts, lab.rng_mut());
            batch.attempts += 1;
            batch.not_before_ms = now + wait;
            self.retried += 1;
            self.requeue(batch);
        } else {
            self.failed += batch.records.len() as u64;
            self.note_lost_sequence(&batch);
            lab.emit_event(EventKind::ProduceFailed {
                client: self.client_id.clone(),
                tp: self.tp(batch.partition),
                error: ProduceError {
                    error,
                    retrying: false,
                    expired_after_ms: None,
                },
            });
        }
    }

    /// Whether a batch sent before this one is still unanswered or waiting to be retried.
    fn earlier_unresolved(&self, batch: &ProducerBatch) -> bool {
        let Some(seq) = batch.seq else { return false };
        let earlier = |b: &ProducerBatch| b.partition == batch.partition && b.seq < Some(seq);
        self.in_flight.iter().any(|f| earlier(&f.batch))
            || self
                .queued
                .get(&batch.partition)
                .is_some_and(|q| q.iter().any(|b| b.seq.is_some() && earlier(b)))
    }

    /// Puts a failed batch back to be retried: in sequence order when idempotent, else at the head
    /// of its partition's queue as Kafka's producer does.
    fn requeue(&mut self, batch: ProducerBatch) {
        let q = self.queued.entry(batch.partition).or_default();
        match batch.seq.filter(|_| self.idempotence.is_some()) {
            Some(seq) => {
                let at = q
                    .iter()
                    .position(|b| b.seq.is_none_or(|s| s > seq))
                    .unwrap_or(q.len());
                q.insert(at, batch);
            }
            None => q.push_front(batch),
        }
    }

    /// Fails a batch whose `delivery.timeout.ms` ran out; the timeline hears once per outage.
    fn fail_expired(&mut self, lab: &mut Cluster, batch: ProducerBatch) {
        self.failed += batch.records.len() as u64;
        self.note_lost_sequence(&batch);
        if self.expired.insert(batch.partition) {
            lab.emit_event(EventKind::ProduceFailed {
                client: self.client_id.clone(),
                tp: self.tp(batch.partition),
                error: ProduceError {
                    error: KafkaError::RequestTimedOut,
                    retrying: false,
                    expired_after_ms: Some(self.spec.delivery_timeout_ms as i64),
                },
            });
        }
    }

    /// A batch with a sequence failed for good: the broker will wait for it forever, so the
    /// producer needs a new epoch (Kafka bumps it for idempotent producers, KIP-360).
    pub(super) fn note_lost_sequence(&mut self, batch: &ProducerBatch) {
        if batch.seq.is_some()
            && let Some(i) = self.idempotence.as_mut()
        {
            i.bump_needed = true;
        }
        if let Some(t) = self.txn.as_mut() {
            t.set_abortable();
        }
    }

    /// Bumps the epoch once nothing is in flight; every waiting batch gets a new sequence from 0.
    fn maybe_bump_epoch(&mut self, lab: &mut Cluster) {
        let Some(i) = self.idempotence.as_mut() else {
            return;
        };
        if self.txn.is_some() {
            // A transactional producer aborts first, then bumps through its coordinator.
            return;
        }
        if !i.bump_needed || !self.in_flight.is_empty() {
            return;
        }
        let (producer_id, epoch) = lab.init_producer_id(Some((i.producer_id, i.epoch)));
        i.producer_id = producer_id;
        i.epoch = epoch;
        i.next_seq.clear();
        i.bump_needed = false;
        for b in self.queued.values_mut().flatten() {
            b.seq = None;
        }
    }
}
