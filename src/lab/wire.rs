//! The wire host as an attachment of the live driver: real clients' requests arrive on a bounded
//! inbox and are answered against the lab's cluster, the same API the dashboard's commands use.

use super::core::Lab;
use super::snapshot::LabSnapshot;
use crate::clients::spec::{KeyMode, Partitioner};
use crate::clients::view::{ClientOrigin, ProducerSnapshot};
use crate::protocol::{ApiCall, ListenerConfig, WireHost};

/// The wire host with the inbox its connection tasks feed.
pub struct WireAttachment {
    host: WireHost,
    inbox: flume::Receiver<ApiCall>,
    open: bool,
    /// Bumped to close every real client's connection (none for a replay's host).
    close_all: Option<tokio::sync::watch::Sender<u64>>,
}

impl WireAttachment {
    /// Attaches a host answering the calls that arrive on `inbox`; tells the lab's brokers their
    /// ports.
    pub fn new(lab: &mut Lab, config: ListenerConfig, inbox: flume::Receiver<ApiCall>) -> Self {
        lab.set_listener_base_port(Some(config.base_port));
        Self {
            host: WireHost::new(config),
            inbox,
            open: true,
            close_all: None,
        }
    }

    /// A replay's host resumed from a checkpoint's copy of the host state (no listener).
    pub(crate) fn from_host(
        lab: &mut Lab,
        host: WireHost,
        inbox: flume::Receiver<ApiCall>,
    ) -> Self {
        lab.set_listener_base_port(Some(host.config.base_port));
        Self {
            host,
            inbox,
            open: true,
            close_all: None,
        }
    }

    /// The listener's switch that closes every open connection.
    pub fn set_close_all(&mut self, close_all: tokio::sync::watch::Sender<u64>) {
        self.close_all = Some(close_all);
    }

    /// The host, for checks.
    pub fn host(&self) -> &WireHost {
        &self.host
    }

    /// The inbox (a cheap clone of the receiver).
    pub(crate) fn inbox(&self) -> flume::Receiver<ApiCall> {
        self.inbox.clone()
    }

    /// Whether connection tasks may still send (the listener runs).
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// The listener stopped: no more calls will come.
    pub(crate) fn close(&mut self) {
        self.open = false;
    }

    /// Answers one call.
    pub fn handle(&mut self, lab: &mut Lab, call: ApiCall) {
        self.host.handle(lab.cluster_mut(), call);
        lab.set_wire_acknowledged(self.host.clients.acknowledged_total());
    }

    /// The next call already waiting, if any.
    pub(crate) fn try_next(&self) -> Option<ApiCall> {
        self.inbox.try_recv().ok()
    }

    /// The parked requests whose clients hung up (see [`WireHost::closed_parked`]).
    pub(crate) fn closed_parked(&self) -> Vec<u64> {
        self.host.closed_parked()
    }

    /// Re-checks parked requests after simulated time moved, dropping those numbered in
    /// `closed`; returns how many were answered or dropped.
    pub fn tick_with(&mut self, lab: &mut Lab, closed: &[u64]) -> usize {
        let n = self.host.tick_with(lab.cluster_mut(), closed);
        lab.set_wire_acknowledged(self.host.clients.acknowledged_total());
        n
    }

    /// Whether parked requests want a re-check sooner than the driver's tick.
    pub(crate) fn wants_fast_tick(&self) -> bool {
        self.host.wants_fast_tick()
    }

    /// A fresh host for a fresh lab (a lesson started over, a run resumed from its past): every
    /// real client's connection is closed, the requests waiting in the inbox and the parked ones
    /// dropped unanswered, so the clients reconnect and learn the new cluster's metadata.
    pub(crate) fn restart(&mut self, lab: &mut Lab) {
        let config = self.host.config.clone();
        lab.set_listener_base_port(Some(config.base_port));
        self.host = WireHost::new(config);
        if let Some(close) = &self.close_all {
            close.send_modify(|n| *n += 1);
        }
        // Bounded by the inbox's capacity; their answers would be the old lab's.
        while self.inbox.try_recv().is_ok() {}
    }

    /// Adds real clients to a snapshot: wire producers, and the positions real consumers fetch
    /// from.
    pub fn decorate(&self, snap: &mut LabSnapshot) {
        let now = snap.now_ms;
        snap.producers
            .extend(
                self.host
                    .clients
                    .producer_views(now)
                    .into_iter()
                    .map(|p| ProducerSnapshot {
                        id: p.id,
                        client_id: p.client_id,
                        origin: ClientOrigin::Wire,
                        topic: p.topic,
                        rate_per_sec: p.rate_per_sec,
                        acks: p.acks,
                        key_mode: KeyMode::None,
                        partitioner: Partitioner::Sticky,
                        batch_size: 16_384,
                        sent: p.sent,
                        acknowledged: p.acknowledged,
                        failed: p.failed,
                        retried: 0,
                        running: p.running,
                        idempotent: p.producer_id.is_some(),
                        producer_id: p.producer_id,
                        // A wire producer's transactions show on the coordinator's side.
                        transactional_id: None,
                        transaction: None,
                        transactions_ended: (0, 0),
                        paused: false,
                        killed: false,
                    }),
            );
        for g in &mut snap.cluster.groups {
            for p in &mut g.partitions {
                if p.position.is_some() {
                    continue;
                }
                let Some(owner) = &p.owner else { continue };
                let Some(m) = g.members.iter().find(|m| &m.member_id == owner) else {
                    continue;
                };
                p.position = self.host.clients.position(&m.client_id, &p.tp);
            }
        }
    }
}
