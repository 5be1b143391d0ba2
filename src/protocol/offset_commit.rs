//! Committed offsets over the wire: OffsetCommit, answered once `__consumer_offsets` has
//! replicated it, and OffsetFetch (batched from v8); KIP-848 groups check member epochs (v9).

use super::groups::coordinated_here;
use super::host::{Ctx, Outcome, Waiting, deadline_in};
use super::metadata::{sb, topic_name};
use crate::cluster::CommitOutcome;
use crate::cluster::error::KafkaError;
use crate::cluster::group::{OFFSET_METADATA_MAX_BYTES, OffsetAndMetadata};
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestPartition;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponse, OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponse, OffsetFetchResponseGroup, OffsetFetchResponsePartition,
    OffsetFetchResponsePartitions, OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::txn_offset_commit_request::TxnOffsetCommitRequestPartition;
use kafka_protocol::messages::{OffsetCommitRequest, OffsetFetchRequest};
use kafka_protocol::protocol::StrBytes;

/// An OffsetCommit waiting for `__consumer_offsets` to replicate it.
#[derive(Clone)]
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

/// The fields OffsetCommit's and TxnOffsetCommit's partitions share, so one decoder reads both.
pub(super) trait CommitPartition {
    /// `partition_index`.
    fn index(&self) -> i32;
    /// `committed_offset`.
    fn offset(&self) -> i64;
    /// `committed_metadata`.
    fn metadata(&self) -> Option<&StrBytes>;
}

macro_rules! commit_partition {
    ($($t:ty),*) => {$(
        impl CommitPartition for $t {
            fn index(&self) -> i32 {
                self.partition_index
            }
            fn offset(&self) -> i64 {
                self.committed_offset
            }
            fn metadata(&self) -> Option<&StrBytes> {
                self.committed_metadata.as_ref()
            }
        }
    )*};
}
commit_partition!(
    OffsetCommitRequestPartition,
    TxnOffsetCommitRequestPartition
);

/// The offsets a commit carries, topic by topic: `(topic name, its partitions)`.
pub(super) fn decode_commits<'a, P: CommitPartition + 'a>(
    topics: impl IntoIterator<Item = (&'a str, &'a [P])>,
) -> Vec<(TopicPartition, OffsetAndMetadata)> {
    topics
        .into_iter()
        .flat_map(|(topic, ps)| {
            ps.iter().map(move |p| {
                (
                    TopicPartition::new(topic.to_string(), p.index()),
                    OffsetAndMetadata {
                        offset: p.offset(),
                        metadata: p.metadata().map(|m| m.to_string()).unwrap_or_default(),
                    },
                )
            })
        })
        .collect()
}

/// Kafka 4's rule for KIP-848 members: their commits must come as OffsetCommit v9+, which carries
/// the member epoch (UNSUPPORTED_VERSION below it).
fn needs_v9(cluster: &Cluster, ctx: &Ctx, group: &str, member_id: &str) -> bool {
    ctx.version < 9
        && cluster
            .group_coordinator()
            .group(group)
            .and_then(|g| g.consumer.as_ref())
            .is_some_and(|c| c.members.contains_key(member_id))
}

