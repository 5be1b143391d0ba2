//! The consumer's side of KIP-848 (`group.protocol=consumer`): one `ConsumerGroupHeartbeat`
//! every `group.consumer.heartbeat.interval.ms` (the broker's), carrying the member epoch and
//! the partitions owned; an answer's assignment is reconciled at once (revoke what is no longer
//! listed, committing first with auto-commit; take what is new) and acknowledged by the next
//! heartbeat, sent right away. No JoinGroup, no SyncGroup, no stop for the whole group.

use super::{Phase, RETRY_BACKOFF_MS, SimConsumer};
use crate::cluster::error::KafkaError;
use crate::cluster::group::consumer_group::{ConsumerHeartbeat, LEAVE_GROUP_MEMBER_EPOCH};
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;

impl SimConsumer {
    /// Heartbeats when due (or at once after joining or revoking) and reconciles the answer.
    pub(super) fn consumer_protocol_step(&mut self, lab: &mut Cluster, now: i64) {
        if now < self.next_heartbeat_ms || now < self.retry_at_ms {
            return;
        }
        let Some(coord) = self.find_coordinator(lab) else {
            self.retry_at_ms = now + RETRY_BACKOFF_MS;
            return;
        };
        let joining = self.phase == Phase::Unjoined;
        let req = ConsumerHeartbeat {
            member_id: self.member_id.clone().unwrap_or_default(),
            member_epoch: if joining { 0 } else { self.generation },
            client_id: self.client_id.clone(),
            rebalance_timeout_ms: self.spec.max_poll_interval_ms as i64,
            topics: joining.then(|| self.spec.topics.clone()),
            assignor: self.spec.remote_assignor.map(|a| a.name().to_string()),
            owned: Some(self.assignment.clone()),
            instance_id: None,
            topic_regex: None,
        };
        match lab.consumer_group_heartbeat(coord, &self.spec.group_id, req) {
            Ok(answer) => {
                self.member_id = Some(answer.member_id);
                self.generation = answer.member_epoch;
                self.phase = Phase::Stable;
                self.next_heartbeat_ms = now + answer.heartbeat_interval_ms.max(1);
                if let Some(assigned) = answer.assignment {
                    self.reconcile(lab, assigned, now);
                }
            }
            // Fenced or forgotten (its session expired): its partitions are lost, not revoked
            // (no commit: another member may own them already), and it rejoins at epoch 0.
            Err(KafkaError::FencedMemberEpoch) | Err(KafkaError::UnknownMemberId) => {
                let lost = std::mem::take(&mut self.assignment);
                self.revoke(lab, lost);
                self.phase = Phase::Unjoined;
            }
            Err(e) => self.fail_group_call(lab, now, "ConsumerGroupHeartbeat", e),
        }
    }

    /// Applies an assignment from the coordinator: revoke first, then take the new partitions.
    fn reconcile(&mut self, lab: &mut Cluster, assigned: Vec<TopicPartition>, now: i64) {
        let revoked: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|tp| !assigned.contains(tp))
            .cloned()
            .collect();
        if !revoked.is_empty() {
            // onPartitionsRevoked: auto-commit what was read before letting go.
            self.commit_if_auto(lab);
            self.revoke(lab, revoked);
            // Acknowledge at once, so the coordinator can give the partitions out.
            self.next_heartbeat_ms = now;
        }
        self.assignment = assigned;
        self.assignment.sort();
    }

    /// Leaves with member epoch -1, so the partitions move without waiting for the session.
    pub(super) fn leave_consumer_group(&mut self, lab: &mut Cluster) {
        let (Some(member), Some(coord)) = (self.member_id.clone(), self.find_coordinator(lab))
        else {
            return;
        };
        let req = ConsumerHeartbeat {
            member_id: member,
            member_epoch: LEAVE_GROUP_MEMBER_EPOCH,
            client_id: self.client_id.clone(),
            rebalance_timeout_ms: -1,
            topics: None,
            assignor: None,
            owned: None,
            instance_id: None,
            topic_regex: None,
        };
        // A refused leave needs nothing more: the session timeout removes the member instead.
        let _ = lab.consumer_group_heartbeat(coord, &self.spec.group_id, req);
    }
}
