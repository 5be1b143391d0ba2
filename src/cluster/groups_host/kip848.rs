//! `ConsumerGroupHeartbeat` and `ConsumerGroupDescribe` as the brokers host them: checked
//! against the group's coordinator like every group request.

use super::super::error::KafkaError;
use super::super::group::consumer_group::{ConsumerGroup, ConsumerHeartbeat, HeartbeatAnswer};
use super::super::lab::Cluster;
use super::super::types::BrokerId;
use std::collections::BTreeMap;

impl Cluster {
    /// Every topic's partition count, as the server-side assignors see the metadata.
    pub(crate) fn partition_counts(&self) -> BTreeMap<String, i32> {
        self.topics
            .iter()
            .map(|(name, t)| (name.clone(), t.spec.partitions))
            .collect()
    }

    /// `ConsumerGroupHeartbeat` (API 68) sent to `broker`.
    pub fn consumer_group_heartbeat(
        &mut self,
        broker: BrokerId,
        group: &str,
        req: ConsumerHeartbeat,
    ) -> Result<HeartbeatAnswer, KafkaError> {
        self.check_coordinator(broker, group)?;
        let counts = self.partition_counts();
        let mut out = Vec::new();
        let r =
            self.hosting
                .coordinator
                .consumer_heartbeat(group, req, &counts, self.now_ms, &mut out);
        self.emit_all(out);
        r
    }

    /// `ConsumerGroupDescribe` (API 69): the group's KIP-848 state, or GROUP_ID_NOT_FOUND for
    /// a group that is not a consumer-protocol group.
    pub fn consumer_group_describe(
        &self,
        broker: BrokerId,
        group: &str,
    ) -> Result<ConsumerGroup, KafkaError> {
        self.check_coordinator(broker, group)?;
        self.hosting
            .coordinator
            .group(group)
            .and_then(|g| g.consumer.clone())
            .ok_or(KafkaError::GroupIdNotFound)
    }
}
