//! Resetting a real cluster's group offsets from the dashboard (only with `--allow-writes`), as
//! `kafka-consumer-groups.sh --reset-offsets` does through the admin client: the group's state
//! (DescribeGroups, or ConsumerGroupDescribe for a KIP-848 group) must be Empty or Dead; the
//! offsets come from ListOffsets on each partition's leader (-2, -1 or a timestamp, falling back
//! to -1); they are written with OffsetCommit, generation -1 and no member id, as
//! `alterConsumerGroupOffsets` sends them. Every step's failure is named with Kafka's error.

use super::poll::{EARLIEST, LATEST, list_offsets};
use super::session::{Session, error_name};
use crate::cluster::event::{EventKind, NoteText, OffsetsReset};
use crate::cluster::group::reset::{ResetTo, is_inactive};
use crate::cluster::refusal::CommandError;
use crate::cluster::types::{BrokerId, TopicPartition};
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    ApiKey, ConsumerGroupDescribeRequest, DescribeGroupsRequest, FindCoordinatorRequest, GroupId,
    MetadataRequest, OffsetCommitRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// GROUP_ID_NOT_FOUND: DescribeGroups' answer for a KIP-848 group on Kafka 4, and
/// ConsumerGroupDescribe's for a group that does not exist (Kafka's tool resets those).
const GROUP_ID_NOT_FOUND: i16 = 69;

