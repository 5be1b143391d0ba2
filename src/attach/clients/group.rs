//! The classic group protocol as Kafka's consumer speaks it, one call per function:
//! FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, LeaveGroup, and what each
//! error code tells the member to do next ([`next_step`]).

use crate::attach::session::{AttachError, Session, error_name};
use crate::cluster::types::{BrokerId, TopicPartition};
use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ApiKey, FindCoordinatorRequest, GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
    OffsetCommitRequest, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;
use std::time::Duration;

/// The protocol type every Kafka consumer sends in JoinGroup.
pub const PROTOCOL_TYPE: &str = "consumer";
/// Extra time a JoinGroup or SyncGroup may take beyond the rebalance timeout (Kafka's consumer
/// waits `rebalance.timeout.ms` plus a margin for these calls).
const JOIN_MARGIN: Duration = Duration::from_secs(5);

/// What a member does after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Carry on.
    Continue,
    /// Join again (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION), with an empty member id when
    /// the coordinator no longer knows this one (UNKNOWN_MEMBER_ID).
    Rejoin {
        /// Forget the member id first.
        reset_member: bool,
    },
    /// Find the coordinator again (it moved or is loading).
    Rediscover,
    /// Try the same call again after the backoff.
    Retry,
    /// Stop: the member cannot go on (FENCED_INSTANCE_ID, an authorization error...).
    Fatal,
}

/// What Kafka's `AbstractCoordinator` does on `code` in a group response.
pub fn next_step(code: i16) -> Step {
    let Some(error) = ResponseError::try_from_code(code) else {
        return Step::Continue;
    };
    match error {
        ResponseError::RebalanceInProgress | ResponseError::IllegalGeneration => Step::Rejoin {
            reset_member: false,
        },
        ResponseError::UnknownMemberId => Step::Rejoin { reset_member: true },
        ResponseError::NotCoordinator
        | ResponseError::CoordinatorNotAvailable
        | ResponseError::CoordinatorLoadInProgress => Step::Rediscover,
        ResponseError::MemberIdRequired => Step::Rejoin {
            reset_member: false,
        },
        e if e.is_retriable() => Step::Retry,
        _ => Step::Fatal,
    }
}

/// A member's place in its group after SyncGroup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// Member id the coordinator gave.
    pub member_id: String,
    /// Generation of the group.
    pub generation: i32,
    /// Assigned partitions.
    pub assigned: Vec<TopicPartition>,
}

/// A group call's failure: the error code (for [`next_step`]) or a transport error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The coordinator answered with this error code (and the member id it gave, if any).
    Code(i16, String),
    /// The request failed before an answer.
    Transport(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Code(c, _) => f.write_str(&error_name(*c)),
            CallError::Transport(e) => f.write_str(e),
        }
    }
}

impl From<AttachError> for CallError {
    fn from(e: AttachError) -> Self {
        CallError::Transport(e.to_string())
    }
}

fn gid(group: &str) -> GroupId {
    GroupId(StrBytes::from_string(group.to_string()))
}

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// FindCoordinator for `group`: the broker that coordinates it (its address into `session`).
pub async fn find_coordinator(session: &mut Session, group: &str) -> Result<BrokerId, CallError> {
    session.ensure_versions().await?;
    let version = session.version(ApiKey::FindCoordinator, 0, 4)?;
    let request = if version >= 4 {
        FindCoordinatorRequest::default().with_coordinator_keys(vec![sb(group)])
    } else {
        FindCoordinatorRequest::default().with_key(sb(group))
    };
    let r = session.call_any(request, version).await?;
    let (code, node, host, port) = match r.coordinators.first() {
        Some(c) if version >= 4 => (c.error_code, c.node_id.0, c.host.to_string(), c.port),
        _ => (r.error_code, r.node_id.0, r.host.to_string(), r.port),
    };
    if code != 0 {
        return Err(CallError::Code(code, String::new()));
    }
    session.addresses.insert(node, format!("{host}:{port}"));
    Ok(node)
}

/// What JoinGroup answered.
#[derive(Clone, Debug, Default)]
pub struct Joined {
    /// This member's id.
    pub member_id: String,
    /// The new generation.
    pub generation: i32,
    /// The protocol (assignor) the group chose.
    pub protocol: String,
    /// The leader's member id.
    pub leader: String,
    /// Every member with its subscription bytes (for the leader only).
    pub members: Vec<(String, Bytes)>,
}

/// The settings JoinGroup sends.
#[derive(Clone, Debug)]
pub struct JoinSpec {
    /// `group.id`.
    pub group: String,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i32,
    /// `max.poll.interval.ms`, Kafka's rebalance timeout.
    pub rebalance_timeout_ms: i32,
    /// `group.instance.id`.
    pub instance_id: Option<String>,
    /// Assignor name and subscription bytes.
    pub protocol: (String, Bytes),
}

