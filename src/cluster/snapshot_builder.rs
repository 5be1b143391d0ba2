//! Builds a [`ClusterSnapshot`] from the live cluster: the one read path the UI depends on.

use super::lab::Cluster;
use super::snapshot::{
    BrokerSnapshot, BrokerState, ClusterSnapshot, PartitionSnapshot, ReplicaRole, ReplicaSnapshot,
    TopicSnapshot,
};

impl Cluster {
    /// Everything observable right now.
    pub fn snapshot(&self) -> ClusterSnapshot {
        let brokers = self
            .brokers
            .values()
            .map(|b| BrokerSnapshot {
                id: b.id,
                state: b.state,
                is_controller: self.controller == Some(b.id),
                slow: b.slow,
                partitions_led: self
                    .partitions
                    .values()
                    .filter(|p| p.leader == Some(b.id))
                    .count(),
                replicas: self
                    .partitions
                    .values()
                    .filter(|p| p.replicas.contains(&b.id))
                    .count(),
                bytes_on_disk: b.bytes_on_disk(),
                port: self.wire_port(b.id),
            })
            .collect();
        let topics = self
            .topics
            .values()
            .map(|t| TopicSnapshot {
                name: t.spec.name.clone(),
                partitions: t.spec.partitions,
                replication_factor: t.spec.replication_factor,
                min_insync_replicas: t.spec.min_insync_replicas,
                internal: t.internal,
            })
            .collect();
        let partitions = self
            .partitions
            .values()
            .map(|m| {
                let leader_replica = m
                    .leader
                    .and_then(|l| self.brokers.get(&l))
                    .and_then(|b| b.replicas.get(&m.tp));
                let replica_states = m
                    .replicas
                    .iter()
                    .map(|&b| {
                        let broker = self.brokers.get(&b);
                        let replica = broker.and_then(|br| br.replicas.get(&m.tp));
                        let running = broker.is_some_and(|br| br.state != BrokerState::Down);
                        let role = if !running || replica.is_none() {
                            ReplicaRole::Offline
                        } else if m.leader == Some(b) {
                            ReplicaRole::Leader
                        } else if m.isr.contains(&b) {
                            ReplicaRole::InSync
                        } else {
                            ReplicaRole::OutOfSync
                        };
                        ReplicaSnapshot {
                            broker: b,
                            role,
                            log_end_offset: replica.map(|r| r.leo()).unwrap_or(-1),
                            high_watermark: replica.map(|r| r.high_watermark).unwrap_or(-1),
                        }
                    })
                    .collect();
                PartitionSnapshot {
                    tp: m.tp.clone(),
                    leader: m.leader,
                    leader_epoch: m.leader_epoch,
                    replicas: m.replicas.clone(),
                    isr: m.isr.clone(),
                    replica_states,
                    high_watermark: leader_replica.map(|r| r.high_watermark).unwrap_or(-1),
                    log_start_offset: leader_replica
                        .map(|r| r.log.log_start_offset())
                        .unwrap_or(-1),
                    log_end_offset: leader_replica.map(|r| r.leo()).unwrap_or(-1),
                    segments: leader_replica.map(|r| r.log.segment_count()).unwrap_or(0),
                    size_bytes: leader_replica.map(|r| r.log.size_bytes()).unwrap_or(0),
                }
            })
            .collect();
        let mut snap = ClusterSnapshot {
            now_ms: self.now_ms,
            seed: self.config.seed,
            controller: self.controller,
            brokers,
            topics,
            partitions,
            settings: self.config.settings(),
            ..Default::default()
        };
        self.fill_group_snapshots(&mut snap);
        snap
    }
}
