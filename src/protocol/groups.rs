//! Consumer groups over the wire: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
//! OffsetFetch, DescribeGroups and ListGroups, mapped onto the cluster's group coordinator.

use super::consumer_protocol::{
    decode_assignment, decode_subscription, encode_assignment, encode_subscription,
};
use super::host::{Ctx, Outcome, Waiting, WireHost, deadline_in};
use super::metadata::{sb, topic_name};
use crate::cluster::CommitOutcome;
use crate::cluster::error::KafkaError;
use crate::cluster::group::{JoinRequest, OFFSET_METADATA_MAX_BYTES, OffsetAndMetadata};
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::describe_groups_response::{
    DescribeGroupsResponse, DescribedGroup, DescribedGroupMember,
};
use kafka_protocol::messages::heartbeat_response::HeartbeatResponse;
use kafka_protocol::messages::join_group_response::{JoinGroupResponse, JoinGroupResponseMember};
use kafka_protocol::messages::leave_group_response::{LeaveGroupResponse, MemberResponse};
use kafka_protocol::messages::list_groups_response::{ListGroupsResponse, ListedGroup};
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponse, OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponse, OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::sync_group_response::SyncGroupResponse;
use kafka_protocol::messages::{
    DescribeGroupsRequest, GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
    ListGroupsRequest, OffsetCommitRequest, OffsetFetchRequest, SyncGroupRequest,
};
use std::collections::BTreeMap;

/// The only protocol type the lab's coordinator understands.
const CONSUMER: &str = "consumer";

/// A JoinGroup waiting for the join phase to complete.
pub struct PendingJoin {
    group: String,
    member_id: String,
}

/// A SyncGroup waiting for the leader's assignment.
pub struct PendingSync {
    group: String,
    member_id: String,
    generation: i32,
}

/// An OffsetCommit waiting for `__consumer_offsets` to replicate it.
pub struct PendingCommit {
    offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
    /// Partitions refused with OFFSET_METADATA_TOO_LARGE, answered with the rest.
    too_large: Vec<(TopicPartition, OffsetAndMetadata)>,
    /// The append to `__consumer_offsets` being replicated, if the commit was not applied at once.
    ticket: Option<u64>,
}

impl PendingCommit {
    /// The commit's ticket, while it waits for replication.
    pub fn ticket(&self) -> Option<u64> {
        self.ticket
    }
}

fn join_error(ctx: &Ctx, code: i16, member_id: &str) -> JoinGroupResponse {
    let r = JoinGroupResponse::default()
        .with_error_code(code)
        .with_generation_id(-1)
        .with_member_id(sb(member_id));
    if ctx.version >= 7 {
        r.with_protocol_name(None)
    } else {
        r.with_protocol_name(Some(sb("")))
    }
}

/// JoinGroup: registers the member with the coordinator, then waits for the join phase.
pub fn join(host: &mut WireHost, cluster: &mut Cluster, ctx: &Ctx, r: JoinGroupRequest) -> Outcome {
    let group = r.group_id.0.to_string();
    let mut topics = Vec::new();
    let mut owned = Vec::new();
    let mut decoded = false;
    for p in &r.protocols {
        if let Some((t, o)) = decode_subscription(&p.metadata) {
            topics = t;
            owned = o;
            decoded = true;
            break;
        }
    }
    if r.protocol_type.as_str() != CONSUMER || !decoded {
        return Outcome::Done(
            join_error(ctx, KafkaError::InconsistentGroupProtocol.code(), "").into(),
        );
    }
    let session = i64::from(r.session_timeout_ms);
    let rebalance = if ctx.version >= 1 {
        i64::from(r.rebalance_timeout_ms)
    } else {
        session
    };
    let req = JoinRequest {
        member_id: (!r.member_id.is_empty()).then(|| r.member_id.to_string()),
        group_instance_id: r.group_instance_id.as_ref().map(|s| s.to_string()),
        client_id: ctx.client_id.clone(),
        protocols: r.protocols.iter().map(|p| p.name.to_string()).collect(),
        topics,
        owned,
        session_timeout_ms: session,
        rebalance_timeout_ms: rebalance,
    };
    match cluster.join_group(ctx.broker, &group, req) {
        Ok(member_id) => {
            host.members.set_join(
                &group,
                &member_id,
                r.protocols
                    .iter()
                    .map(|p| (p.name.to_string(), p.metadata.clone()))
                    .collect(),
            );
            let mut pending = PendingJoin { group, member_id };
            match poll_join(host, cluster, ctx, &mut pending, false) {
                Some(resp) => Outcome::Done(resp.into()),
                None => Outcome::Park(
                    Waiting::Join(pending),
                    deadline_in(cluster, rebalance + 5_000),
                ),
            }
        }
        Err(e) => Outcome::Done(join_error(ctx, e.code(), "").into()),
    }
}