impl JoinSpec {
    /// The group settings of `spec`, offering `protocol` (empty for a KIP-848 member, whose
    /// assignor is the broker's).
    pub fn of(spec: &crate::clients::spec::ConsumerSpec, protocol: (String, Bytes)) -> Self {
        Self {
            group: spec.group_id.clone(),
            session_timeout_ms: i32::try_from(spec.session_timeout_ms).unwrap_or(i32::MAX),
            rebalance_timeout_ms: i32::try_from(spec.max_poll_interval_ms).unwrap_or(i32::MAX),
            instance_id: spec.group_instance_id.clone(),
            protocol,
        }
    }
}

/// A call allowed the rebalance timeout plus a margin (JoinGroup waits for the whole group).
async fn long_call<R: kafka_protocol::protocol::Request>(
    session: &mut Session,
    broker: BrokerId,
    request: R,
    version: i16,
    wait: Duration,
) -> Result<R::Response, CallError> {
    let mut conn = session.take(broker).await?;
    match tokio::time::timeout(wait, conn.call(request, version)).await {
        Ok(Ok(r)) => {
            session.put(broker, conn);
            Ok(r)
        }
        Ok(Err(e)) => Err(CallError::Transport(e.to_string())),
        Err(_) => Err(CallError::Transport(format!(
            "no answer within {} ms",
            wait.as_millis()
        ))),
    }
}

/// JoinGroup as `member_id` (empty on the first join).
pub async fn join(
    session: &mut Session,
    coordinator: BrokerId,
    spec: &JoinSpec,
    member_id: &str,
) -> Result<Joined, CallError> {
    let version = session.version(ApiKey::JoinGroup, 1, 9)?;
    let request = JoinGroupRequest::default()
        .with_group_id(gid(&spec.group))
        .with_session_timeout_ms(spec.session_timeout_ms)
        .with_rebalance_timeout_ms(spec.rebalance_timeout_ms)
        .with_member_id(sb(member_id))
        .with_group_instance_id(spec.instance_id.as_deref().map(sb))
        .with_protocol_type(sb(PROTOCOL_TYPE))
        .with_protocols(vec![
            JoinGroupRequestProtocol::default()
                .with_name(sb(&spec.protocol.0))
                .with_metadata(spec.protocol.1.clone()),
        ]);
    let wait = Duration::from_millis(spec.rebalance_timeout_ms.max(0) as u64) + JOIN_MARGIN;
    let r = long_call(session, coordinator, request, version, wait).await?;
    if r.error_code != 0 {
        return Err(CallError::Code(r.error_code, r.member_id.to_string()));
    }
    Ok(Joined {
        member_id: r.member_id.to_string(),
        generation: r.generation_id,
        protocol: r.protocol_name.map(|p| p.to_string()).unwrap_or_default(),
        leader: r.leader.to_string(),
        members: r
            .members
            .iter()
            .map(|m| (m.member_id.to_string(), m.metadata.clone()))
            .collect(),
    })
}

/// SyncGroup: the leader sends every assignment, the others none; returns this member's bytes.
pub async fn sync(
    session: &mut Session,
    coordinator: BrokerId,
    spec: &JoinSpec,
    joined: &Joined,
    assignments: Vec<(String, Bytes)>,
) -> Result<Bytes, CallError> {
    let version = session.version(ApiKey::SyncGroup, 0, 5)?;
    let request = SyncGroupRequest::default()
        .with_group_id(gid(&spec.group))
        .with_generation_id(joined.generation)
        .with_member_id(sb(&joined.member_id))
        .with_group_instance_id(spec.instance_id.as_deref().map(sb))
        .with_protocol_type((version >= 5).then(|| sb(PROTOCOL_TYPE)))
        .with_protocol_name((version >= 5).then(|| sb(&joined.protocol)))
        .with_assignments(
            assignments
                .into_iter()
                .map(|(m, a)| {
                    SyncGroupRequestAssignment::default()
                        .with_member_id(sb(&m))
                        .with_assignment(a)
                })
                .collect(),
        );
    let wait = Duration::from_millis(spec.rebalance_timeout_ms.max(0) as u64) + JOIN_MARGIN;
    let r = long_call(session, coordinator, request, version, wait).await?;
    if r.error_code != 0 {
        return Err(CallError::Code(r.error_code, String::new()));
    }
    Ok(r.assignment)
}

