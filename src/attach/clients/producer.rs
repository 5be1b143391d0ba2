//! A producer the dashboard started on a real cluster: a tokio task with its own connections.
//! It makes records at its rate (wall-clock pacing: attach talks to a real cluster), sends each
//! partition's batch to the leader Metadata names, one batch per partition in flight (so order
//! holds without more bookkeeping), and retries as Kafka's `Sender` does: a Metadata refresh when
//! the leader moved, `retry.backoff.ms` doubling to `retry.backoff.max.ms`, until
//! `delivery.timeout.ms`. Idempotent (InitProducerId, sequence numbers) when the spec asks and the
//! cluster serves InitProducerId.

use super::metadata::{TopicLeaders, leaders};
use super::produce::{Outcome, ProducerIdentity, outcomes, request};
use super::records::{Accumulator, Batch, RECORDS_PENDING_MAX};
use super::{ClientLink, now_epoch_ms};
use crate::attach::session::{AttachError, Session, error_name, timed};
use crate::clients::backoff::retry_backoff_ms;
use crate::clients::spec::ProducerSpec;
use crate::clients::view::ProducerSnapshot;
use crate::cluster::types::{Acks, BrokerId};
use kafka_protocol::messages::{ApiKey, InitProducerIdRequest};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

/// How often the producer makes records and sends what is ready (its `linger.ms` when longer).
const SEND_TICK: Duration = Duration::from_millis(20);
/// The most send rounds (one batch per partition each) in one tick: a limit on every loop.
const ROUNDS_PER_TICK_MAX: usize = 16;

/// What the dashboard may change while the producer runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProducerControl {
    /// Records per second.
    pub rate_per_sec: f64,
    /// Stop: send what was made, then end.
    pub stop: bool,
}

struct Producer {
    spec: ProducerSpec,
    session: Session,
    link: ClientLink<ProducerSnapshot>,
    leaders: Option<TopicLeaders>,
    identity: Option<ProducerIdentity>,
    /// Whether to ask InitProducerId (idempotence wanted, not refused by the cluster).
    idempotent: bool,
    /// Next sequence per partition (bounded by the topic's partitions).
    sequences: BTreeMap<i32, i32>,
    /// Sealed batches in send order (at most [`RECORDS_PENDING_MAX`] records with the open ones).
    queue: VecDeque<Batch>,
    not_before: Instant,
    refresh: bool,
    rng: ChaCha8Rng,
}

/// Runs the producer until it is stopped (the control says so, or its sender is dropped).
pub async fn run(
    spec: ProducerSpec,
    session: Session,
    link: ClientLink<ProducerSnapshot>,
    mut control: tokio::sync::watch::Receiver<ProducerControl>,
) {
    let seed = u64::from(link.id) ^ now_epoch_ms() as u64;
    let client_id = link.client_id.clone();
    let mut p = Producer {
        idempotent: spec.idempotent(),
        spec,
        session,
        link,
        leaders: None,
        identity: None,
        sequences: BTreeMap::new(),
        queue: VecDeque::new(),
        not_before: Instant::now(),
        refresh: true,
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    let mut acc = Accumulator::new(&client_id, &p.spec, ChaCha8Rng::seed_from_u64(seed ^ 1));
    let tick_every = SEND_TICK.max(Duration::from_millis(p.spec.linger_ms));
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut credit = 0.0_f64;
    let mut last = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = control.changed() => if changed.is_err() { break },
        }
        let ctl = *control.borrow();
        let now = Instant::now();
        if !p.ready(now).await {
            continue;
        }
        let Some(leaders) = p.leaders.clone() else {
            continue;
        };
        if !ctl.stop {
            // Credit for the time passed, capped at a second's worth so a stall is no burst.
            let rate = ctl.rate_per_sec.max(0.0);
            credit = (credit + rate * now.duration_since(last).as_secs_f64()).min(rate.max(1.0));
            let queued = p.queued_per_partition();
            while credit >= 1.0 && p.pending(&acc) < RECORDS_PENDING_MAX {
                acc.append(&leaders, &queued, now_epoch_ms());
                p.link.update(|s| s.sent += 1);
                credit -= 1.0;
            }
        }
        last = now;
        p.queue.extend(acc.drain());
        p.send_rounds(&leaders).await;
        if ctl.stop && p.queue.is_empty() {
            break;
        }
    }
    p.link.update(|s| s.running = false);
}

