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

    /// OffsetFetch's member check (v9+): in a KIP-848 group a member id must be a member's and
    /// its epoch the member's (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH); no member id with epoch
    /// -1 (an admin client, a consumer without group management) is always accepted, as are
    /// classic groups, which Kafka does not check on fetch.
    pub fn check_offset_fetch(
        &self,
        broker: BrokerId,
        group: &str,
        member_id: Option<&str>,
        member_epoch: i32,
    ) -> Result<(), KafkaError> {
        self.check_coordinator(broker, group)?;
        let Some(c) = self
            .hosting
            .coordinator
            .group(group)
            .and_then(|g| g.consumer.as_ref())
        else {
            return Ok(());
        };
        match member_id {
            None if member_epoch < 0 => Ok(()),
            None => Err(KafkaError::UnknownMemberId),
            Some(id) => c.validate_offset_request(id, member_epoch),
        }
    }
}
