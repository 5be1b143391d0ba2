//! Offset commits as the coordinator sees them: checking a commit's member and generation, the
//! cache of committed offsets, and loading a group when its coordinator moves.

use super::GroupCoordinator;
use crate::cluster::error::KafkaError;
use crate::cluster::group::OffsetAndMetadata;
use crate::cluster::snapshot::GroupState;
use crate::cluster::types::TopicPartition;
use std::collections::BTreeMap;

impl GroupCoordinator {
    /// Checks an OffsetCommit from `member_id` in `generation` (`None` and -1 for a consumer
    /// that assigns partitions itself, allowed only while the group has no members).
    pub fn validate_commit(
        &self,
        group_id: &str,
        member_id: Option<&str>,
        generation: i32,
    ) -> Result<(), KafkaError> {
        let Some(g) = self.groups.get(group_id) else {
            return match member_id {
                None => Ok(()),
                Some(_) => Err(KafkaError::UnknownMemberId),
            };
        };
        match member_id {
            None if g.members.is_empty() => Ok(()),
            None => Err(KafkaError::UnknownMemberId),
            Some(id) if !g.members.contains_key(id) => Err(KafkaError::UnknownMemberId),
            Some(_) if generation != g.generation => Err(KafkaError::IllegalGeneration),
            Some(_) if g.state == GroupState::CompletingRebalance => {
                Err(KafkaError::RebalanceInProgress)
            }
            Some(_) => Ok(()),
        }
    }

    /// Records a commit that `__consumer_offsets` has accepted.
    pub fn apply_commit(&mut self, group_id: &str, tp: TopicPartition, c: &OffsetAndMetadata) {
        self.group_mut(group_id).committed.insert(tp, c.clone());
    }

    /// Resets heartbeat deadlines (a coordinator that just loaded a group gives members a fresh
    /// session, as Kafka's does) and replaces the offsets cache with what was loaded.
    pub fn load(
        &mut self,
        group_id: &str,
        committed: BTreeMap<TopicPartition, OffsetAndMetadata>,
        now: i64,
    ) {
        let g = self.group_mut(group_id);
        g.committed = committed;
        for m in g.members.values_mut() {
            m.last_heartbeat_ms = now;
        }
    }
}
