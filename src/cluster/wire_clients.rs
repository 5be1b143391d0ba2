//! Real clients connected over the wire protocol, as the cluster shows them: the listener's ports
//! and wire producers by `client.id` with their measured rates. No socket code lives here; the
//! protocol layer reports what it saw through these methods.

use super::lab::Cluster;
use super::snapshot::{ClientOrigin, ProducerSnapshot};
use super::types::{Acks, BrokerId, ClientId, KeyMode, TopicPartition};
use std::collections::{BTreeMap, VecDeque};

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
    last_seen_ms: i64,
    /// (simulated ms, records acknowledged) in the rate window.
    recent: VecDeque<(i64, u64)>,
}

/// Fetch positions remembered at most.
const MAX_POSITIONS: usize = 100_000;

/// What the cluster knows of its wire clients.
#[derive(Clone, Debug, Default)]
pub struct WireClients {
    base_port: Option<u16>,
    producers: BTreeMap<String, WireProducer>,
    /// (client.id, partition) → the offset that client last fetched from.
    positions: BTreeMap<(String, TopicPartition), i64>,
}

impl WireClients {
    /// The offset a wire client last fetched `tp` from: its position, as the dashboard shows it.
    pub(crate) fn position(&self, client_id: &str, tp: &TopicPartition) -> Option<i64> {
        self.positions
            .get(&(client_id.to_string(), tp.clone()))
            .copied()
    }

    /// Records acknowledged by every wire producer (for the throughput sparkline).
    pub(crate) fn acknowledged_total(&self) -> u64 {
        self.producers.values().map(|p| p.acknowledged).sum()
    }
}

impl Cluster {
    /// Tells the cluster the wire listener runs with broker N on `base + N - 1` (None: off).
    pub fn set_listener_base_port(&mut self, base: Option<u16>) {
        self.wire.base_port = base;
    }

    /// The wire port of broker `b`, when the listener is on.
    pub fn wire_port(&self, b: BrokerId) -> Option<u16> {
        let base = self.wire.base_port?;
        u16::try_from(i64::from(base) + i64::from(b) - 1).ok()
    }

    /// Records a produce request from a real client: `records` sent, and whether they were
    /// acknowledged (`Some(true)`), failed (`Some(false)`) or are still waiting (`None`).
    pub fn note_wire_produce(
        &mut self,
        client_id: &str,
        topic: &str,
        acks: Acks,
        records: u64,
        outcome: Option<bool>,
    ) {
        let now = self.now_ms;
        if !self.wire.producers.contains_key(client_id) {
            if self.wire.producers.len() >= MAX_WIRE_PRODUCERS {
                let oldest = self
                    .wire
                    .producers
                    .iter()
                    .min_by_key(|(_, p)| p.last_seen_ms)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.wire.producers.remove(&k);
                }
            }
            let id = self.next_client_id;
            self.next_client_id += 1;
            self.emit(super::event::EventKind::ClientSpawned {
                id,
                client_id: client_id.to_string(),
                description: format!("wire producer → {topic}, acks={acks}"),
            });
            self.wire.producers.insert(
                client_id.to_string(),
                WireProducer {
                    id,
                    topic: topic.to_string(),
                    acks,
                    sent: 0,
                    acknowledged: 0,
                    failed: 0,
                    last_seen_ms: now,
                    recent: VecDeque::new(),
                },
            );
        }
        let Some(p) = self.wire.producers.get_mut(client_id) else {
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

    /// Records a real consumer's fetch position (its `client.id` and the offset it asked for).
    pub fn note_wire_fetch(&mut self, client_id: &str, tp: &TopicPartition, offset: i64) {
        let key = (client_id.to_string(), tp.clone());
        if self.wire.positions.len() >= MAX_POSITIONS && !self.wire.positions.contains_key(&key) {
            self.wire.positions.clear();
        }
        self.wire.positions.insert(key, offset);
    }

    /// Snapshots of the wire producers, rates measured over the last few seconds.
    pub(crate) fn wire_producer_snapshots(&self) -> Vec<ProducerSnapshot> {
        let now = self.now_ms;
        self.wire
            .producers
            .iter()
            .map(|(client_id, p)| {
                let in_window: u64 = p
                    .recent
                    .iter()
                    .filter(|(t, _)| now - t <= RATE_WINDOW_MS)
                    .map(|(_, n)| n)
                    .sum();
                let span_ms = RATE_WINDOW_MS.min(now.max(1));
                ProducerSnapshot {
                    id: p.id,
                    client_id: client_id.clone(),
                    origin: ClientOrigin::Wire,
                    topic: p.topic.clone(),
                    rate_per_sec: in_window as f64 * 1000.0 / span_ms as f64,
                    acks: p.acks,
                    key_mode: KeyMode::None,
                    sent: p.sent,
                    acknowledged: p.acknowledged,
                    failed: p.failed,
                    retried: 0,
                    running: now - p.last_seen_ms <= IDLE_AFTER_MS,
                }
            })
            .collect()
    }
}
