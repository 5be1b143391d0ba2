//! One poll cycle: Metadata from any broker, then, for every broker at once, one batch of
//! requests on its own connection: ListOffsets (earliest, latest) for the partitions it leads,
//! DescribeLogDirs, ListGroups, DescribeGroups and OffsetFetch for the groups it coordinates.
//! Each request covers everything the broker answers for (a ListOffsets names a partition once,
//! so earliest and latest take one request each; OffsetFetch batches groups from v8), so a
//! broker sees 6 requests a cycle whatever its partitions, up to [`GROUPS_PER_REQUEST`] groups.
//! The result is a [`View`]: what the cluster said, before it becomes a snapshot.

use super::degrade::{Missing, is_capability_error, unserved};
use super::kip848_groups;
use super::session::{AttachError, Session, error_name, timed};
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::lab::BrokerAddress;
use crate::protocol::client_transport::ClientConnection;
use crate::protocol::consumer_protocol::decode_assignment;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    ApiKey, DescribeGroupsRequest, DescribeLogDirsRequest, GroupId, ListGroupsRequest,
    ListOffsetsRequest, MetadataRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;
use tokio::task::JoinSet;

/// ListOffsets' timestamp for the log start offset.
pub const EARLIEST: i64 = -2;
/// ListOffsets' timestamp for the high watermark (read_uncommitted).
pub const LATEST: i64 = -1;
/// Groups described in one DescribeGroups request (Kafka has no limit; this keeps a request
/// and its answer small on clusters with thousands of groups).
pub const GROUPS_PER_REQUEST: usize = 100;

/// What one poll learnt about the cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// `cluster.id`.
    pub cluster_id: Option<String>,
    /// The active controller Metadata names (none when it says -1).
    pub controller: Option<BrokerId>,
    /// Live brokers in id order.
    pub brokers: Vec<BrokerAddress>,
    /// Internal topics by name.
    pub internal: BTreeMap<String, bool>,
    /// Partitions in topic-partition order.
    pub partitions: Vec<PartitionView>,
    /// Groups in id order.
    pub groups: Vec<GroupView>,
    /// Bytes per replica (DescribeLogDirs), when the cluster serves it.
    pub replica_bytes: BTreeMap<(BrokerId, TopicPartition), u64>,
    /// Brokers whose batch failed this poll, and why.
    pub unreachable: Vec<AttachError>,
    /// Requests each broker's batch sent this poll (Metadata, sent to any one broker, apart).
    pub requests: BTreeMap<BrokerId, usize>,
    /// Topic ids by topic name (Metadata v10+, when the cluster offers it).
    pub topic_ids: BTreeMap<String, u128>,
    /// The APIs this poll went without, in API order (see [`super::degrade`]).
    pub missing: Vec<Missing>,
}

/// One partition as Metadata and ListOffsets report it.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionView {
    /// Which partition.
    pub tp: TopicPartition,
    /// The leader, none while offline.
    pub leader: Option<BrokerId>,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// Replicas in preference order.
    pub replicas: Vec<BrokerId>,
    /// In-sync replicas.
    pub isr: Vec<BrokerId>,
    /// Replicas on offline log dirs or brokers.
    pub offline: Vec<BrokerId>,
    /// Log start offset (ListOffsets EARLIEST), if the leader answered.
    pub log_start_offset: Option<i64>,
    /// High watermark (ListOffsets LATEST), if the leader answered.
    pub high_watermark: Option<i64>,
}

/// One consumer group as DescribeGroups and OffsetFetch report it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupView {
    /// `group.id`.
    pub group_id: String,
    /// The broker that coordinates it (the one whose ListGroups listed it).
    pub coordinator: BrokerId,
    /// Kafka's state name.
    pub state: String,
    /// `consumer`, `connect`, ... (empty for a group with no members yet).
    pub protocol_type: String,
    /// The assignor chosen (classic groups).
    pub assignor: String,
    /// `classic` or `consumer` (KIP-848), from ListGroups' type where given.
    pub group_type: String,
    /// The group epoch (KIP-848 groups, from ConsumerGroupDescribe); a classic group's
    /// generation is not told to clients.
    pub epoch: Option<i32>,
    /// Members in member-id order.
    pub members: Vec<MemberView>,
    /// Committed offsets.
    pub committed: BTreeMap<TopicPartition, i64>,
}