/// Re-checks a waiting JoinGroup.
pub fn poll_join(
    host: &WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    j: &mut PendingJoin,
    timed_out: bool,
) -> Option<JoinGroupResponse> {
    match cluster.join_group_result(ctx.broker, &j.group, &j.member_id) {
        Ok(Some(resp)) => {
            let g = cluster.group_coordinator().group(&j.group);
            let members = resp
                .members
                .iter()
                .map(|(id, topics, owned)| {
                    let metadata = host
                        .members
                        .metadata(&j.group, id, &resp.protocol)
                        .unwrap_or_else(|| encode_subscription(topics, owned));
                    let instance = g
                        .and_then(|g| g.members.get(id))
                        .and_then(|m| m.group_instance_id.as_deref())
                        .filter(|_| ctx.version >= 5)
                        .map(sb);
                    JoinGroupResponseMember::default()
                        .with_member_id(sb(id))
                        .with_group_instance_id(instance)
                        .with_metadata(metadata)
                })
                .collect();
            let mut out = JoinGroupResponse::default()
                .with_generation_id(resp.generation)
                .with_protocol_name(Some(sb(&resp.protocol)))
                .with_leader(sb(&resp.leader))
                .with_member_id(sb(&resp.member_id))
                .with_members(members);
            if ctx.version >= 7 {
                out = out.with_protocol_type(Some(sb(CONSUMER)));
            }
            Some(out)
        }
        Ok(None) if timed_out => Some(join_error(
            ctx,
            KafkaError::RebalanceInProgress.code(),
            &j.member_id,
        )),
        Ok(None) => None,
        Err(e) => Some(join_error(ctx, e.code(), &j.member_id)),
    }
}

fn sync_response(
    ctx: &Ctx,
    code: i16,
    assignment: bytes::Bytes,
    protocol: Option<&str>,
) -> SyncGroupResponse {
    let mut r = SyncGroupResponse::default()
        .with_error_code(code)
        .with_assignment(assignment);
    if ctx.version >= 5 {
        r = r
            .with_protocol_type(Some(sb(CONSUMER)))
            .with_protocol_name(protocol.map(sb));
    }
    r
}

/// SyncGroup: the leader hands in the assignment; everyone waits for theirs.
pub fn sync(host: &mut WireHost, cluster: &mut Cluster, ctx: &Ctx, r: SyncGroupRequest) -> Outcome {
    let group = r.group_id.0.to_string();
    let member = r.member_id.to_string();
    let is_leader = cluster
        .group_coordinator()
        .group(&group)
        .is_some_and(|g| g.leader.as_deref() == Some(member.as_str()));
    let mut map: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
    for a in &r.assignments {
        let Some(tps) = decode_assignment(&a.assignment) else {
            return Outcome::Done(
                sync_response(
                    ctx,
                    KafkaError::InconsistentGroupProtocol.code(),
                    bytes::Bytes::new(),
                    None,
                )
                .into(),
            );
        };
        map.insert(a.member_id.to_string(), tps);
    }
    let assignment = (is_leader || !r.assignments.is_empty()).then_some(&map);
    match cluster.sync_group(ctx.broker, &group, &member, r.generation_id, assignment) {
        Ok(result) => {
            if assignment.is_some() {
                for a in &r.assignments {
                    host.members.set_assignment(
                        &group,
                        &a.member_id,
                        r.generation_id,
                        a.assignment.clone(),
                    );
                }
            }
            let mut pending = PendingSync {
                group,
                member_id: member,
                generation: r.generation_id,
            };
            match result {
                Some(tps) => Outcome::Done(sync_done(host, cluster, ctx, &pending, &tps).into()),
                None => match poll_sync(host, cluster, ctx, &mut pending, false) {
                    Some(resp) => Outcome::Done(resp.into()),
                    None => Outcome::Park(Waiting::Sync(pending), deadline_in(cluster, 300_000)),
                },
            }
        }
        Err(e) => Outcome::Done(sync_response(ctx, e.code(), bytes::Bytes::new(), None).into()),
    }
}

