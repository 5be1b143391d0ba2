//! The coordinator's side of KIP-848: routing `ConsumerGroupHeartbeat` to a group's consumer
//! state (a group is classic or consumer, never both), its timers, and offset checks by member
//! epoch.

use super::GroupCoordinator;
use crate::cluster::error::KafkaError;
use crate::cluster::event::EventKind;
use crate::cluster::group::consumer_group::{ConsumerGroup, ConsumerHeartbeat, HeartbeatAnswer};
use crate::cluster::snapshot::GroupState;
use std::collections::BTreeMap;

impl GroupCoordinator {
    /// `ConsumerGroupHeartbeat`: `partitions` gives each topic's partition count. A member id
    /// left empty gets one from the coordinator.
    pub fn consumer_heartbeat(
        &mut self,
        group_id: &str,
        mut req: ConsumerHeartbeat,
        partitions: &BTreeMap<String, i32>,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> Result<HeartbeatAnswer, KafkaError> {
        if group_id.is_empty() {
            return Err(KafkaError::InvalidRequest);
        }
        if req.member_id.is_empty() {
            req.member_id = format!("{}-{:04}", req.client_id, self.next_member);
            self.next_member += 1;
        }
        let (heartbeat_ms, session_ms) = (
            self.config.consumer_heartbeat_interval_ms,
            self.config.consumer_session_timeout_ms,
        );
        let g = self.admit(group_id)?;
        if g.consumer.is_none() {
            // A classic group with members is not a consumer group (Kafka answers
            // GROUP_ID_NOT_FOUND); an Empty one becomes one, keeping its offsets.
            if !g.members.is_empty() {
                return Err(KafkaError::GroupIdNotFound);
            }
            g.consumer = Some(ConsumerGroup::default());
        }
        let was_empty = g.consumer.as_ref().is_some_and(|c| c.members.is_empty());
        let Some(c) = g.consumer.as_mut() else {
            return Err(KafkaError::GroupIdNotFound);
        };
        let answer = c.heartbeat(
            group_id,
            req,
            partitions,
            session_ms,
            heartbeat_ms,
            now,
            out,
        );
        Self::sync_consumer_view(g, now, was_empty);
        answer
    }

    /// Keeps the classic view of a consumer group (state, owners, epoch as generation) in step,
    /// so snapshots, expectations and offset expiry read both types alike.
    pub(super) fn sync_consumer_view(g: &mut super::Group, now: i64, was_empty: bool) {
        let Some(c) = g.consumer.as_ref() else {
            return;
        };
        g.generation = c.group_epoch;
        g.protocol = c.assignor.map(|a| a.name().to_string());
        g.state = if c.members.is_empty() {
            GroupState::Empty
        } else if c.state_name() == "Stable" {
            GroupState::Stable
        } else {
            GroupState::Reconciling
        };
        if c.members.is_empty() && !was_empty {
            g.empty_since_ms = Some(now);
        } else if !c.members.is_empty() {
            g.empty_since_ms = None;
        }
        let owners = c.owners();
        let mut next = BTreeMap::new();
        for (tp, member) in owners {
            let moved = match g.owners.get(&tp) {
                None => None,
                Some((o, at)) if *o == member => *at,
                Some(_) => Some(now),
            };
            next.insert(tp, (member, moved));
        }
        g.owners = next;
    }

    /// Session and rebalance timeouts of consumer-protocol members (in groups `available`).
    pub fn tick_consumer_groups(
        &mut self,
        now: i64,
        partitions: &BTreeMap<String, i32>,
        available: impl Fn(&str) -> bool,
        out: &mut Vec<EventKind>,
    ) {
        for g in self.groups.values_mut() {
            if !available(&g.group_id) {
                continue;
            }
            let id = g.group_id.clone();
            let Some(c) = g.consumer.as_mut() else {
                continue;
            };
            let was_empty = c.members.is_empty();
            c.expire(&id, partitions, now, out);
            Self::sync_consumer_view(g, now, was_empty);
        }
    }
}