/// One member of a group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemberView {
    /// Member id.
    pub member_id: String,
    /// `client.id`.
    pub client_id: String,
    /// Where it connects from.
    pub client_host: String,
    /// `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// Its partitions (decoded from the consumer protocol's assignment).
    pub assigned: Vec<TopicPartition>,
    /// Its member epoch (KIP-848 members).
    pub member_epoch: Option<i32>,
}

/// One poll cycle.
pub async fn poll(session: &mut Session) -> Result<View, AttachError> {
    let mut view = metadata(session).await?;
    session.addresses = view
        .brokers
        .iter()
        .map(|b| (b.id, format!("{}:{}", b.host, b.port)))
        .collect();
    session.retain_brokers();
    let mut led: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
    for p in &view.partitions {
        if let Some(l) = p.leader {
            led.entry(l).or_default().push(p.tp.clone());
        }
    }
    let versions = BatchVersions::from(session);
    view.missing = session.versions.as_ref().map(unserved).unwrap_or_default();
    let mut tasks = JoinSet::new();
    for b in &view.brokers {
        let conn = match session.take(b.id).await {
            Ok(c) => c,
            Err(e) => {
                view.unreachable.push(e);
                continue;
            }
        };
        let plan = led.remove(&b.id).unwrap_or_default();
        tasks.spawn(broker_batch(b.id, conn, plan, versions));
    }
    let mut batches = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let Ok((broker, conn, result)) = done else {
            continue;
        };
        match result {
            Ok(batch) => {
                if let Some(c) = conn {
                    session.put(broker, c);
                }
                batches.push(batch);
            }
            Err(e) => view.unreachable.push(session.broker_error(broker, e)),
        }
    }
    batches.sort_by_key(|b| b.broker);
    merge(&mut view, batches);
    Ok(view)
}

/// The versions every broker batch uses, chosen once per poll.
#[derive(Clone, Copy, Debug)]
struct BatchVersions {
    list_offsets: Option<i16>,
    log_dirs: Option<i16>,
    list_groups: Option<i16>,
    describe_groups: Option<i16>,
    consumer_group_describe: Option<i16>,
    offset_fetch: Option<i16>,
}

impl BatchVersions {
    fn from(s: &Session) -> Self {
        Self {
            list_offsets: s.version(ApiKey::ListOffsets, 1, 6).ok(),
            log_dirs: s.version(ApiKey::DescribeLogDirs, 1, 4).ok(),
            // v5 names each group's type, so KIP-848 groups go to ConsumerGroupDescribe.
            list_groups: s.version(ApiKey::ListGroups, 0, 5).ok(),
            describe_groups: s.version(ApiKey::DescribeGroups, 0, 5).ok(),
            consumer_group_describe: s.version(ApiKey::ConsumerGroupDescribe, 0, 1).ok(),
            offset_fetch: s.version(ApiKey::OffsetFetch, 1, 8).ok(),
        }
    }
}

/// What one broker answered.
#[derive(Debug, Default)]
struct Batch {
    broker: BrokerId,
    offsets: BTreeMap<TopicPartition, (Option<i64>, Option<i64>)>,
    replica_bytes: Vec<(TopicPartition, u64)>,
    groups: Vec<GroupView>,
    /// Requests sent.
    requests: usize,
    /// APIs that answered with an error no retry heals.
    missing: Vec<Missing>,
}

