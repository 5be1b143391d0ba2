//! Real clients connected over the wire protocol, as the dashboard shows them: wire producers by
//! `client.id` with their measured rates, and the offsets real consumers fetch from. The request
//! handlers report what they saw; the lab turns [`WireProducerView`]s into dashboard rows.

use crate::cluster::event::{ClientDescription, EventKind};
use crate::cluster::lab::Cluster;
use crate::cluster::types::{Acks, ClientId, TopicPartition};
use std::collections::{BTreeMap, VecDeque};

/// Wire clients are numbered from here, apart from the lab's simulated clients (at most 1,000).
pub const WIRE_CLIENT_ID_BASE: ClientId = 100_000;

/// How far back a wire producer's rate is measured.
const RATE_WINDOW_MS: i64 = 5_000;
/// A wire producer silent this long is shown as stopped.
const IDLE_AFTER_MS: i64 = 30_000;
/// Wire producers remembered at most (the oldest idle one is forgotten first).
const MAX_WIRE_PRODUCERS: usize = 256;

/// One real producer, keyed by its `client.id`.
#[derive(Clone, Debug)]
pub struct WireProducer {
    id: ClientId,
    topic: String,
    acks: Acks,
    sent: u64,
    acknowledged: u64,
    failed: u64,
    /// The producer id its batches carry (idempotent producers).
    producer_id: Option<i64>,
    last_seen_ms: i64,
    /// (simulated ms, records acknowledged) in the rate window.
    recent: VecDeque<(i64, u64)>,
}

/// Fetch positions remembered at most.
const MAX_POSITIONS: usize = 100_000;

/// A wire producer as the dashboard shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct WireProducerView {
    /// Lab-wide client number.
    pub id: ClientId,
    /// `client.id`.
    pub client_id: String,
    /// The topic it last produced to.
    pub topic: String,
    /// Records/s acknowledged over the last few seconds.
    pub rate_per_sec: f64,
    /// `acks` of its last request.
    pub acks: Acks,
    /// Records sent.
    pub sent: u64,
    /// Records acknowledged.
    pub acknowledged: u64,
    /// Records failed.
    pub failed: u64,
    /// Whether it produced in the last 30 s.
    pub running: bool,
    /// The producer id its batches carry, if it is idempotent.
    pub producer_id: Option<i64>,
}

/// What the wire host knows of its clients.
#[derive(Clone, Debug, Default)]
pub struct WireClients {
    producers: BTreeMap<String, WireProducer>,
    next_id: ClientId,
    /// (client.id, partition) → the offset that client last fetched from.
    positions: BTreeMap<(String, TopicPartition), i64>,
}

impl WireClients {
    /// The offset a wire client last fetched `tp` from: its position, as the dashboard shows it.
    pub fn position(&self, client_id: &str, tp: &TopicPartition) -> Option<i64> {
        self.positions
            .get(&(client_id.to_string(), tp.clone()))
            .copied()
    }

    /// Records acknowledged by every wire producer (for the throughput sparkline).
    pub fn acknowledged_total(&self) -> u64 {
        self.producers.values().map(|p| p.acknowledged).sum()
    }
}

impl WireClients {
    /// Records a produce request from a real client: `records` sent, and whether they were
    /// acknowledged (`Some(true)`), failed (`Some(false)`) or are still waiting (`None`).
    pub fn note_produce(
        &mut self,
        cluster: &mut Cluster,
        client_id: &str,
        topic: &str,
        acks: Acks,
        records: u64,
        outcome: Option<bool>,
    ) {
        let now = cluster.now_ms();
        if !self.producers.contains_key(client_id) {
            if self.producers.len() >= MAX_WIRE_PRODUCERS {
                let oldest = self
                    .producers
                    .iter()
                    .min_by_key(|(_, p)| p.last_seen_ms)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.producers.remove(&k);
                }
            }
            let id = WIRE_CLIENT_ID_BASE + self.next_id;
            self.next_id = self.next_id.wrapping_add(1) % WIRE_CLIENT_ID_BASE;
            cluster.emit_event(EventKind::ClientSpawned {
                id,
                client_id: client_id.to_string(),
                description: ClientDescription::WireProducer {
                    topic: topic.to_string(),
                    acks: acks.to_string(),
                },
            });
            self.producers.insert(
                client_id.to_string(),
                WireProducer {
                    id,
                    topic: topic.to_string(),
                    acks,
                    sent: 0,
                    acknowledged: 0,
                    failed: 0,
                    producer_id: None,
                    last_seen_ms: now,
                    recent: VecDeque::new(),
                },
            );
        }
        let Some(p) = self.producers.get_mut(client_id) else {
            return;
        };
        p.topic = topic.to_string();
        p.acks = acks;
        p.last_seen_ms = now;
        match outcome {
            None => p.sent += records,
            Some(true) => {
                p.acknowledged += records;
                p.recent.push_back((now, records));
            }
            Some(false) => p.failed += records,
        }
        while p
            .recent
            .front()
            .is_some_and(|(t, _)| now - t > RATE_WINDOW_MS)
        {
            p.recent.pop_front();
        }
    }

    /// Records the producer id a real producer's batches carry (−1: not idempotent).
    pub fn note_producer_id(&mut self, client_id: &str, producer_id: i64) {
        if let Some(p) = self.producers.get_mut(client_id) {
            p.producer_id = (producer_id >= 0).then_some(producer_id);
        }
    }

    /// Records a real consumer's fetch position (its `client.id` and the offset it asked for).
    pub fn note_fetch(&mut self, client_id: &str, tp: &TopicPartition, offset: i64) {
        let key = (client_id.to_string(), tp.clone());
        if self.positions.len() >= MAX_POSITIONS && !self.positions.contains_key(&key) {
            self.positions.clear();
        }
        self.positions.insert(key, offset);
    }

    /// Snapshots of the wire producers, rates measured over the last few seconds.
    pub fn producer_views(&self, now: i64) -> Vec<WireProducerView> {
        self.producers
            .iter()
            .map(|(client_id, p)| {
                let in_window: u64 = p
                    .recent
                    .iter()
                    .filter(|(t, _)| now - t <= RATE_WINDOW_MS)
                    .map(|(_, n)| n)
                    .sum();
                let span_ms = RATE_WINDOW_MS.min(now.max(1));
                WireProducerView {
                    id: p.id,
                    client_id: client_id.clone(),
                    topic: p.topic.clone(),
                    rate_per_sec: in_window as f64 * 1000.0 / span_ms as f64,
                    acks: p.acks,
                    sent: p.sent,
                    acknowledged: p.acknowledged,
                    failed: p.failed,
                    running: now - p.last_seen_ms <= IDLE_AFTER_MS,
                    producer_id: p.producer_id,
                }
            })
            .collect()
    }
}