fn sync_done(
    host: &WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    s: &PendingSync,
    tps: &[TopicPartition],
) -> SyncGroupResponse {
    let bytes = host
        .members
        .assignment(&s.group, &s.member_id, s.generation)
        .unwrap_or_else(|| encode_assignment(tps));
    let protocol = cluster
        .group_coordinator()
        .group(&s.group)
        .and_then(|g| g.protocol.clone());
    sync_response(ctx, 0, bytes, protocol.as_deref())
}

/// Re-checks a waiting SyncGroup.
pub fn poll_sync(
    host: &WireHost,
    cluster: &mut Cluster,
    ctx: &Ctx,
    s: &mut PendingSync,
    timed_out: bool,
) -> Option<SyncGroupResponse> {
    match cluster.sync_group(ctx.broker, &s.group, &s.member_id, s.generation, None) {
        Ok(Some(tps)) => Some(sync_done(host, cluster, ctx, s, &tps)),
        Ok(None) if timed_out => Some(sync_response(
            ctx,
            KafkaError::RebalanceInProgress.code(),
            bytes::Bytes::new(),
            None,
        )),
        Ok(None) => None,
        Err(e) => Some(sync_response(ctx, e.code(), bytes::Bytes::new(), None)),
    }
}

/// Heartbeat.
pub fn heartbeat(cluster: &mut Cluster, ctx: &Ctx, r: &HeartbeatRequest) -> HeartbeatResponse {
    let code = match cluster.group_heartbeat(
        ctx.broker,
        r.group_id.0.as_str(),
        r.member_id.as_str(),
        r.generation_id,
    ) {
        Ok(()) => 0,
        Err(e) => e.code(),
    };
    HeartbeatResponse::default().with_error_code(code)
}

/// LeaveGroup (one member before v3, a batch of members from v3).
pub fn leave(cluster: &mut Cluster, ctx: &Ctx, r: &LeaveGroupRequest) -> LeaveGroupResponse {
    let group = r.group_id.0.to_string();
    let code_of = |res: Result<(), KafkaError>| res.err().map_or(0, |e| e.code());
    if ctx.version < 3 {
        let code = code_of(cluster.leave_group(ctx.broker, &group, r.member_id.as_str()));
        return LeaveGroupResponse::default().with_error_code(code);
    }
    let mut members = Vec::new();
    for m in &r.members {
        let mut id = m.member_id.to_string();
        if id.is_empty()
            && let Some(iid) = &m.group_instance_id
        {
            id = cluster
                .group_coordinator()
                .group(&group)
                .and_then(|g| {
                    g.members
                        .values()
                        .find(|x| x.group_instance_id.as_deref() == Some(iid.as_str()))
                })
                .map(|x| x.member_id.clone())
                .unwrap_or_default();
        }
        let code = code_of(cluster.leave_group(ctx.broker, &group, &id));
        members.push(
            MemberResponse::default()
                .with_member_id(m.member_id.clone())
                .with_group_instance_id(m.group_instance_id.clone())
                .with_error_code(code),
        );
    }
    LeaveGroupResponse::default().with_members(members)
}