async fn metadata(session: &mut Session) -> Result<View, AttachError> {
    session.ensure_versions().await?;
    // v10+ names each topic's id; v4-9 still serve older brokers.
    let version = session.version(ApiKey::Metadata, 4, 12)?;
    let request = MetadataRequest::default()
        .with_topics(None)
        .with_allow_auto_topic_creation(false);
    let r = session.call_any(request, version).await?;
    let mut view = View {
        cluster_id: r.cluster_id.map(|s| s.to_string()),
        controller: (r.controller_id.0 >= 0).then_some(r.controller_id.0),
        ..View::default()
    };
    view.brokers = r
        .brokers
        .iter()
        .map(|b| BrokerAddress {
            id: b.node_id.0,
            host: b.host.to_string(),
            port: b.port,
            rack: b.rack.as_ref().map(|r| r.to_string()),
        })
        .collect();
    view.brokers.sort_by_key(|b| b.id);
    for t in &r.topics {
        let Some(name) = t.name.as_ref().map(|n| n.0.to_string()) else {
            continue;
        };
        if t.error_code != 0 {
            continue;
        }
        view.internal.insert(name.clone(), t.is_internal);
        record_topic_id(&mut view, &name, t.topic_id.as_u128());
        for p in &t.partitions {
            view.partitions.push(PartitionView {
                tp: TopicPartition::new(name.clone(), p.partition_index),
                leader: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
                leader_epoch: p.leader_epoch,
                replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                offline: p.offline_replicas.iter().map(|b| b.0).collect(),
                log_start_offset: None,
                high_watermark: None,
            });
        }
    }
    view.partitions.sort_by(|a, b| a.tp.cmp(&b.tp));
    Ok(view)
}

/// Keeps a topic's id; Kafka's `Uuid.ZERO` (or a version before v10) means none known.
fn record_topic_id(view: &mut View, topic: &str, id: u128) {
    if id != 0 {
        view.topic_ids.insert(topic.to_string(), id);
    }
}

/// Notes `api` as missing when an answer's `code` says the broker cannot serve it.
fn capability(missing: &mut Vec<Missing>, api: &'static str, code: i16) {
    if is_capability_error(code) && !missing.iter().any(|m| m.api == api) {
        missing.push(Missing::code(api, code));
    }
}

/// Every request for one broker, in order, on its connection. Returns the connection when it is
/// still good.
async fn broker_batch(
    broker: BrokerId,
    mut conn: ClientConnection,
    led: Vec<TopicPartition>,
    v: BatchVersions,
) -> (BrokerId, Option<ClientConnection>, Result<Batch, String>) {
    let result = batch(broker, &mut conn, led, v).await;
    let keep = result.is_ok().then_some(conn);
    (broker, keep, result)
}

async fn batch(
    broker: BrokerId,
    conn: &mut ClientConnection,
    led: Vec<TopicPartition>,
    v: BatchVersions,
) -> Result<Batch, String> {
    let mut out = Batch {
        broker,
        ..Batch::default()
    };
    if let (Some(version), false) = (v.list_offsets, led.is_empty()) {
        for (i, timestamp) in [EARLIEST, LATEST].into_iter().enumerate() {
            out.requests += 1;
            let r = timed(conn.call(list_offsets(&led, timestamp), version)).await?;
            for t in &r.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        capability(&mut out.missing, "ListOffsets", p.error_code);
                        continue;
                    }
                    let tp = TopicPartition::new(t.name.0.to_string(), p.partition_index);
                    let e = out.offsets.entry(tp).or_default();
                    if i == 0 {
                        e.0 = Some(p.offset);
                    } else {
                        e.1 = Some(p.offset);
                    }
                }
            }
        }
    }
    if let Some(version) = v.log_dirs {
        out.requests += 1;
        let r =
            timed(conn.call(DescribeLogDirsRequest::default().with_topics(None), version)).await?;
        capability(&mut out.missing, "DescribeLogDirs", r.error_code);
        for d in &r.results {
            capability(&mut out.missing, "DescribeLogDirs", d.error_code);
        }
        for dir in r.results.iter().filter(|d| d.error_code == 0) {
            for t in &dir.topics {
                for p in t.partitions.iter().filter(|p| !p.is_future_key) {
                    let tp = TopicPartition::new(t.name.0.to_string(), p.partition_index);
                    out.replica_bytes.push((tp, p.partition_size.max(0) as u64));
                }
            }
        }
    }
    if let (Some(lv), Some(dv)) = (v.list_groups, v.describe_groups) {
        let mut counts = (out.requests, out.missing);
        let versions = (lv, dv, v.consumer_group_describe, v.offset_fetch);
        out.groups = groups(broker, conn, versions, &mut counts).await?;
        (out.requests, out.missing) = counts;
    }
    Ok(out)
}

