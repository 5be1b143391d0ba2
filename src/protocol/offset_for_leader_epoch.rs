//! OffsetForLeaderEpoch (KIP-320): a consumer whose partition changed leader asks where the
//! epoch of its last fetched record ends on the new leader, to detect a truncated log before
//! fetching on. Kafka's clients (kafka-python, the Java client) stop fetching the partition until
//! it answers.

use super::host::Ctx;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::OffsetForLeaderEpochRequest;
use kafka_protocol::messages::offset_for_leader_epoch_response::{
    EpochEndOffset, OffsetForLeaderEpochResponse, OffsetForLeaderTopicResult,
};

/// FENCED_LEADER_EPOCH: the client's leader epoch is older than the leader's.
const FENCED_LEADER_EPOCH: i16 = 74;
/// UNKNOWN_LEADER_EPOCH: the client's leader epoch is newer than this broker knows.
const UNKNOWN_LEADER_EPOCH: i16 = 76;

/// Answers each partition on its leader: the epoch's end, or Kafka's error.
pub fn offset_for_leader_epoch(
    cluster: &Cluster,
    ctx: &Ctx,
    req: &OffsetForLeaderEpochRequest,
) -> OffsetForLeaderEpochResponse {
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let tp = TopicPartition::new(t.topic.0.to_string(), p.partition);
                    let r = EpochEndOffset::default()
                        .with_partition(p.partition)
                        .with_leader_epoch(-1)
                        .with_end_offset(-1);
                    let Some(meta) = cluster.partition(&tp) else {
                        return r.with_error_code(KafkaError::UnknownTopicOrPartition.code());
                    };
                    // -1 means the client does not check the epoch (Kafka's rule).
                    if p.current_leader_epoch >= 0 && p.current_leader_epoch < meta.leader_epoch {
                        return r.with_error_code(FENCED_LEADER_EPOCH);
                    }
                    if p.current_leader_epoch > meta.leader_epoch {
                        return r.with_error_code(UNKNOWN_LEADER_EPOCH);
                    }
                    match cluster.end_offset_for_epoch(ctx.broker, &tp, p.leader_epoch) {
                        Ok((epoch, end)) => r.with_leader_epoch(epoch).with_end_offset(end),
                        Err(e) => r.with_error_code(e.code()),
                    }
                })
                .collect();
            OffsetForLeaderTopicResult::default()
                .with_topic(t.topic.clone())
                .with_partitions(partitions)
        })
        .collect();
    OffsetForLeaderEpochResponse::default().with_topics(topics)
}