/// The OffsetCommit response: `code` for each of `offsets`, OFFSET_METADATA_TOO_LARGE for each of
/// `too_large`.
fn commit_response(
    offsets: &[(TopicPartition, OffsetAndMetadata)],
    code: i16,
    too_large: &[(TopicPartition, OffsetAndMetadata)],
) -> OffsetCommitResponse {
    let too_large_code = KafkaError::OffsetMetadataTooLarge.code();
    let codes = offsets
        .iter()
        .map(|(tp, _)| (tp, code))
        .chain(too_large.iter().map(|(tp, _)| (tp, too_large_code)));
    let mut topics: Vec<OffsetCommitResponseTopic> = Vec::new();
    for (tp, code) in codes {
        let p = OffsetCommitResponsePartition::default()
            .with_partition_index(tp.partition)
            .with_error_code(code);
        match topics.iter_mut().find(|t| t.name.0.as_str() == tp.topic) {
            Some(t) => t.partitions.push(p),
            None => topics.push(
                OffsetCommitResponseTopic::default()
                    .with_name(topic_name(&tp.topic))
                    .with_partitions(vec![p]),
            ),
        }
    }
    OffsetCommitResponse::default().with_topics(topics)
}

/// OffsetCommit: answered once `__consumer_offsets` has replicated the commit, as in Kafka.
pub fn offset_commit(cluster: &mut Cluster, ctx: &Ctx, r: OffsetCommitRequest) -> Outcome {
    let group = r.group_id.0.to_string();
    let offsets: Vec<(TopicPartition, OffsetAndMetadata)> = r
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| {
                (
                    TopicPartition::new(t.name.0.to_string(), p.partition_index),
                    OffsetAndMetadata {
                        offset: p.committed_offset,
                        metadata: p
                            .committed_metadata
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                    },
                )
            })
        })
        .collect();
    // As in Kafka, a partition whose metadata is too long is refused on its own; the rest commit.
    let (offsets, too_large): (Vec<_>, Vec<_>) = offsets
        .into_iter()
        .partition(|(_, c)| c.metadata.len() <= OFFSET_METADATA_MAX_BYTES);
    let member = (!r.member_id.is_empty()).then(|| r.member_id.to_string());
    match cluster.commit_offsets(
        ctx.broker,
        &group,
        member.as_deref(),
        r.generation_id_or_member_epoch,
        &offsets,
    ) {
        Ok(outcome) => {
            let ticket = match outcome {
                CommitOutcome::Pending(t) => Some(t),
                CommitOutcome::Done => None,
            };
            let mut pending = PendingCommit {
                offsets,
                too_large,
                ticket,
            };
            match poll_commit(cluster, ctx, &mut pending, false) {
                Some(resp) => Outcome::Done(resp.into()),
                None => Outcome::Park(Waiting::Commit(pending), deadline_in(cluster, 5_500)),
            }
        }
        Err(e) => Outcome::Done(commit_response(&offsets, e.code(), &too_large).into()),
    }
}

/// Re-checks a waiting OffsetCommit: answered once `__consumer_offsets` has it.
pub fn poll_commit(
    cluster: &mut Cluster,
    _ctx: &Ctx,
    c: &mut PendingCommit,
    timed_out: bool,
) -> Option<OffsetCommitResponse> {
    let code = match c.ticket.map(|t| (t, cluster.take_commit_result(t))) {
        None | Some((_, Some(Ok(())))) => 0,
        Some((_, Some(Err(e)))) => e.code(),
        Some((t, None)) if timed_out => {
            cluster.forget_commit(t);
            KafkaError::RequestTimedOut.code()
        }
        Some((_, None)) => return None,
    };
    Some(commit_response(&c.offsets, code, &c.too_large))
}

