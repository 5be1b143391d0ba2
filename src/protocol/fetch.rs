//! Fetch (whole batches below the HW, or the LSO for `read_committed`, waiting up to
//! `max_wait_ms` for `min_bytes`) and ListOffsets (earliest, latest = HW or LSO, by timestamp).

use super::host::{Ctx, Outcome, Waiting, WireHost, deadline_in};
use super::metadata::topic_name;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::produce::OffsetSpec;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::ProducerId;
use kafka_protocol::messages::fetch_response::{
    AbortedTransaction, FetchResponse, FetchableTopicResponse, PartitionData,
};
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{FetchRequest, ListOffsetsRequest};

/// Reads every requested partition; returns the response and the bytes it carries, and whether
/// any partition answered with an error (errors are returned at once, as Kafka does).
fn read(cluster: &Cluster, ctx: &Ctx, req: &FetchRequest) -> (FetchResponse, usize, bool) {
    let mut budget = if req.max_bytes > 0 {
        req.max_bytes as usize
    } else {
        usize::MAX
    };
    let mut total = 0usize;
    let mut any_error = false;
    let mut topics = Vec::new();
    for t in &req.topics {
        let topic = t.topic.0.to_string();
        let mut parts = Vec::new();
        for p in &t.partitions {
            let tp = TopicPartition::new(topic.clone(), p.partition);
            let max = (p.partition_max_bytes.max(0) as usize).min(budget).max(1);
            // isolation_level 1 is read_committed: up to the LSO, with the aborted transactions.
            let committed = req.isolation_level == 1;
            let data = match cluster.fetch_isolated(ctx.broker, &tp, p.fetch_offset, max, committed)
            {
                Ok(r) => {
                    let n = r.batches.bytes.len();
                    total += n;
                    budget = budget.saturating_sub(n);
                    let aborted = r
                        .aborted_transactions
                        .iter()
                        .map(|a| {
                            AbortedTransaction::default()
                                .with_producer_id(ProducerId(a.producer_id))
                                .with_first_offset(a.first_offset)
                        })
                        .collect();
                    PartitionData::default()
                        .with_partition_index(p.partition)
                        .with_high_watermark(r.high_watermark)
                        .with_last_stable_offset(r.last_stable_offset)
                        .with_log_start_offset(r.log_start_offset)
                        .with_aborted_transactions(Some(aborted))
                        .with_records(Some(r.batches.bytes))
                }
                Err(e) => {
                    any_error = true;
                    let e = if cluster.partition(&tp).is_none() {
                        KafkaError::UnknownTopicOrPartition
                    } else {
                        e
                    };
                    PartitionData::default()
                        .with_partition_index(p.partition)
                        .with_error_code(e.code())
                        .with_high_watermark(-1)
                        .with_last_stable_offset(-1)
                        .with_log_start_offset(-1)
                        .with_records(Some(bytes::Bytes::new()))
                }
            };
            parts.push(data);
        }
        topics.push(
            FetchableTopicResponse::default()
                .with_topic(t.topic.clone())
                .with_partitions(parts),
        );
    }
    (
        FetchResponse::default().with_responses(topics),
        total,
        any_error,
    )
}

/// Handles a Fetch: answers now when `min_bytes` are there (or on an error), else waits.
pub fn fetch(host: &mut WireHost, cluster: &mut Cluster, ctx: &Ctx, req: FetchRequest) -> Outcome {
    if !ctx.client_id.is_empty() {
        for t in &req.topics {
            for p in &t.partitions {
                let tp = TopicPartition::new(t.topic.0.to_string(), p.partition);
                host.clients.note_fetch(&ctx.client_id, &tp, p.fetch_offset);
            }
        }
    }
    let (resp, bytes, any_error) = read(cluster, ctx, &req);
    if any_error || bytes >= req.min_bytes.max(1) as usize || req.max_wait_ms <= 0 {
        return Outcome::Done(resp.into());
    }
    let deadline = deadline_in(cluster, i64::from(req.max_wait_ms));
    Outcome::Park(Waiting::Fetch(Box::new(req)), deadline)
}

/// Re-checks a waiting fetch.
pub fn poll(
    cluster: &Cluster,
    ctx: &Ctx,
    req: &FetchRequest,
    timed_out: bool,
) -> Option<FetchResponse> {
    let (resp, bytes, any_error) = read(cluster, ctx, req);
    (timed_out || any_error || bytes >= req.min_bytes.max(1) as usize).then_some(resp)
}

/// ListOffsets: -2 earliest, -1 latest (the HW), otherwise the first offset at or after a timestamp.
pub fn list_offsets(cluster: &Cluster, ctx: &Ctx, req: &ListOffsetsRequest) -> ListOffsetsResponse {
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let topic = t.name.0.to_string();
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let tp = TopicPartition::new(topic.clone(), p.partition_index);
                    let spec = match p.timestamp {
                        -2 => OffsetSpec::Earliest,
                        // read_committed asks for the LSO.
                        -1 if req.isolation_level == 1 => OffsetSpec::LastStable,
                        -1 => OffsetSpec::Latest,
                        ts => OffsetSpec::Timestamp(ts),
                    };
                    let r = ListOffsetsPartitionResponse::default()
                        .with_partition_index(p.partition_index);
                    let epoch = if ctx.version >= 4 {
                        cluster.partition(&tp).map_or(-1, |m| m.leader_epoch)
                    } else {
                        -1
                    };
                    match cluster.list_offset(ctx.broker, &tp, spec) {
                        Ok(offset) => r
                            .with_offset(offset)
                            .with_timestamp(-1)
                            .with_leader_epoch(if offset >= 0 { epoch } else { -1 }),
                        Err(e) => r
                            .with_error_code(e.code())
                            .with_offset(-1)
                            .with_timestamp(-1),
                    }
                })
                .collect();
            ListOffsetsTopicResponse::default()
                .with_name(topic_name(&topic))
                .with_partitions(partitions)
        })
        .collect();
    ListOffsetsResponse::default().with_topics(topics)
}