/// OffsetCommit: answered once `__consumer_offsets` has replicated the commit, as in Kafka. In a
/// KIP-848 group the member id and its member epoch (v9) are checked: UNKNOWN_MEMBER_ID,
/// STALE_MEMBER_EPOCH.
pub fn offset_commit(cluster: &mut Cluster, ctx: &Ctx, r: OffsetCommitRequest) -> Outcome {
    let group = r.group_id.0.to_string();
    let offsets = decode_commits(
        r.topics
            .iter()
            .map(|t| (t.name.0.as_str(), t.partitions.as_slice())),
    );
    // As in Kafka, a partition whose metadata is too long is refused on its own; the rest commit.
    let (offsets, too_large): (Vec<_>, Vec<_>) = offsets
        .into_iter()
        .partition(|(_, c)| c.metadata.len() <= OFFSET_METADATA_MAX_BYTES);
    let member = (!r.member_id.is_empty()).then(|| r.member_id.to_string());
    if needs_v9(cluster, ctx, &group, r.member_id.as_str()) {
        let code = KafkaError::UnsupportedVersion.code();
        return Outcome::Done(commit_response(&offsets, code, &too_large).into());
    }
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

/// One group's committed offsets for OffsetFetch: `wanted` partitions, or every committed one
/// when `None`; each with its offset (-1: none) and error code. The group's own error (not
/// coordinated here, an unknown member or stale epoch of a KIP-848 group) comes as `Err`.
fn fetch_group(
    cluster: &Cluster,
    ctx: &Ctx,
    group: &str,
    wanted: Option<Vec<TopicPartition>>,
    member: Option<&str>,
    member_epoch: i32,
) -> Result<Vec<(TopicPartition, OffsetAndMetadata)>, KafkaError> {
    coordinated_here(cluster, ctx, group)?;
    cluster.check_offset_fetch(ctx.broker, group, member, member_epoch)?;
    let wanted = wanted.unwrap_or_else(|| {
        cluster
            .group_coordinator()
            .group(group)
            .map(|g| g.committed.keys().cloned().collect())
            .unwrap_or_default()
    });
    wanted
        .into_iter()
        .map(|tp| {
            let c = cluster.committed_offset(ctx.broker, group, &tp)?;
            Ok((tp, c.unwrap_or(OffsetAndMetadata::new(-1))))
        })
        .collect()
}

/// OffsetFetch: one group per request up to v7; from v8 a batch of groups, each answered on its
/// own, and from v9 a member id and epoch checked as OffsetCommit's in KIP-848 groups.
pub fn offset_fetch(cluster: &Cluster, ctx: &Ctx, r: &OffsetFetchRequest) -> OffsetFetchResponse {
    if ctx.version >= 8 {
        return offset_fetch_batched(cluster, ctx, r);
    }
    let group = r.group_id.0.to_string();
    let wanted = r
        .topics
        .as_ref()
        .map(|ts| partitions_asked(ts.iter().map(|t| (&t.name, t.partition_indexes.as_slice()))));
    let (rows, top_error) = match fetch_group(cluster, ctx, &group, wanted.clone(), None, -1) {
        Ok(rows) => (rows.into_iter().map(|(tp, c)| (tp, c, 0)).collect(), 0),
        // Whatever was asked, a broker that does not coordinate the group says so, on every
        // partition asked for and at the top (v2+).
        Err(e) => (
            wanted
                .unwrap_or_default()
                .into_iter()
                .map(|tp| (tp, OffsetAndMetadata::new(-1), e.code()))
                .collect::<Vec<_>>(),
            e.code(),
        ),
    };
    let rows = rows.into_iter().map(|(tp, committed, code)| {
        let p = OffsetFetchResponsePartition::default()
            .with_partition_index(tp.partition)
            .with_committed_offset(committed.offset)
            .with_committed_leader_epoch(-1)
            .with_metadata(Some(sb(&committed.metadata)))
            .with_error_code(code);
        (tp.topic, p)
    });
    let topics = by_topic(rows, |name, partitions| {
        OffsetFetchResponseTopic::default()
            .with_name(topic_name(name))
            .with_partitions(partitions)
    });
    let resp = OffsetFetchResponse::default().with_topics(topics);
    if ctx.version >= 2 {
        resp.with_error_code(top_error)
    } else {
        resp
    }
}

/// OffsetFetch v8+: every group of the batch answered with its own error code.
fn offset_fetch_batched(
    cluster: &Cluster,
    ctx: &Ctx,
    r: &OffsetFetchRequest,
) -> OffsetFetchResponse {
    let groups = r
        .groups
        .iter()
        .map(|g| {
            let group = g.group_id.0.to_string();
            let wanted = g.topics.as_ref().map(|ts| {
                partitions_asked(ts.iter().map(|t| (&t.name, t.partition_indexes.as_slice())))
            });
            let member = g
                .member_id
                .as_ref()
                .map(|m| m.as_str())
                .filter(|_| ctx.version >= 9);
            let epoch = if ctx.version >= 9 { g.member_epoch } else { -1 };
            let out = OffsetFetchResponseGroup::default().with_group_id(g.group_id.clone());
            match fetch_group(cluster, ctx, &group, wanted, member, epoch) {
                Err(e) => out.with_error_code(e.code()),
                Ok(rows) => {
                    let rows = rows.into_iter().map(|(tp, c)| {
                        let p = OffsetFetchResponsePartitions::default()
                            .with_partition_index(tp.partition)
                            .with_committed_offset(c.offset)
                            .with_committed_leader_epoch(-1)
                            .with_metadata(Some(sb(&c.metadata)));
                        (tp.topic, p)
                    });
                    out.with_topics(by_topic(rows, |name, partitions| {
                        OffsetFetchResponseTopics::default()
                            .with_name(topic_name(name))
                            .with_partitions(partitions)
                    }))
                }
            }
        })
        .collect();
    OffsetFetchResponse::default().with_groups(groups)
}

/// The partitions an OffsetFetch asks for, from its (topic, partition indexes) entries (one shape
/// up to v7, another in v8+'s groups).
fn partitions_asked<'a>(
    topics: impl Iterator<Item = (&'a kafka_protocol::messages::TopicName, &'a [i32])>,
) -> Vec<TopicPartition> {
    topics
        .flat_map(|(name, partitions)| {
            partitions
                .iter()
                .map(|p| TopicPartition::new(name.0.to_string(), *p))
        })
        .collect()
}

/// Groups per-partition answers by topic, topics in the order first seen (as asked).
fn by_topic<P, T>(
    rows: impl Iterator<Item = (String, P)>,
    make: impl Fn(&str, Vec<P>) -> T,
) -> Vec<T> {
    let mut grouped: Vec<(String, Vec<P>)> = Vec::new();
    for (topic, p) in rows {
        match grouped.iter_mut().find(|(t, _)| *t == topic) {
            Some((_, ps)) => ps.push(p),
            None => grouped.push((topic, vec![p])),
        }
    }
    grouped
        .into_iter()
        .map(|(topic, partitions)| make(&topic, partitions))
        .collect()
}