impl Producer {
    fn pending(&self, acc: &Accumulator) -> usize {
        acc.open_records() + self.queue.iter().map(|b| b.records.len()).sum::<usize>()
    }

    fn queued_per_partition(&self) -> BTreeMap<i32, usize> {
        let mut out = BTreeMap::new();
        for b in &self.queue {
            *out.entry(b.partition).or_insert(0) += 1;
        }
        out
    }

    /// Metadata and the producer id, when needed and the backoff allows; false while waiting.
    async fn ready(&mut self, now: Instant) -> bool {
        if now < self.not_before {
            return false;
        }
        if self.refresh || self.leaders.is_none() {
            let topic = self.spec.topic.clone();
            match leaders(&mut self.session, std::slice::from_ref(&topic)).await {
                Ok(mut l) => match l.remove(&topic) {
                    Some(t) if t.count() > 0 => {
                        self.leaders = Some(t);
                        self.refresh = false;
                        self.session.retain_brokers();
                    }
                    _ => return self.back_off(format!("Metadata: {topic} has no partitions")),
                },
                Err(e) => return self.back_off(e.to_string()),
            }
        }
        if self.idempotent && self.identity.is_none() {
            match self.init_producer_id().await {
                Ok(id) => {
                    self.identity = Some(id);
                    self.sequences.clear();
                    self.link.update(|s| {
                        s.producer_id = Some(id.producer_id);
                        s.idempotent = true;
                    });
                }
                Err(AttachError::Unsupported(_)) => {
                    // An old cluster: Kafka's producer would refuse idempotence; this one says so
                    // and sends without it rather than sending nothing.
                    self.idempotent = false;
                    self.link
                        .error("InitProducerId unsupported: sending without idempotence");
                }
                Err(e) => return self.back_off(e.to_string()),
            }
        }
        true
    }

    fn back_off(&mut self, error: String) -> bool {
        self.link.error(&error);
        self.delay(1);
        false
    }

    fn delay(&mut self, attempts: u32) {
        let ms = retry_backoff_ms(
            self.spec.retry_backoff_ms,
            self.spec.retry_backoff_max_ms,
            attempts.saturating_sub(1),
            &mut self.rng,
        );
        self.not_before = Instant::now() + Duration::from_millis(ms.max(0) as u64);
    }

    async fn init_producer_id(&mut self) -> Result<ProducerIdentity, AttachError> {
        let version = self.session.version(ApiKey::InitProducerId, 0, 4)?;
        let request = InitProducerIdRequest::default()
            .with_transactional_id(None)
            .with_transaction_timeout_ms(i32::MAX)
            .with_producer_id((-1).into())
            .with_producer_epoch(-1);
        let r = self.session.call_any(request, version).await?;
        if r.error_code != 0 {
            return Err(AttachError::Kafka(format!(
                "InitProducerId: {}",
                error_name(r.error_code)
            )));
        }
        Ok(ProducerIdentity {
            producer_id: r.producer_id.0,
            epoch: r.producer_epoch,
        })
    }

    /// Sends the queue's batches, one per partition per round, until it is empty, something
    /// must wait for a backoff, or the round limit is reached.
    async fn send_rounds(&mut self, leaders: &TopicLeaders) {
        for _ in 0..ROUNDS_PER_TICK_MAX {
            if self.queue.is_empty() || Instant::now() < self.not_before {
                return;
            }
            let mut round: BTreeMap<BrokerId, Vec<Batch>> = BTreeMap::new();
            let mut taken = BTreeSet::new();
            let mut rest = VecDeque::new();
            let mut leaderless = Vec::new();
            for mut b in std::mem::take(&mut self.queue) {
                if !taken.insert(b.partition) {
                    rest.push_back(b);
                    continue;
                }
                if self.identity.is_some() && b.base_sequence.is_none() {
                    // Sequences are given when a batch first goes out, in the partition's order.
                    let seq = self.sequences.entry(b.partition).or_insert(0);
                    b.base_sequence = Some(*seq);
                    *seq = seq.wrapping_add(b.records.len() as i32) & i32::MAX;
                }
                match leaders.partitions.get(&b.partition).and_then(|l| l.broker) {
                    Some(broker) => round.entry(broker).or_default().push(b),
                    None => leaderless.push(b),
                }
            }
            let mut retry = Vec::new();
            for b in leaderless {
                retry.push((b, "LEADER_NOT_AVAILABLE".to_string(), true));
            }
            for (broker, batches) in round {
                retry.extend(self.send_to(broker, batches).await);
            }
            let failed_round = !retry.is_empty();
            retry.sort_by_key(|(b, _, _)| b.partition);
            for (b, error, refresh) in retry.into_iter().rev() {
                self.retry_or_fail(b, error, refresh, &mut rest);
            }
            self.queue = rest;
            if self.identity.is_none() {
                // A batch failed for good: the new epoch numbers every batch again from 0.
                for b in &mut self.queue {
                    b.base_sequence = None;
                }
            }
            if failed_round {
                return;
            }
        }
    }

