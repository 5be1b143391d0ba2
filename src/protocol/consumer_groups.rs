//! KIP-848 groups over the wire: `ConsumerGroupHeartbeat` (API 68) and `ConsumerGroupDescribe`
//! (API 69), mapped onto the coordinator's consumer-protocol groups. Assignments name topics by
//! id (KIP-516), which clients map to names through Metadata.

use super::groups::coordinated_here;
use super::host::Ctx;
use super::metadata::{sb, topic_name};
use crate::cluster::error::KafkaError;
use crate::cluster::group::consumer_group::{
    ConsumerHeartbeat, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
};
use crate::cluster::lab::Cluster;
use crate::cluster::topic_id::TopicId;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::consumer_group_describe_response::{
    self as describe, ConsumerGroupDescribeResponse, DescribedGroup,
};
use kafka_protocol::messages::consumer_group_heartbeat_response::{
    Assignment, ConsumerGroupHeartbeatResponse, TopicPartitions,
};
use kafka_protocol::messages::{ConsumerGroupDescribeRequest, ConsumerGroupHeartbeatRequest};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The first ConsumerGroupHeartbeat version whose member ids the clients make themselves.
const CLIENT_MEMBER_ID_VERSION: i16 = 1;

fn uuid(id: TopicId) -> Uuid {
    Uuid::from_u128(id.0)
}

/// Partitions grouped by topic, in topic order.
fn by_topic(tps: &[TopicPartition]) -> BTreeMap<&str, Vec<i32>> {
    let mut out: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in tps {
        out.entry(tp.topic.as_str()).or_default().push(tp.partition);
    }
    for ps in out.values_mut() {
        ps.sort_unstable();
    }
    out
}

fn heartbeat_error(e: KafkaError, message: Option<&str>) -> ConsumerGroupHeartbeatResponse {
    ConsumerGroupHeartbeatResponse::default()
        .with_error_code(e.code())
        .with_error_message(message.map(sb))
}

/// Kafka's request checks (`throwIfConsumerGroupHeartbeatRequestIsInvalid`): what a join, a
/// leave and a static leave must carry. The message goes back with INVALID_REQUEST.
fn invalid(ctx: &Ctx, r: &ConsumerGroupHeartbeatRequest) -> Option<&'static str> {
    if r.group_id.0.is_empty() {
        return Some("GroupId can't be empty.");
    }
    if r.member_id.is_empty()
        && (ctx.version >= CLIENT_MEMBER_ID_VERSION
            || r.member_epoch > 0
            || r.member_epoch == LEAVE_GROUP_MEMBER_EPOCH)
    {
        return Some("MemberId can't be empty.");
    }
    if r.instance_id.as_ref().is_some_and(|i| i.is_empty()) {
        return Some("InstanceId can't be empty.");
    }
    match r.member_epoch {
        0 => {
            if r.rebalance_timeout_ms == -1 {
                return Some("RebalanceTimeoutMs must be provided in first request.");
            }
            if r.topic_partitions.as_ref().is_none_or(|t| !t.is_empty()) {
                return Some("TopicPartitions must be empty when (re-)joining.");
            }
            if r.subscribed_topic_names.is_none() && r.subscribed_topic_regex.is_none() {
                return Some(
                    "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.",
                );
            }
        }
        LEAVE_GROUP_STATIC_MEMBER_EPOCH if r.instance_id.is_none() => {
            return Some("InstanceId can't be null.");
        }
        e if e < LEAVE_GROUP_STATIC_MEMBER_EPOCH => {
            return Some("MemberEpoch is invalid.");
        }
        _ => {}
    }
    None
}

