//! Administrative APIs: CreateTopics, DeleteTopics (refused: the lab cannot delete topics),
//! InitProducerId (idempotent producers; no transactions) and DescribeConfigs.

use super::host::{Ctx, WireHost};
use super::metadata::sb;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::snapshot::BrokerState;
use crate::cluster::topic::TopicSpec;
use kafka_protocol::messages::create_topics_response::{
    CreatableTopicResult, CreateTopicsResponse,
};
use kafka_protocol::messages::delete_topics_response::{
    DeletableTopicResult, DeleteTopicsResponse,
};
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResponse, DescribeConfigsResult,
};
use kafka_protocol::messages::init_producer_id_response::InitProducerIdResponse;
use kafka_protocol::messages::{
    CreateTopicsRequest, DeleteTopicsRequest, DescribeConfigsRequest, InitProducerIdRequest,
    ProducerId,
};

/// Kafka's TOPIC_DELETION_DISABLED.
pub const TOPIC_DELETION_DISABLED: i16 = 73;
/// Kafka's INVALID_CONFIG.
const INVALID_CONFIG: i16 = 40;
/// Kafka's INVALID_REQUEST.
const INVALID_REQUEST: i16 = 42;
/// Kafka's UNKNOWN_TOPIC_OR_PARTITION for DescribeConfigs of a missing topic.
const RESOURCE_TOPIC: i8 = 2;
const RESOURCE_BROKER: i8 = 4;
/// Config sources: dynamic topic config and default.
const SOURCE_TOPIC: i8 = 1;
const SOURCE_DEFAULT: i8 = 5;

fn spec_from(
    host: &WireHost,
    cluster: &Cluster,
    t: &kafka_protocol::messages::create_topics_request::CreatableTopic,
) -> Result<TopicSpec, (i16, String)> {
    let live = cluster
        .broker_states()
        .iter()
        .filter(|(_, s)| *s == BrokerState::Up)
        .count() as i16;
    let partitions = if t.num_partitions == -1 {
        host.config.default_partitions
    } else {
        t.num_partitions
    };
    let rf = if t.replication_factor == -1 {
        host.config.default_replication_factor.min(live).max(1)
    } else {
        t.replication_factor
    };
    if !t.assignments.is_empty() {
        return Err((
            INVALID_REQUEST,
            "kafka-lab places replicas itself: manual assignments are not supported".into(),
        ));
    }
    let mut spec = TopicSpec::new(t.name.0.to_string(), partitions, rf);
    for c in &t.configs {
        let Some(v) = c.value.as_ref().map(|v| v.to_string()) else {
            continue;
        };
        let bad = || {
            (
                INVALID_CONFIG,
                format!("invalid value {v:?} for {}", c.name.as_str()),
            )
        };
        match c.name.as_str() {
            "min.insync.replicas" => spec.min_insync_replicas = v.parse().map_err(|_| bad())?,
            "segment.bytes" => spec.segment_bytes = Some(v.parse().map_err(|_| bad())?),
            "retention.ms" => spec.retention_ms = Some(v.parse().map_err(|_| bad())?),
            "retention.bytes" => spec.retention_bytes = Some(v.parse().map_err(|_| bad())?),
            other => {
                return Err((
                    INVALID_CONFIG,
                    format!("kafka-lab does not support topic config {other}"),
                ));
            }
        }
    }
    Ok(spec)
}

/// CreateTopics.
pub fn create_topics(
    host: &WireHost,
    cluster: &mut Cluster,
    r: &CreateTopicsRequest,
) -> CreateTopicsResponse {
    let topics = r
        .topics
        .iter()
        .map(|t| {
            let res = CreatableTopicResult::default().with_name(t.name.clone());
            let spec = match spec_from(host, cluster, t) {
                Ok(s) => s,
                Err((code, msg)) => {
                    return res.with_error_code(code).with_error_message(Some(sb(&msg)));
                }
            };
            let outcome = if r.validate_only {
                if cluster.topic(&spec.name).is_some() {
                    Err(KafkaError::TopicAlreadyExists)
                } else {
                    Ok(())
                }
            } else {
                cluster.create_topic(spec.clone())
            };
            match outcome {
                Ok(()) => res
                    .with_num_partitions(spec.partitions)
                    .with_replication_factor(spec.replication_factor),
                Err(e) => res
                    .with_error_code(e.code())
                    .with_error_message(Some(sb(&e.to_string()))),
            }
        })
        .collect();
    CreateTopicsResponse::default().with_topics(topics)
}