    /// One Produce to `broker`; returns the batches to retry, with the error and whether the
    /// leader may have moved.
    async fn send_to(
        &mut self,
        broker: BrokerId,
        batches: Vec<Batch>,
    ) -> Vec<(Batch, String, bool)> {
        let acks: i16 = match self.spec.acks {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        };
        let timeout_ms = i32::try_from(self.spec.request_timeout_ms).unwrap_or(i32::MAX);
        let all_retry = |batches: Vec<Batch>, error: String| {
            batches
                .into_iter()
                .map(|b| (b, error.clone(), true))
                .collect()
        };
        let version = match self.session.version(ApiKey::Produce, 3, 12) {
            Ok(v) => v,
            Err(e) => return all_retry(batches, e.to_string()),
        };
        let req = match request(&self.spec.topic, &batches, acks, timeout_ms, self.identity) {
            Ok(r) => r,
            Err(e) => {
                self.fail(&batches, &format!("encoding: {e}"));
                return Vec::new();
            }
        };
        if acks == 0 {
            // Kafka's broker answers nothing at acks=0: written to the socket counts as sent.
            let sent = match self.session.take(broker).await {
                Ok(mut conn) => match timed(conn.send(req, version)).await {
                    Ok(()) => {
                        self.session.put(broker, conn);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e.to_string()),
            };
            return match sent {
                Ok(()) => {
                    self.acknowledge(&batches);
                    Vec::new()
                }
                Err(e) => all_retry(batches, e),
            };
        }
        let partitions: Vec<i32> = batches.iter().map(|b| b.partition).collect();
        let response = match self.session.call(broker, req, version).await {
            Ok(r) => r,
            Err(e) => return all_retry(batches, e.to_string()),
        };
        let by_partition = outcomes(&response, &partitions);
        let mut retry = Vec::new();
        for b in batches {
            match by_partition.get(&b.partition) {
                Some(Outcome::Acknowledged) => self.acknowledge(std::slice::from_ref(&b)),
                Some(Outcome::Retry { error, refresh }) => retry.push((b, error.clone(), *refresh)),
                Some(Outcome::Fail(error)) => {
                    let error = error.clone();
                    self.fail(std::slice::from_ref(&b), &error);
                }
                None => retry.push((b, "no answer".into(), true)),
            }
        }
        retry
    }

    fn retry_or_fail(
        &mut self,
        mut b: Batch,
        error: String,
        refresh: bool,
        rest: &mut VecDeque<Batch>,
    ) {
        b.attempts += 1;
        let expired = now_epoch_ms() - b.created_ms >= self.spec.delivery_timeout_ms as i64;
        if expired || b.attempts > self.spec.retries {
            let why = if expired {
                format!(
                    "{error} until delivery.timeout.ms ({} ms)",
                    self.spec.delivery_timeout_ms
                )
            } else {
                format!("{error} after {} retries", self.spec.retries)
            };
            self.fail(std::slice::from_ref(&b), &why);
            return;
        }
        self.link.update(|s| s.retried += 1);
        self.refresh |= refresh;
        self.delay(b.attempts);
        rest.push_front(b);
    }

    fn acknowledge(&mut self, batches: &[Batch]) {
        let n: usize = batches.iter().map(|b| b.records.len()).sum();
        self.link.update(|s| s.acknowledged += n as u64);
        self.link.clear_error();
    }

    fn fail(&mut self, batches: &[Batch], error: &str) {
        let n: usize = batches.iter().map(|b| b.records.len()).sum();
        self.link.update(|s| s.failed += n as u64);
        self.link.error(&format!("{n} records failed: {error}"));
        if self.identity.is_some() {
            // A gap in the sequence: a new producer epoch starts the sequences again (KIP-360),
            // as Kafka's idempotent producer does after a batch fails for good.
            self.identity = None;
        }
    }
}
