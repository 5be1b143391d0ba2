//! Committed offsets over the wire: OffsetCommit, answered once `__consumer_offsets` has
//! replicated it, and OffsetFetch.

use super::groups::coordinated_here;
use super::host::{Ctx, Outcome, Waiting, deadline_in};
use super::metadata::{sb, topic_name};
use crate::cluster::CommitOutcome;
use crate::cluster::error::KafkaError;
use crate::cluster::group::{OFFSET_METADATA_MAX_BYTES, OffsetAndMetadata};
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponse, OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponse, OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::{OffsetCommitRequest, OffsetFetchRequest};

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