/// OffsetFetch (one group per request, versions 1 to 7).
pub fn offset_fetch(cluster: &Cluster, ctx: &Ctx, r: &OffsetFetchRequest) -> OffsetFetchResponse {
    let group = r.group_id.0.to_string();
    let wanted: Vec<TopicPartition> = match &r.topics {
        Some(ts) => ts
            .iter()
            .flat_map(|t| {
                t.partition_indexes
                    .iter()
                    .map(|p| TopicPartition::new(t.name.0.to_string(), *p))
            })
            .collect(),
        None => cluster
            .group_coordinator()
            .group(&group)
            .map(|g| g.committed.keys().cloned().collect())
            .unwrap_or_default(),
    };
    let mut top_error = 0;
    let mut topics: Vec<OffsetFetchResponseTopic> = Vec::new();
    for tp in wanted {
        let (committed, code) = match cluster.committed_offset(ctx.broker, &group, &tp) {
            Ok(c) => (c.unwrap_or(OffsetAndMetadata::new(-1)), 0),
            Err(e) => {
                top_error = e.code();
                (OffsetAndMetadata::new(-1), e.code())
            }
        };
        let p = OffsetFetchResponsePartition::default()
            .with_partition_index(tp.partition)
            .with_committed_offset(committed.offset)
            .with_committed_leader_epoch(-1)
            .with_metadata(Some(sb(&committed.metadata)))
            .with_error_code(code);
        match topics.iter_mut().find(|t| t.name.0.as_str() == tp.topic) {
            Some(t) => t.partitions.push(p),
            None => topics.push(
                OffsetFetchResponseTopic::default()
                    .with_name(topic_name(&tp.topic))
                    .with_partitions(vec![p]),
            ),
        }
    }
    // Whatever was asked, a broker that does not coordinate the group says so.
    if let Err(e) = coordinated_here(cluster, ctx, &group) {
        top_error = e.code();
    }
    let resp = OffsetFetchResponse::default().with_topics(topics);
    if ctx.version >= 2 {
        resp.with_error_code(top_error)
    } else {
        resp
    }
}

fn coordinated_here(cluster: &Cluster, ctx: &Ctx, group: &str) -> Result<(), KafkaError> {
    match cluster.coordinator_for(group) {
        Ok(b) if b == ctx.broker => Ok(()),
        Ok(_) => Err(KafkaError::NotCoordinator),
        Err(e) => Err(e),
    }
}

/// DescribeGroups.
pub fn describe_groups(
    host: &WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    r: &DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let groups = r
        .groups
        .iter()
        .map(|gid| {
            let name = gid.0.to_string();
            let d = DescribedGroup::default().with_group_id(gid.clone());
            if let Err(e) = coordinated_here(cluster, ctx, &name) {
                return d
                    .with_error_code(e.code())
                    .with_group_state(sb(""))
                    .with_protocol_type(sb(""))
                    .with_protocol_data(sb(""));
            }
            let Some(g) = cluster.group_coordinator().group(&name) else {
                return d
                    .with_group_state(sb("Dead"))
                    .with_protocol_type(sb(""))
                    .with_protocol_data(sb(""));
            };
            let protocol = g.protocol.clone().unwrap_or_default();
            let members = g
                .members
                .values()
                .map(|m| {
                    let metadata = host
                        .members
                        .metadata(&name, &m.member_id, &protocol)
                        .unwrap_or_else(|| encode_subscription(&m.topics, &m.owned));
                    DescribedGroupMember::default()
                        .with_member_id(sb(&m.member_id))
                        .with_group_instance_id(
                            m.group_instance_id
                                .as_deref()
                                .filter(|_| ctx.version >= 4)
                                .map(sb),
                        )
                        .with_client_id(sb(&m.client_id))
                        .with_client_host(sb("/127.0.0.1"))
                        .with_member_metadata(metadata)
                        .with_member_assignment(encode_assignment(&m.assignment))
                })
                .collect();
            d.with_group_state(sb(&g.state.to_string()))
                .with_protocol_type(sb(CONSUMER))
                .with_protocol_data(sb(&protocol))
                .with_members(members)
        })
        .collect();
    DescribeGroupsResponse::default().with_groups(groups)
}

/// ListGroups: the groups this broker coordinates.
pub fn list_groups(cluster: &Cluster, ctx: &Ctx, r: &ListGroupsRequest) -> ListGroupsResponse {
    let groups = cluster
        .group_coordinator()
        .groups()
        .filter(|g| coordinated_here(cluster, ctx, &g.group_id).is_ok())
        .filter(|g| {
            r.states_filter.is_empty()
                || r.states_filter
                    .iter()
                    .any(|s| s.as_str().eq_ignore_ascii_case(&g.state.to_string()))
        })
        .map(|g| {
            ListedGroup::default()
                .with_group_id(GroupId(sb(&g.group_id)))
                .with_protocol_type(sb(CONSUMER))
                .with_group_state(sb(&g.state.to_string()))
        })
        .collect();
    ListGroupsResponse::default().with_groups(groups)
}
