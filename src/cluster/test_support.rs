//! Labs that unit tests across layers start from, so each test file does not build its own.

use super::lab::Cluster;
use super::types::{BrokerId, TopicPartition};
use super::{ClusterConfig, TopicSpec};
use std::path::Path;

/// A 3-broker lab with topic `t` (one partition, `replicas` replicas), 100 ms in so it has a
/// leader, and that leader.
pub(crate) fn lab_with_leader(dir: &Path, replicas: i16) -> (Cluster, TopicPartition, BrokerId) {
    let mut lab = Cluster::new(ClusterConfig::new(3, 1, dir)).expect("lab");
    lab.create_topic(TopicSpec::new("t", 1, replicas))
        .expect("topic");
    lab.advance_by(100);
    let tp = TopicPartition::new("t", 0);
    let leader = lab.leader_of(&tp).expect("a leader");
    (lab, tp, leader)
}
