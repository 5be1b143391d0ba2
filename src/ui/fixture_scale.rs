//! A cluster at the scale `kafka-lab attach` must stay responsive on: topics × partitions (RF 3)
//! and groups that committed offsets with no member (as `OffsetCommit` with generation -1 leaves
//! them), built from [`super::fixture::large_snapshot`]'s brokers and clients.

use super::fixture::large_snapshot;
use crate::cluster::TopicId;
use crate::cluster::snapshot::{GroupPartitionSnapshot, GroupSnapshot, GroupState, TopicSnapshot};
use crate::cluster::types::TopicPartition;
use crate::lab::LabSnapshot;

/// The name of topic `t`: `topic-007`.
pub fn topic_name(t: usize) -> String {
    format!("topic-{t:03}")
}

/// `topics` topics of `per_topic` partitions on 3 brokers, and `groups` groups, group `g`
/// committed on every partition of topic `g % topics`.
pub fn scale_snapshot(topics: usize, per_topic: i32, groups: usize) -> LabSnapshot {
    // The large lab's brokers, producers and consumers, with one partition as the pattern.
    let mut snap = large_snapshot(3, 1, 0);
    let pattern = snap.partitions[0].clone();
    snap.topics.retain(|t| t.internal);
    snap.partitions.retain(|p| p.tp.topic.starts_with("__"));
    for t in 0..topics {
        let name = topic_name(t);
        snap.topics.push(TopicSnapshot {
            name: name.clone(),
            partitions: per_topic,
            replication_factor: 3,
            min_insync_replicas: 2,
            internal: false,
            topic_id: TopicId::derive(7, &name, 0, 2),
        });
        for p in 0..per_topic {
            let mut part = pattern.clone();
            part.tp = TopicPartition::new(name.clone(), p);
            let replicas: Vec<i32> = (0..3).map(|r| (p + r + t as i32) % 3 + 1).collect();
            for (s, b) in part.replica_states.iter_mut().zip(&replicas) {
                s.broker = *b;
            }
            part.leader = replicas.first().copied();
            part.isr = replicas.clone();
            part.replicas = replicas;
            snap.partitions.push(part);
        }
    }
    let hw = pattern.high_watermark;
    snap.groups = (0..groups)
        .map(|g| {
            let topic = topic_name(g % topics.max(1));
            GroupSnapshot {
                group_id: format!("group-{g:03}"),
                state: GroupState::Empty,
                generation: 0,
                assignor: None,
                coordinator: Some(1 + (g as i32 % 3)),
                leader_member: None,
                members: Vec::new(),
                partitions: (0..per_topic)
                    .map(|p| GroupPartitionSnapshot {
                        tp: TopicPartition::new(topic.clone(), p),
                        owner: None,
                        committed: Some(hw - 10 - g as i64),
                        position: None,
                        high_watermark: hw,
                        lag: Some(10 + g as i64),
                        stale: false,
                        moved_at_ms: None,
                    })
                    .collect(),
                rebalance: None,
                protocol: "classic".into(),
                lag_history: Vec::new(),
            }
        })
        .collect();
    snap
}