/// A failed step: the request and Kafka's error.
struct Failed(&'static str, String);

/// Resets `group` on `topic` (or every topic it committed offsets for) and says on the timeline
/// what was committed, or why nothing was.
pub async fn reset(
    session: &mut Session,
    group: String,
    topic: Option<String>,
    to: ResetTo,
) -> Vec<EventKind> {
    let note = |text| vec![EventKind::Note { text }];
    match run(session, &group, topic.as_deref(), to).await {
        Ok(Ok(offsets)) => note(NoteText::OffsetsReset(OffsetsReset {
            group,
            topic,
            to,
            offsets,
            request: Some("OffsetCommit".into()),
        })),
        Ok(Err(refusal)) => note(NoteText::Refused { error: refusal }),
        Err(Failed(request, error)) => note(NoteText::AttachWriteFailed {
            request: request.into(),
            error,
        }),
    }
}

async fn run(
    session: &mut Session,
    group: &str,
    topic: Option<&str>,
    to: ResetTo,
) -> Result<Result<Vec<(TopicPartition, i64)>, CommandError>, Failed> {
    session
        .ensure_versions()
        .await
        .map_err(|e| Failed("ApiVersions", e.to_string()))?;
    let coordinator = find_coordinator(session, group).await?;
    let state = group_state(session, coordinator, group).await?;
    if !is_inactive(crate::attach::build::group_state(&state)) {
        return Ok(Err(CommandError::GroupNotInactive {
            group: group.to_string(),
            state,
        }));
    }
    let leaders = leaders(session).await?;
    let tps: Vec<TopicPartition> = match topic {
        Some(t) => {
            let tps: Vec<TopicPartition> =
                leaders.keys().filter(|tp| tp.topic == t).cloned().collect();
            if tps.is_empty() {
                return Ok(Err(CommandError::NoTopic(t.to_string())));
            }
            tps
        }
        None => committed(session, coordinator, group).await?,
    };
    if tps.is_empty() {
        return Ok(Err(CommandError::NothingToReset(group.to_string())));
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    let offsets = offsets(session, &leaders, &tps, to, now_ms).await?;
    commit(session, coordinator, group, &offsets).await?;
    Ok(Ok(offsets))
}

async fn find_coordinator(session: &mut Session, group: &str) -> Result<BrokerId, Failed> {
    const REQ: &str = "FindCoordinator";
    let version = session
        .version(ApiKey::FindCoordinator, 1, 6)
        .map_err(|e| Failed(REQ, e.to_string()))?;
    let key = StrBytes::from_string(group.to_string());
    let request = if version >= 4 {
        FindCoordinatorRequest::default().with_coordinator_keys(vec![key])
    } else {
        FindCoordinatorRequest::default().with_key(key)
    };
    let r = session
        .call_any(request, version)
        .await
        .map_err(|e| Failed(REQ, e.to_string()))?;
    let (node, code) = match r.coordinators.first() {
        Some(c) if version >= 4 => (c.node_id.0, c.error_code),
        _ => (r.node_id.0, r.error_code),
    };
    if code != 0 {
        return Err(Failed(REQ, error_name(code)));
    }
    Ok(node)
}

/// Kafka's name of the group's state: DescribeGroups, then ConsumerGroupDescribe for a KIP-848
/// group; `Dead` for a group neither knows.
async fn group_state(
    session: &mut Session,
    coordinator: BrokerId,
    group: &str,
) -> Result<String, Failed> {
    let gid = GroupId(StrBytes::from_string(group.to_string()));
    let version = session
        .version(ApiKey::DescribeGroups, 0, 5)
        .map_err(|e| Failed("DescribeGroups", e.to_string()))?;
    let request = DescribeGroupsRequest::default().with_groups(vec![gid.clone()]);
    let r = session
        .call(coordinator, request, version)
        .await
        .map_err(|e| Failed("DescribeGroups", e.to_string()))?;
    match r.groups.first() {
        // Kafka 4 answers a KIP-848 group here as Dead with no protocol type (v5 and older):
        // only ConsumerGroupDescribe tells whether it is empty.
        Some(g)
            if g.error_code == 0
                && !super::kip848_groups::maybe_kip848(0, &g.group_state, &g.protocol_type) =>
        {
            return Ok(g.group_state.to_string());
        }
        Some(g) if g.error_code != 0 && g.error_code != GROUP_ID_NOT_FOUND => {
            return Err(Failed("DescribeGroups", error_name(g.error_code)));
        }
        _ => {}
    }
    let Ok(version) = session.version(ApiKey::ConsumerGroupDescribe, 0, 1) else {
        return Ok("Dead".into());
    };
    let request = ConsumerGroupDescribeRequest::default().with_group_ids(vec![gid]);
    let r = session
        .call(coordinator, request, version)
        .await
        .map_err(|e| Failed("ConsumerGroupDescribe", e.to_string()))?;
    match r.groups.first() {
        Some(g) if g.error_code == 0 => Ok(g.group_state.to_string()),
        Some(g) if g.error_code != GROUP_ID_NOT_FOUND => {
            Err(Failed("ConsumerGroupDescribe", error_name(g.error_code)))
        }
        _ => Ok("Dead".into()),
    }
}

/// Every partition's leader, from Metadata (none for an offline partition).
async fn leaders(
    session: &mut Session,
) -> Result<BTreeMap<TopicPartition, Option<BrokerId>>, Failed> {
    let version = session
        .version(ApiKey::Metadata, 4, 9)
        .map_err(|e| Failed("Metadata", e.to_string()))?;
    let request = MetadataRequest::default()
        .with_topics(None)
        .with_allow_auto_topic_creation(false);
    let r = session
        .call_any(request, version)
        .await
        .map_err(|e| Failed("Metadata", e.to_string()))?;
    let mut out = BTreeMap::new();
    for t in r.topics.iter().filter(|t| t.error_code == 0) {
        let Some(name) = &t.name else { continue };
        for p in &t.partitions {
            out.insert(
                TopicPartition::new(name.0.to_string(), p.partition_index),
                (p.leader_id.0 >= 0).then_some(p.leader_id.0),
            );
        }
    }
    Ok(out)
}

/// The partitions the group has committed offsets for (`--all-topics`).
async fn committed(
    session: &mut Session,
    coordinator: BrokerId,
    group: &str,
) -> Result<Vec<TopicPartition>, Failed> {
    let version = session
        .version(ApiKey::OffsetFetch, 1, 8)
        .map_err(|e| Failed("OffsetFetch", e.to_string()))?;
    let gid = GroupId(StrBytes::from_string(group.to_string()));
    let request = if version >= 8 {
        OffsetFetchRequest::default().with_groups(vec![
            OffsetFetchRequestGroup::default()
                .with_group_id(gid)
                .with_topics(None),
        ])
    } else {
        OffsetFetchRequest::default()
            .with_group_id(gid)
            .with_topics(None)
    };
    let r = session
        .call(coordinator, request, version)
        .await
        .map_err(|e| Failed("OffsetFetch", e.to_string()))?;
    let mut out = Vec::new();
    let mut add = |name: &TopicName, p: i32, offset: i64| {
        if offset >= 0 {
            out.push(TopicPartition::new(name.0.to_string(), p));
        }
    };
    for g in &r.groups {
        for t in &g.topics {
            for p in &t.partitions {
                add(&t.name, p.partition_index, p.committed_offset);
            }
        }
    }
    for t in &r.topics {
        for p in &t.partitions {
            add(&t.name, p.partition_index, p.committed_offset);
        }
    }
    out.sort();
    Ok(out)
}

/// The offsets `to` names, asked of each leader; a timestamp with no record after it falls back
/// to the latest offset, as Kafka's tool does.
async fn offsets(
    session: &mut Session,
    leaders: &BTreeMap<TopicPartition, Option<BrokerId>>,
    tps: &[TopicPartition],
    to: ResetTo,
    now_ms: i64,
) -> Result<Vec<(TopicPartition, i64)>, Failed> {
    const REQ: &str = "ListOffsets";
    let version = session
        .version(ApiKey::ListOffsets, 1, 6)
        .map_err(|e| Failed(REQ, e.to_string()))?;
    let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
    for tp in tps {
        match leaders.get(tp).copied().flatten() {
            Some(l) => by_leader.entry(l).or_default().push(tp.clone()),
            None => return Err(Failed(REQ, format!("{tp}: LEADER_NOT_AVAILABLE"))),
        }
    }
    let first = match to {
        ResetTo::Earliest => EARLIEST,
        ResetTo::Latest => LATEST,
        other => other.timestamp_ms(now_ms).unwrap_or(LATEST),
    };
    let mut out = BTreeMap::new();
    for (leader, tps) in by_leader {
        let mut asked = tps;
        for timestamp in [first, LATEST] {
            if asked.is_empty() {
                break;
            }
            let r = session
                .call(leader, list_offsets(&asked, timestamp), version)
                .await
                .map_err(|e| Failed(REQ, e.to_string()))?;
            asked = Vec::new();
            for t in &r.topics {
                for p in &t.partitions {
                    let tp = TopicPartition::new(t.name.0.to_string(), p.partition_index);
                    if p.error_code != 0 {
                        return Err(Failed(REQ, format!("{tp}: {}", error_name(p.error_code))));
                    }
                    match p.offset {
                        // No record at or after the time: ask again for the latest offset.
                        o if o < 0 && timestamp != LATEST => asked.push(tp),
                        o => {
                            out.insert(tp, o.max(0));
                        }
                    }
                }
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// OffsetCommit as the admin client sends it: no member id, generation -1.
async fn commit(
    session: &mut Session,
    coordinator: BrokerId,
    group: &str,
    offsets: &[(TopicPartition, i64)],
) -> Result<(), Failed> {
    const REQ: &str = "OffsetCommit";
    let version = session
        .version(ApiKey::OffsetCommit, 2, 9)
        .map_err(|e| Failed(REQ, e.to_string()))?;
    let mut topics: BTreeMap<&str, Vec<OffsetCommitRequestPartition>> = BTreeMap::new();
    for (tp, offset) in offsets {
        topics.entry(&tp.topic).or_default().push(
            OffsetCommitRequestPartition::default()
                .with_partition_index(tp.partition)
                .with_committed_offset(*offset)
                .with_committed_leader_epoch(-1)
                .with_committed_metadata(Some(StrBytes::from_static_str(""))),
        );
    }
    let request = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(group.to_string())))
        .with_generation_id_or_member_epoch(-1)
        .with_member_id(StrBytes::from_static_str(""))
        .with_retention_time_ms(-1)
        .with_topics(
            topics
                .into_iter()
                .map(|(name, partitions)| {
                    OffsetCommitRequestTopic::default()
                        .with_name(TopicName(StrBytes::from_string(name.to_string())))
                        .with_partitions(partitions)
                })
                .collect(),
        );
    let r = session
        .call(coordinator, request, version)
        .await
        .map_err(|e| Failed(REQ, e.to_string()))?;
    for t in &r.topics {
        if let Some(p) = t.partitions.iter().find(|p| p.error_code != 0) {
            return Err(Failed(
                REQ,
                format!(
                    "{}-{}: {}",
                    t.name.0,
                    p.partition_index,
                    error_name(p.error_code)
                ),
            ));
        }
    }
    Ok(())
}
