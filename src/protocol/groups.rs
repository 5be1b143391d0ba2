//! Consumer groups over the wire: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, mapped onto the
//! cluster's group coordinator. OffsetCommit/OffsetFetch are in [`super::offset_commit`],
//! DescribeGroups/ListGroups in [`super::describe_groups`].

use super::consumer_protocol::{
    decode_assignment, decode_subscription, encode_assignment, encode_subscription,
};
use super::host::{Ctx, Outcome, Waiting, WireHost, deadline_in};
use super::metadata::sb;
use crate::cluster::error::KafkaError;
use crate::cluster::group::JoinRequest;
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::heartbeat_response::HeartbeatResponse;
use kafka_protocol::messages::join_group_response::{JoinGroupResponse, JoinGroupResponseMember};
use kafka_protocol::messages::leave_group_response::{LeaveGroupResponse, MemberResponse};
use kafka_protocol::messages::sync_group_response::SyncGroupResponse;
use kafka_protocol::messages::{
    HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, SyncGroupRequest,
};
use std::collections::BTreeMap;

/// The only protocol type the lab's coordinator understands.
pub(super) const CONSUMER: &str = "consumer";

/// A JoinGroup waiting for the join phase to complete.
#[derive(Clone)]
pub struct PendingJoin {
    group: String,
    member_id: String,
}

/// A SyncGroup waiting for the leader's assignment.
#[derive(Clone)]
pub struct PendingSync {
    group: String,
    member_id: String,
    generation: i32,
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

/// Ok when `ctx.broker` coordinates `group`, else the error to answer with (NOT_COORDINATOR).
pub(super) fn coordinated_here(
    cluster: &Cluster,
    ctx: &Ctx,
    group: &str,
) -> Result<(), KafkaError> {
    match cluster.coordinator_for(group) {
        Ok(b) if b == ctx.broker => Ok(()),
        Ok(_) => Err(KafkaError::NotCoordinator),
        Err(e) => Err(e),
    }
}