/// DeleteTopics: refused with TOPIC_DELETION_DISABLED; the lab's cluster cannot delete topics.
pub fn delete_topics(ctx: &Ctx, r: &DeleteTopicsRequest) -> DeleteTopicsResponse {
    let _ = ctx;
    let responses = r
        .topic_names
        .iter()
        .map(|n| {
            DeletableTopicResult::default()
                .with_name(Some(n.clone()))
                .with_error_code(TOPIC_DELETION_DISABLED)
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}

/// InitProducerId for idempotent producers; transactional ids are refused.
pub fn init_producer_id(
    cluster: &mut Cluster,
    r: &InitProducerIdRequest,
) -> InitProducerIdResponse {
    if r.transactional_id.is_some() {
        return InitProducerIdResponse::default()
            .with_error_code(INVALID_REQUEST)
            .with_producer_id(ProducerId(-1))
            .with_producer_epoch(-1);
    }
    let current = (r.producer_id.0 >= 0).then_some((r.producer_id.0, r.producer_epoch));
    let (id, epoch) = cluster.init_producer_id(current);
    InitProducerIdResponse::default()
        .with_producer_id(ProducerId(id))
        .with_producer_epoch(epoch)
}

fn entry(name: &str, value: String, source: i8) -> DescribeConfigsResourceResult {
    DescribeConfigsResourceResult::default()
        .with_name(sb(name))
        .with_value(Some(sb(&value)))
        .with_read_only(false)
        .with_config_source(source)
}

/// DescribeConfigs for topics and brokers, with Kafka's config names.
pub fn describe_configs(
    host: &WireHost,
    cluster: &Cluster,
    r: &DescribeConfigsRequest,
) -> DescribeConfigsResponse {
    let results = r
        .resources
        .iter()
        .map(|res| {
            let name = res.resource_name.to_string();
            let out = DescribeConfigsResult::default()
                .with_resource_type(res.resource_type)
                .with_resource_name(res.resource_name.clone());
            let configs: Vec<DescribeConfigsResourceResult> = match res.resource_type {
                RESOURCE_TOPIC => {
                    let Some(t) = cluster.topic(&name) else {
                        return out.with_error_code(KafkaError::UnknownTopicOrPartition.code());
                    };
                    let src = |set: bool| if set { SOURCE_TOPIC } else { SOURCE_DEFAULT };
                    vec![
                        entry("cleanup.policy", "delete".into(), SOURCE_DEFAULT),
                        entry(
                            "min.insync.replicas",
                            t.spec.min_insync_replicas.to_string(),
                            SOURCE_TOPIC,
                        ),
                        entry(
                            "segment.bytes",
                            t.log_config.segment_bytes.to_string(),
                            src(t.spec.segment_bytes.is_some()),
                        ),
                        entry(
                            "segment.ms",
                            t.log_config.segment_ms.to_string(),
                            SOURCE_DEFAULT,
                        ),
                        entry(
                            "retention.ms",
                            t.log_config.retention_ms.to_string(),
                            src(t.spec.retention_ms.is_some()),
                        ),
                        entry(
                            "retention.bytes",
                            t.log_config.retention_bytes.to_string(),
                            src(t.spec.retention_bytes.is_some()),
                        ),
                        entry(
                            "unclean.leader.election.enable",
                            cluster.config().unclean_leader_election.to_string(),
                            SOURCE_DEFAULT,
                        ),
                    ]
                }
                RESOURCE_BROKER => {
                    let c = cluster.config();
                    // Every broker config the lab has, at its (lab) default.
                    let defaults: [(&str, String); 15] = [
                        ("broker.id", name.clone()),
                        (
                            "auto.create.topics.enable",
                            host.config.auto_create_topics.to_string(),
                        ),
                        ("num.partitions", host.config.default_partitions.to_string()),
                        (
                            "default.replication.factor",
                            host.config.default_replication_factor.to_string(),
                        ),
                        (
                            "offsets.topic.num.partitions",
                            c.offsets_topic_partitions.to_string(),
                        ),
                        (
                            "replica.lag.time.max.ms",
                            c.replica_lag_time_max_ms.to_string(),
                        ),
                        (
                            "unclean.leader.election.enable",
                            c.unclean_leader_election.to_string(),
                        ),
                        (
                            "auto.leader.rebalance.enable",
                            c.auto_leader_rebalance.to_string(),
                        ),
                        (
                            "group.initial.rebalance.delay.ms",
                            c.group_initial_rebalance_delay_ms.to_string(),
                        ),
                        (
                            "group.min.session.timeout.ms",
                            c.group_min_session_timeout_ms.to_string(),
                        ),
                        (
                            "group.max.session.timeout.ms",
                            c.group_max_session_timeout_ms.to_string(),
                        ),
                        (
                            "broker.session.timeout.ms",
                            c.broker_session_timeout_ms.to_string(),
                        ),
                        ("log.segment.bytes", c.log.segment_bytes.to_string()),
                        ("log.retention.ms", c.log.retention_ms.to_string()),
                        (
                            "socket.request.max.bytes",
                            super::frame::MAX_REQUEST_BYTES.to_string(),
                        ),
                    ];
                    defaults
                        .into_iter()
                        .map(|(k, v)| entry(k, v, SOURCE_DEFAULT))
                        .collect::<Vec<_>>()
                }
                _ => return out.with_error_code(INVALID_REQUEST),
            };
            let configs = match &res.configuration_keys {
                Some(keys) => configs
                    .into_iter()
                    .filter(|c| keys.iter().any(|k| k == &c.name))
                    .collect(),
                None => configs,
            };
            out.with_configs(configs)
        })
        .collect();
    DescribeConfigsResponse::default().with_results(results)
}