/// ConsumerGroupHeartbeat: joins (epoch 0), heartbeats and reconciles, or leaves (-1, or -2 for
/// a static member that will come back).
pub fn heartbeat(
    cluster: &mut Cluster,
    ctx: &Ctx,
    r: &ConsumerGroupHeartbeatRequest,
) -> ConsumerGroupHeartbeatResponse {
    if let Some(why) = invalid(ctx, r) {
        return heartbeat_error(KafkaError::InvalidRequest, Some(why));
    }
    let group = r.group_id.0.to_string();
    // Owned partitions name topics by id; an id the lab does not know (a deleted topic) is
    // dropped, since nothing can be assigned from it any more.
    let owned = r.topic_partitions.as_ref().map(|ts| {
        ts.iter()
            .filter_map(|t| {
                let name = cluster
                    .topic_name(TopicId(t.topic_id.as_u128()))?
                    .to_string();
                Some(
                    t.partitions
                        .iter()
                        .map(move |p| TopicPartition::new(name.clone(), *p)),
                )
            })
            .flatten()
            .collect::<Vec<_>>()
    });
    let req = ConsumerHeartbeat {
        member_id: r.member_id.to_string(),
        member_epoch: r.member_epoch,
        client_id: ctx.client_id.clone(),
        rebalance_timeout_ms: i64::from(r.rebalance_timeout_ms),
        topics: r
            .subscribed_topic_names
            .as_ref()
            .map(|ts| ts.iter().map(|t| t.0.to_string()).collect()),
        assignor: r.server_assignor.as_ref().map(|a| a.to_string()),
        owned,
        instance_id: r.instance_id.as_ref().map(|i| i.to_string()),
        topic_regex: r
            .subscribed_topic_regex
            .as_ref()
            .filter(|re| !re.is_empty())
            .map(|re| re.to_string()),
    };
    match cluster.consumer_group_heartbeat(ctx.broker, &group, req) {
        Ok(a) => {
            let assignment = a.assignment.map(|tps| {
                Assignment::default().with_topic_partitions(
                    by_topic(&tps)
                        .into_iter()
                        .filter_map(|(t, ps)| {
                            Some(
                                TopicPartitions::default()
                                    .with_topic_id(uuid(cluster.topic_id(t)?))
                                    .with_partitions(ps),
                            )
                        })
                        .collect(),
                )
            });
            ConsumerGroupHeartbeatResponse::default()
                .with_member_id(Some(sb(&a.member_id)))
                .with_member_epoch(a.member_epoch)
                .with_heartbeat_interval_ms(
                    i32::try_from(a.heartbeat_interval_ms).unwrap_or(i32::MAX),
                )
                .with_assignment(assignment)
        }
        Err(KafkaError::GroupIdNotFound) => heartbeat_error(
            KafkaError::GroupIdNotFound,
            Some(&format!(
                "Group {group} is a classic group with members: kafka-lab does not upgrade it online."
            )),
        ),
        Err(e) => heartbeat_error(e, None),
    }
}

/// ConsumerGroupDescribe: each group's epochs, assignor and members with their current and
/// target assignments, topics named by id and name.
pub fn describe(
    cluster: &Cluster,
    ctx: &Ctx,
    r: &ConsumerGroupDescribeRequest,
) -> ConsumerGroupDescribeResponse {
    let topics = |tps: &[TopicPartition]| -> describe::Assignment {
        describe::Assignment::default().with_topic_partitions(
            by_topic(tps)
                .into_iter()
                .map(|(t, ps)| {
                    describe::TopicPartitions::default()
                        .with_topic_id(cluster.topic_id(t).map(uuid).unwrap_or_default())
                        .with_topic_name(topic_name(t))
                        .with_partitions(ps)
                })
                .collect(),
        )
    };
    let groups =
        r.group_ids
            .iter()
            .map(|gid| {
                let name = gid.0.to_string();
                let d = DescribedGroup::default()
                    .with_group_id(gid.clone())
                    .with_authorized_operations(i32::MIN);
                if let Err(e) = coordinated_here(cluster, ctx, &name) {
                    return d.with_error_code(e.code());
                }
                let g =
                    match cluster.consumer_group_describe(ctx.broker, &name) {
                        Ok(g) => g,
                        Err(e) => {
                            return d.with_error_code(e.code()).with_error_message(Some(sb(
                                &format!("Group {name} is not a consumer group."),
                            )));
                        }
                    };
                let members = g
                    .members
                    .values()
                    .map(|m| {
                        let target = g.target.get(&m.member_id).cloned().unwrap_or_default();
                        describe::Member::default()
                            .with_member_id(sb(&m.member_id))
                            .with_instance_id(m.instance_id.as_deref().map(sb))
                            .with_member_epoch(m.member_epoch)
                            .with_client_id(sb(&m.client_id))
                            .with_client_host(sb("/127.0.0.1"))
                            .with_subscribed_topic_names(
                                m.topics.iter().map(|t| topic_name(t)).collect(),
                            )
                            .with_subscribed_topic_regex(m.topic_regex.as_deref().map(sb))
                            .with_assignment(topics(&m.assigned))
                            .with_target_assignment(topics(&target))
                            // 1: a member of the consumer protocol (0 would be a classic member).
                            .with_member_type(1)
                    })
                    .collect();
                d.with_group_state(sb(g.state_name()))
                    .with_group_epoch(g.group_epoch)
                    .with_assignment_epoch(g.assignment_epoch)
                    .with_assignor_name(sb(g.assignor.map_or("uniform", |a| a.name())))
                    .with_members(members)
            })
            .collect();
    ConsumerGroupDescribeResponse::default().with_groups(groups)
}
