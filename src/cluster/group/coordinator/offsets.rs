//! Offset commits as the coordinator sees them: checking a commit's member and generation, the
//! cache of committed offsets, and loading a group when its coordinator moves.

use super::GroupCoordinator;
use crate::cluster::error::KafkaError;
use crate::cluster::group::OffsetAndMetadata;
use crate::cluster::snapshot::GroupState;
use crate::cluster::types::TopicPartition;
use std::collections::BTreeMap;

impl GroupCoordinator {
    /// A deleted topic's committed offsets leave every group (Kafka's coordinator does this on
    /// partition deletion); returns each (group, partition) removed, for the tombstones.
    pub fn remove_topic_offsets(&mut self, topic: &str) -> Vec<(String, TopicPartition)> {
        let mut out = Vec::new();
        for g in self.groups.values_mut() {
            let gone: Vec<TopicPartition> = g
                .committed
                .keys()
                .filter(|tp| tp.topic == topic)
                .cloned()
                .collect();
            for tp in gone {
                g.committed.remove(&tp);
                g.commit_times_ms.remove(&tp);
                out.push((g.group_id.clone(), tp));
            }
        }
        out
    }

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
        // A consumer-protocol group checks the member epoch (sent as the generation).
        if let Some(c) = &g.consumer {
            return match member_id {
                None if c.members.is_empty() => Ok(()),
                None => Err(KafkaError::UnknownMemberId),
                Some(id) => c.validate_offset_request(id, generation),
            };
        }
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

    /// Records a commit that `__consumer_offsets` has accepted at `now`.
    pub fn apply_commit(
        &mut self,
        group_id: &str,
        tp: TopicPartition,
        c: &OffsetAndMetadata,
        now: i64,
    ) {
        let g = self.group_mut(group_id);
        g.commit_times_ms.insert(tp.clone(), now);
        g.committed.insert(tp, c.clone());
    }

    /// `offsets.retention.minutes` as Kafka 2.1+ applies it: an Empty group's offsets expire
    /// `retention_ms` after it became Empty (a group that never had members, such as one that
    /// only commits with `assign()`, by each offset's commit time); a group with members keeps
    /// its offsets. Removes and returns the expired ones, for tombstones in `__consumer_offsets`.
    pub fn expire_offsets(
        &mut self,
        now: i64,
        retention_ms: i64,
        hosted: impl Fn(&str) -> bool,
    ) -> Vec<(String, TopicPartition)> {
        let mut out = Vec::new();
        for g in self.groups.values_mut() {
            if g.state != GroupState::Empty || !hosted(&g.group_id) {
                continue;
            }
            let expired: Vec<TopicPartition> = g
                .committed
                .keys()
                .filter(|tp| {
                    let base = g
                        .empty_since_ms
                        .or_else(|| g.commit_times_ms.get(*tp).copied())
                        .unwrap_or(now);
                    now - base >= retention_ms
                })
                .cloned()
                .collect();
            for tp in expired {
                g.committed.remove(&tp);
                g.commit_times_ms.remove(&tp);
                out.push((g.group_id.clone(), tp));
            }
        }
        // An Empty group left with no offsets is removed (Kafka marks it Dead and deletes it).
        let emptied: Vec<&String> = out.iter().map(|(g, _)| g).collect();
        self.groups.retain(|id, g| {
            !(emptied.contains(&id) && g.members.is_empty() && g.committed.is_empty())
        });
        out
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
        // The log's commit times are not kept: what was reloaded counts as committed now (it
        // expires later, never sooner, than in Kafka).
        g.commit_times_ms = committed
            .keys()
            .map(|tp| {
                (
                    tp.clone(),
                    g.commit_times_ms.get(tp).copied().unwrap_or(now),
                )
            })
            .collect();
        g.committed = committed;
        for m in g.members.values_mut() {
            m.last_heartbeat_ms = now;
        }
    }
}