/// Heartbeat for the member's generation.
pub async fn heartbeat(
    session: &mut Session,
    coordinator: BrokerId,
    spec: &JoinSpec,
    m: &Membership,
) -> Result<(), CallError> {
    let version = session.version(ApiKey::Heartbeat, 0, 4)?;
    let request = HeartbeatRequest::default()
        .with_group_id(gid(&spec.group))
        .with_generation_id(m.generation)
        .with_member_id(sb(&m.member_id))
        .with_group_instance_id(spec.instance_id.as_deref().map(sb));
    let r = session.call(coordinator, request, version).await?;
    match r.error_code {
        0 => Ok(()),
        c => Err(CallError::Code(c, String::new())),
    }
}

/// OffsetCommit versions a classic member sends (v10 would name topics by id).
pub const CLASSIC_COMMIT_VERSIONS: (i16, i16) = (2, 9);
/// OffsetCommit versions a KIP-848 member sends: Kafka refuses older ones from a member of the
/// consumer protocol (UNSUPPORTED_VERSION), since only v9+ carry the member epoch's meaning.
pub const KIP848_COMMIT_VERSIONS: (i16, i16) = (9, 9);

/// OffsetCommit of `offsets` (the next offset to read, per partition) for the generation (a
/// KIP-848 member's epoch, in `m.generation`), at a version in `versions`.
pub async fn commit(
    session: &mut Session,
    coordinator: BrokerId,
    spec: &JoinSpec,
    m: &Membership,
    offsets: &BTreeMap<TopicPartition, i64>,
    versions: (i16, i16),
) -> Result<(), CallError> {
    let version = session.version(ApiKey::OffsetCommit, versions.0, versions.1)?;
    let mut by_topic: BTreeMap<&str, Vec<OffsetCommitRequestPartition>> = BTreeMap::new();
    for (tp, offset) in offsets {
        by_topic.entry(&tp.topic).or_default().push(
            OffsetCommitRequestPartition::default()
                .with_partition_index(tp.partition)
                .with_committed_offset(*offset)
                .with_committed_leader_epoch(-1),
        );
    }
    let request = OffsetCommitRequest::default()
        .with_group_id(gid(&spec.group))
        .with_generation_id_or_member_epoch(m.generation)
        .with_member_id(sb(&m.member_id))
        .with_group_instance_id(spec.instance_id.as_deref().map(sb))
        .with_retention_time_ms(-1)
        .with_topics(
            by_topic
                .into_iter()
                .map(|(t, ps)| {
                    OffsetCommitRequestTopic::default()
                        .with_name(TopicName(sb(t)))
                        .with_partitions(ps)
                })
                .collect(),
        );
    let r = session.call(coordinator, request, version).await?;
    let first_error = r
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.error_code)
        .find(|c| *c != 0);
    match first_error {
        None => Ok(()),
        Some(c) => Err(CallError::Code(c, String::new())),
    }
}

/// LeaveGroup: the coordinator rebalances the others at once instead of after the session timeout.
pub async fn leave(
    session: &mut Session,
    coordinator: BrokerId,
    spec: &JoinSpec,
    member_id: &str,
) -> Result<(), CallError> {
    let version = session.version(ApiKey::LeaveGroup, 0, 5)?;
    let request = if version >= 3 {
        LeaveGroupRequest::default()
            .with_group_id(gid(&spec.group))
            .with_members(vec![
                MemberIdentity::default()
                    .with_member_id(sb(member_id))
                    .with_group_instance_id(spec.instance_id.as_deref().map(sb))
                    .with_reason((version >= 5).then(|| sb("the consumer is closing"))),
            ])
    } else {
        LeaveGroupRequest::default()
            .with_group_id(gid(&spec.group))
            .with_member_id(sb(member_id))
    };
    let r = session.call(coordinator, request, version).await?;
    match r.error_code {
        0 => Ok(()),
        c => Err(CallError::Code(c, String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_rejoins_on_rebalance_and_forgets_an_unknown_member_id() {
        assert_eq!(next_step(0), Step::Continue);
        assert_eq!(
            next_step(27),
            Step::Rejoin {
                reset_member: false
            }
        );
        assert_eq!(
            next_step(22),
            Step::Rejoin {
                reset_member: false
            }
        );
        assert_eq!(next_step(25), Step::Rejoin { reset_member: true });
        assert_eq!(
            next_step(79),
            Step::Rejoin {
                reset_member: false
            }
        );
        assert_eq!(next_step(16), Step::Rediscover);
        assert_eq!(next_step(15), Step::Rediscover);
        assert_eq!(next_step(7), Step::Retry);
        // FENCED_INSTANCE_ID: another instance took the static member id.
        assert_eq!(next_step(82), Step::Fatal);
        assert_eq!(next_step(30), Step::Fatal);
    }
}
