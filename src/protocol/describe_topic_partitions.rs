//! DescribeTopicPartitions (API 75, KIP-966): topics with their partitions' leaders, ISR, eligible
//! leader replicas and last known ELR, paged by `response_partition_limit` and a cursor, as
//! Kafka's admin client `describeTopics` asks for them.

use super::metadata::{topic_name, uuid};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::snapshot::BrokerState;
use kafka_protocol::messages::describe_topic_partitions_response::{
    Cursor, DescribeTopicPartitionsResponse, DescribeTopicPartitionsResponsePartition,
    DescribeTopicPartitionsResponseTopic,
};
use kafka_protocol::messages::{BrokerId, DescribeTopicPartitionsRequest};

/// Kafka's `max.request.partition.size.limit`: partitions one answer carries at most.
pub const PARTITION_LIMIT_MAX: i32 = 2000;

/// INVALID_REQUEST: a cursor naming a topic the request does not ask for.
const INVALID_REQUEST: i16 = 42;

/// Answers one page: the requested topics (all when none is named) by name, from the cursor on,
/// at most `response_partition_limit` partitions (capped at [`PARTITION_LIMIT_MAX`]), and the
/// cursor of the next page when partitions are left.
pub fn describe(
    cluster: &Cluster,
    req: &DescribeTopicPartitionsRequest,
) -> DescribeTopicPartitionsResponse {
    let mut names: Vec<String> = if req.topics.is_empty() {
        cluster
            .partitions()
            .map(|p| p.tp.topic.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        req.topics.iter().map(|t| t.name.0.to_string()).collect()
    };
    names.sort();
    names.dedup();
    let (start_topic, start_partition) = match &req.cursor {
        Some(c) => (Some(c.topic_name.0.to_string()), c.partition_index.max(0)),
        None => (None, 0),
    };
    if let Some(t) = &start_topic
        && !req.topics.is_empty()
        && !names.contains(t)
    {
        // Kafka refuses a cursor outside the requested topics; the protocol has no top-level
        // error, so every requested topic carries it.
        let topics = names
            .iter()
            .map(|n| {
                DescribeTopicPartitionsResponseTopic::default()
                    .with_error_code(INVALID_REQUEST)
                    .with_name(Some(topic_name(n)))
            })
            .collect();
        return DescribeTopicPartitionsResponse::default().with_topics(topics);
    }
    let states = cluster.broker_states();
    let up = |b: i32| {
        states
            .iter()
            .any(|(id, s)| *id == b && *s == BrokerState::Up)
    };
    let mut remaining = req.response_partition_limit.clamp(1, PARTITION_LIMIT_MAX) as usize;
    let mut topics = Vec::new();
    let mut next_cursor = None;
    let mut iter = names
        .iter()
        .filter(|n| {
            start_topic
                .as_ref()
                .is_none_or(|s| n.as_str() >= s.as_str())
        })
        .peekable();
    while let Some(name) = iter.next() {
        let Some(meta) = cluster.topic(name) else {
            topics.push(
                DescribeTopicPartitionsResponseTopic::default()
                    .with_error_code(KafkaError::UnknownTopicOrPartition.code())
                    .with_name(Some(topic_name(name))),
            );
            continue;
        };
        let first = if start_topic.as_deref() == Some(name.as_str()) {
            start_partition
        } else {
            0
        };
        let mut all: Vec<_> = cluster
            .partitions()
            .filter(|p| p.tp.topic == *name && p.tp.partition >= first)
            .collect();
        all.sort_by_key(|p| p.tp.partition);
        let cut = all.len() > remaining;
        let partitions: Vec<_> = all
            .iter()
            .take(remaining)
            .map(|p| {
                let ids = |v: &[i32]| v.iter().map(|b| BrokerId(*b)).collect::<Vec<_>>();
                DescribeTopicPartitionsResponsePartition::default()
                    .with_error_code(match p.leader {
                        Some(_) => 0,
                        None => KafkaError::LeaderNotAvailable.code(),
                    })
                    .with_partition_index(p.tp.partition)
                    .with_leader_id(BrokerId(p.leader.unwrap_or(-1)))
                    .with_leader_epoch(p.leader_epoch)
                    .with_replica_nodes(ids(&p.replicas))
                    .with_isr_nodes(ids(&p.isr))
                    .with_eligible_leader_replicas(Some(ids(&p.elr)))
                    .with_last_known_elr(Some(
                        p.last_known_leader.map(BrokerId).into_iter().collect(),
                    ))
                    .with_offline_replicas(super::metadata::offline_replicas(&p.replicas, &up))
            })
            .collect();
        remaining -= partitions.len();
        if cut {
            let next = all[partitions.len()].tp.partition;
            next_cursor = Some((name.clone(), next));
        }
        topics.push(
            DescribeTopicPartitionsResponseTopic::default()
                .with_name(Some(topic_name(name)))
                .with_topic_id(uuid(meta.topic_id))
                .with_is_internal(meta.internal)
                .with_partitions(partitions),
        );
        if cut {
            break;
        }
        if remaining == 0 {
            if let Some(n) = iter.peek() {
                next_cursor = Some(((*n).clone(), 0));
            }
            break;
        }
    }
    DescribeTopicPartitionsResponse::default()
        .with_topics(topics)
        .with_next_cursor(next_cursor.map(|(t, p)| {
            Cursor::default()
                .with_topic_name(topic_name(&t))
                .with_partition_index(p)
        }))
}
