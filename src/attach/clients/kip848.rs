//! ConsumerGroupHeartbeat (API 68, KIP-848) as a dashboard consumer sends it: the request for
//! a join, a heartbeat or a leave, and its answer read into what the member needs.

use super::group::CallError;
use super::reconcile::JOIN_MEMBER_EPOCH;
use crate::attach::session::Session;
use crate::cluster::types::{BrokerId, TopicPartition};
use kafka_protocol::messages::consumer_group_heartbeat_request::TopicPartitions;
use kafka_protocol::messages::{
    ApiKey, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, GroupId, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The newest ConsumerGroupHeartbeat version this client speaks (v1: the member id is the
/// client's own UUID, KIP-1082).
pub const HEARTBEAT_VERSION_MAX: i16 = 1;

/// What one heartbeat carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beat<'a> {
    /// `group.id`.
    pub group: &'a str,
    /// The member id (empty on v0's first join: the coordinator gives one).
    pub member_id: &'a str,
    /// 0 to join, -1 or -2 to leave, else the epoch the member holds.
    pub member_epoch: i32,
    /// `group.instance.id`.
    pub instance_id: Option<&'a str>,
    /// `max.poll.interval.ms`, the time the coordinator waits for a revocation.
    pub rebalance_timeout_ms: i32,
    /// Subscribed topics.
    pub topics: &'a [String],
    /// `group.remote.assignor`, when the spec names one.
    pub assignor: Option<&'a str>,
    /// The partitions owned now, by topic id.
    pub owned: &'a [(Uuid, Vec<i32>)],
}

/// The ConsumerGroupHeartbeat for `b`. A join sends the whole subscription and an empty owned
/// list (Kafka refuses anything else at epoch 0); a leave sends only who leaves; a heartbeat
/// sends the owned partitions every time (so a revocation is acknowledged by the first
/// heartbeat after it) and leaves the unchanged fields null.
pub fn request(b: &Beat<'_>) -> ConsumerGroupHeartbeatRequest {
    let base = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(sb(b.group)))
        .with_member_id(sb(b.member_id))
        .with_member_epoch(b.member_epoch)
        .with_instance_id(b.instance_id.map(sb))
        .with_rebalance_timeout_ms(-1);
    if b.member_epoch < JOIN_MEMBER_EPOCH {
        return base;
    }
    let owned: Vec<TopicPartitions> = b
        .owned
        .iter()
        .map(|(id, ps)| {
            TopicPartitions::default()
                .with_topic_id(*id)
                .with_partitions(ps.clone())
        })
        .collect();
    if b.member_epoch == JOIN_MEMBER_EPOCH {
        return base
            .with_rebalance_timeout_ms(b.rebalance_timeout_ms)
            .with_subscribed_topic_names(Some(b.topics.iter().map(|t| TopicName(sb(t))).collect()))
            .with_server_assignor(b.assignor.map(sb))
            .with_topic_partitions(Some(Vec::new()));
    }
    base.with_topic_partitions(Some(owned))
}

/// What the coordinator answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// The member id (the one sent, or the coordinator's on a v0 join).
    pub member_id: Option<String>,
    /// The member's epoch now.
    pub member_epoch: i32,
    /// `group.consumer.heartbeat.interval.ms`: when to send the next heartbeat.
    pub heartbeat_interval_ms: i32,
    /// The partitions to own now, by topic id; `None` when unchanged.
    pub assignment: Option<Vec<(Uuid, Vec<i32>)>>,
}

/// Reads an answer: its error code (with the coordinator's message) or what it says.
pub fn answer(r: &ConsumerGroupHeartbeatResponse) -> Result<Answer, (i16, Option<String>)> {
    if r.error_code != 0 {
        return Err((
            r.error_code,
            r.error_message.as_ref().map(|m| m.to_string()),
        ));
    }
    Ok(Answer {
        member_id: r.member_id.as_ref().map(|m| m.to_string()),
        member_epoch: r.member_epoch,
        heartbeat_interval_ms: r.heartbeat_interval_ms,
        assignment: r.assignment.as_ref().map(|a| {
            a.topic_partitions
                .iter()
                .map(|t| (t.topic_id, t.partitions.clone()))
                .collect()
        }),
    })
}

/// Whether the cluster offers ConsumerGroupHeartbeat at a version this client speaks.
pub fn offered(session: &Session) -> Option<i16> {
    session
        .version(ApiKey::ConsumerGroupHeartbeat, 0, HEARTBEAT_VERSION_MAX)
        .ok()
}

/// One ConsumerGroupHeartbeat to the coordinator.
pub async fn heartbeat(
    session: &mut Session,
    coordinator: BrokerId,
    version: i16,
    b: &Beat<'_>,
) -> Result<Answer, CallError> {
    let r = session.call(coordinator, request(b), version).await?;
    answer(&r).map_err(|(code, message)| CallError::Code(code, message.unwrap_or_default()))
}

/// Owned partitions by topic id, as a heartbeat reports them (topics without an id left out).
pub fn owned_by_id(
    owned: &[TopicPartition],
    ids: &BTreeMap<String, Uuid>,
) -> Vec<(Uuid, Vec<i32>)> {
    let mut out: BTreeMap<Uuid, Vec<i32>> = BTreeMap::new();
    for tp in owned {
        if let Some(id) = ids.get(&tp.topic) {
            out.entry(*id).or_default().push(tp.partition);
        }
    }
    out.into_iter().collect()
}

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(epoch: i32, owned: &[(Uuid, Vec<i32>)]) -> ConsumerGroupHeartbeatRequest {
        request(&Beat {
            group: "g",
            member_id: "m",
            member_epoch: epoch,
            instance_id: None,
            rebalance_timeout_ms: 300_000,
            topics: &["t".to_string()],
            assignor: Some("range"),
            owned,
        })
    }

    #[test]
    fn a_join_subscribes_a_heartbeat_reports_owned_and_a_leave_sends_only_who() {
        let owned = [(Uuid::from_u128(5), vec![0, 1])];
        let join = beat(0, &owned);
        assert_eq!(join.rebalance_timeout_ms, 300_000);
        assert_eq!(join.subscribed_topic_names.as_ref().map(Vec::len), Some(1));
        assert_eq!(join.server_assignor.as_deref(), Some("range"));
        assert_eq!(
            join.topic_partitions,
            Some(Vec::new()),
            "empty when joining"
        );
        let hb = beat(3, &owned);
        assert_eq!(hb.member_epoch, 3);
        assert_eq!(hb.rebalance_timeout_ms, -1);
        assert!(hb.subscribed_topic_names.is_none() && hb.server_assignor.is_none());
        let reported = hb.topic_partitions.expect("owned partitions");
        assert_eq!(reported[0].topic_id, Uuid::from_u128(5));
        assert_eq!(reported[0].partitions, vec![0, 1]);
        let leave = beat(-1, &owned);
        assert_eq!(leave.member_epoch, -1);
        assert!(leave.topic_partitions.is_none() && leave.subscribed_topic_names.is_none());
    }

    #[test]
    fn owned_partitions_are_grouped_by_topic_id() {
        let ids = BTreeMap::from([("a".to_string(), Uuid::from_u128(1))]);
        let owned = [
            TopicPartition::new("a", 1),
            TopicPartition::new("b", 0),
            TopicPartition::new("a", 0),
        ];
        assert_eq!(
            owned_by_id(&owned, &ids),
            vec![(Uuid::from_u128(1), vec![1, 0])]
        );
    }
}
