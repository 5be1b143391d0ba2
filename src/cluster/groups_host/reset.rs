//! `kafka-consumer-groups.sh --reset-offsets` on the lab's own coordinator: the same rule Kafka's
//! tool applies (only an Empty or Dead group), the same offsets (ListOffsets on each leader:
//! earliest is the log start, latest the HW, a time the first offset at or after it, else latest),
//! written as an OffsetCommit with no member id and generation -1, as the admin client sends it.

use super::super::event::{EventKind, NoteText, OffsetsReset};
use super::super::group::OffsetAndMetadata;
use super::super::group::reset::{ResetTo, is_inactive};
use super::super::lab::Cluster;
use super::super::produce::OffsetSpec;
use super::super::refusal::CommandError;
use super::super::snapshot::GroupState;
use super::super::types::TopicPartition;

impl Cluster {
    /// Resets `group`'s committed offsets on `topic` (every partition), or on every topic it has
    /// committed offsets for when `topic` is `None`; returns the offsets committed and names them
    /// on the timeline. Refused, as Kafka refuses it, while the group has active members.
    pub fn reset_group_offsets(
        &mut self,
        group: &str,
        topic: Option<&str>,
        to: ResetTo,
    ) -> Result<Vec<(TopicPartition, i64)>, CommandError> {
        let coordinator = self.group_coordinator().group(group);
        let state = coordinator.map_or(GroupState::Dead, |g| g.state);
        if !is_inactive(state) {
            return Err(CommandError::GroupNotInactive {
                group: group.to_string(),
                state: state.to_string(),
            });
        }
        let tps: Vec<TopicPartition> = match topic {
            Some(t) => {
                let n = self
                    .partition_count(t)
                    .ok_or_else(|| CommandError::NoTopic(t.to_string()))?;
                (0..n).map(|p| TopicPartition::new(t, p)).collect()
            }
            None => coordinator
                .map(|g| g.committed.keys().cloned().collect())
                .unwrap_or_default(),
        };
        if tps.is_empty() {
            return Err(CommandError::NothingToReset(group.to_string()));
        }
        let failed = |error: String| CommandError::ResetFailed {
            group: group.to_string(),
            error,
        };
        let now_ms = self.config.epoch.timestamp_millis() + self.now_ms;
        let mut offsets = Vec::with_capacity(tps.len());
        for tp in tps {
            let offset = self
                .reset_offset_for(&tp, to, now_ms)
                .map_err(|e| failed(format!("{tp}: {e}")))?;
            offsets.push((tp, offset));
        }
        let broker = self
            .coordinator_for(group)
            .map_err(|e| failed(e.to_string()))?;
        let commits: Vec<(TopicPartition, OffsetAndMetadata)> = offsets
            .iter()
            .map(|(tp, o)| (tp.clone(), OffsetAndMetadata::new(*o)))
            .collect();
        self.commit_offsets(broker, group, None, -1, &commits)
            .map_err(|e| failed(e.to_string()))?;
        self.emit(EventKind::Note {
            text: NoteText::OffsetsReset(OffsetsReset {
                group: group.to_string(),
                topic: topic.map(str::to_string),
                to,
                offsets: offsets.clone(),
                request: None,
            }),
        });
        Ok(offsets)
    }

    /// The offset `to` names on `tp`, asked of its leader as ListOffsets asks (read_uncommitted).
    fn reset_offset_for(
        &self,
        tp: &TopicPartition,
        to: ResetTo,
        now_ms: i64,
    ) -> Result<i64, super::super::error::KafkaError> {
        let leader = self
            .leader_of(tp)
            .ok_or(super::super::error::KafkaError::LeaderNotAvailable)?;
        let spec = match to.timestamp_ms(now_ms) {
            None if to == ResetTo::Earliest => OffsetSpec::Earliest,
            None => OffsetSpec::Latest,
            Some(ts) => OffsetSpec::Timestamp(ts),
        };
        match self.list_offset(leader, tp, spec)? {
            // No record at or after that time: Kafka's tool falls back to the latest offset.
            -1 => self.list_offset(leader, tp, OffsetSpec::Latest),
            offset => Ok(offset),
        }
    }
}