/// ListOffsets for every partition in `tps` at `timestamp` ([`EARLIEST`] or [`LATEST`]).
pub(crate) fn list_offsets(tps: &[TopicPartition], timestamp: i64) -> ListOffsetsRequest {
    let mut by_topic: BTreeMap<&str, Vec<ListOffsetsPartition>> = BTreeMap::new();
    for tp in tps {
        by_topic.entry(&tp.topic).or_default().push(
            ListOffsetsPartition::default()
                .with_partition_index(tp.partition)
                .with_current_leader_epoch(-1)
                .with_timestamp(timestamp),
        );
    }
    ListOffsetsRequest::default()
        .with_replica_id((-1).into())
        .with_isolation_level(0)
        .with_topics(
            by_topic
                .into_iter()
                .map(|(name, partitions)| {
                    ListOffsetsTopic::default()
                        .with_name(TopicName(StrBytes::from_string(name.to_string())))
                        .with_partitions(partitions)
                })
                .collect(),
        )
}

/// The groups this broker coordinates, described and with their committed offsets.
async fn groups(
    broker: BrokerId,
    conn: &mut ClientConnection,
    (list_version, describe_version, kip848_version, offset_fetch): (
        i16,
        i16,
        Option<i16>,
        Option<i16>,
    ),
    (requests, missing): &mut (usize, Vec<Missing>),
) -> Result<Vec<GroupView>, String> {
    *requests += 1;
    let listed = timed(conn.call(ListGroupsRequest::default(), list_version)).await?;
    if listed.error_code != 0 {
        return Err(format!("ListGroups: {}", error_name(listed.error_code)));
    }
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for g in &listed.groups {
        types.insert(g.group_id.0.to_string(), g.group_type.to_string());
    }
    // KIP-848 groups (ListGroups v5 says so) are described by ConsumerGroupDescribe; the rest by
    // DescribeGroups, which may still hide one when ListGroups is older (see kip848_groups).
    let (mut kip848, mut ids) = (Vec::new(), Vec::new());
    for (id, group_type) in &types {
        if kip848_version.is_some() && group_type.eq_ignore_ascii_case("consumer") {
            kip848.push(id.clone());
        } else {
            ids.push(id.clone());
        }
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(GROUPS_PER_REQUEST) {
        let request = DescribeGroupsRequest::default().with_groups(
            chunk
                .iter()
                .map(|g| GroupId(StrBytes::from_string(g.clone())))
                .collect(),
        );
        *requests += 1;
        let r = timed(conn.call(request, describe_version)).await?;
        for g in &r.groups {
            capability(missing, "DescribeGroups", g.error_code);
            if kip848_version.is_some()
                && kip848_groups::maybe_kip848(g.error_code, &g.group_state, &g.protocol_type)
            {
                kip848.push(g.group_id.0.to_string());
            }
        }
        for g in r.groups.iter().filter(|g| g.error_code == 0) {
            let consumer = g.protocol_type.as_str() == "consumer";
            let mut members: Vec<MemberView> = g
                .members
                .iter()
                .map(|m| MemberView {
                    member_id: m.member_id.to_string(),
                    client_id: m.client_id.to_string(),
                    client_host: m.client_host.to_string(),
                    group_instance_id: m.group_instance_id.as_ref().map(|s| s.to_string()),
                    assigned: if consumer {
                        decode_assignment(&m.member_assignment).unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    member_epoch: None,
                })
                .collect();
            members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
            let id = g.group_id.0.to_string();
            out.push(GroupView {
                group_type: types.get(&id).cloned().unwrap_or_default(),
                group_id: id,
                coordinator: broker,
                state: g.group_state.to_string(),
                protocol_type: g.protocol_type.to_string(),
                assignor: g.protocol_data.to_string(),
                epoch: None,
                members,
                committed: BTreeMap::new(),
            });
        }
    }
    if let (Some(version), false) = (kip848_version, kip848.is_empty()) {
        let described = kip848_groups::describe(broker, conn, &kip848, version, requests).await?;
        // A group both describe calls answered (a Dead classic answer, then KIP-848's): the
        // KIP-848 answer is the true one.
        out.retain(|g| !described.iter().any(|d| d.group_id == g.group_id));
        out.extend(described);
        out.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    }
    match offset_fetch {
        // From v8 one request fetches many groups' offsets.
        Some(version) if version >= 8 => {
            for chunk in out.chunks_mut(GROUPS_PER_REQUEST) {
                *requests += 1;
                let mut offsets =
                    committed_batch(conn, chunk.iter().map(|g| g.group_id.as_str()), version)
                        .await?;
                for g in chunk {
                    g.committed = offsets.remove(&g.group_id).unwrap_or_default();
                }
            }
        }
        Some(version) => {
            for g in &mut out {
                *requests += 1;
                g.committed = committed(conn, &g.group_id, version).await?;
            }
        }
        None => {}
    }
    Ok(out)
}

/// Committed offsets of many groups in one OffsetFetch (v8+), by group id.
async fn committed_batch(
    conn: &mut ClientConnection,
    group_ids: impl Iterator<Item = &str>,
    version: i16,
) -> Result<BTreeMap<String, BTreeMap<TopicPartition, i64>>, String> {
    let request = OffsetFetchRequest::default().with_groups(
        group_ids
            .map(|g| {
                OffsetFetchRequestGroup::default()
                    .with_group_id(GroupId(StrBytes::from_string(g.to_string())))
                    .with_topics(None)
            })
            .collect(),
    );
    let r = timed(conn.call(request, version)).await?;
    let mut out = BTreeMap::new();
    // A group answered with an error (being loaded, moved) shows no commits this poll.
    for g in r.groups.iter().filter(|g| g.error_code == 0) {
        let offsets: &mut BTreeMap<TopicPartition, i64> =
            out.entry(g.group_id.0.to_string()).or_default();
        for t in &g.topics {
            for p in t.partitions.iter().filter(|p| p.committed_offset >= 0) {
                offsets.insert(
                    TopicPartition::new(t.name.0.to_string(), p.partition_index),
                    p.committed_offset,
                );
            }
        }
    }
    Ok(out)
}

/// A group's committed offsets (OffsetFetch for every partition: the batched form from v8, one
/// group per request before, as Kafka before 3.0 asks).
pub(crate) async fn committed(
    conn: &mut ClientConnection,
    group: &str,
    version: i16,
) -> Result<BTreeMap<TopicPartition, i64>, String> {
    if version >= 8 {
        let mut all = committed_batch(conn, std::iter::once(group), version).await?;
        return Ok(all.remove(group).unwrap_or_default());
    }
    let gid = GroupId(StrBytes::from_string(group.to_string()));
    let request = OffsetFetchRequest::default()
        .with_group_id(gid)
        .with_topics(None);
    let r = timed(conn.call(request, version)).await?;
    let mut out = BTreeMap::new();
    for t in &r.topics {
        for p in t.partitions.iter().filter(|p| p.committed_offset >= 0) {
            out.insert(
                TopicPartition::new(t.name.0.to_string(), p.partition_index),
                p.committed_offset,
            );
        }
    }
    Ok(out)
}

/// Puts every broker's answers into the view.
fn merge(view: &mut View, batches: Vec<Batch>) {
    let mut offsets = BTreeMap::new();
    for b in batches {
        view.requests.insert(b.broker, b.requests);
        view.missing.extend(b.missing);
        offsets.extend(b.offsets);
        for (tp, bytes) in b.replica_bytes {
            view.replica_bytes.insert((b.broker, tp), bytes);
        }
        view.groups.extend(b.groups);
    }
    for p in &mut view.partitions {
        if let Some((start, hw)) = offsets.get(&p.tp) {
            p.log_start_offset = *start;
            p.high_watermark = *hw;
        }
    }
    view.groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    view.groups.dedup_by(|a, b| a.group_id == b.group_id);
    // One entry per API, whichever broker said it first.
    view.missing.sort_by_key(|m| m.api);
    view.missing.dedup_by_key(|m| m.api);
}
