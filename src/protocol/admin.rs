//! Administrative APIs: CreateTopics, InitProducerId (idempotent producers; no transactions)
//! and DescribeConfigs. Topics that change are `topic_admin`'s.

use super::host::WireHost;
use super::metadata::sb;
use crate::cluster::config::table::{HONOURED, differs_from_kafka};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::snapshot::BrokerState;
use crate::cluster::topic::TopicSpec;
use crate::cluster::topic_config::set_topic_config;
use kafka_protocol::messages::create_topics_response::{
    CreatableTopicResult, CreateTopicsResponse,
};
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResponse, DescribeConfigsResult,
};
use kafka_protocol::messages::init_producer_id_response::InitProducerIdResponse;
use kafka_protocol::messages::{
    CreateTopicsRequest, DescribeConfigsRequest, InitProducerIdRequest, ProducerId,
};

/// Kafka's INVALID_CONFIG.
const INVALID_CONFIG: i16 = 40;
/// Kafka's INVALID_REQUEST.
const INVALID_REQUEST: i16 = 42;
/// Kafka's UNKNOWN_TOPIC_OR_PARTITION for DescribeConfigs of a missing topic.
const RESOURCE_TOPIC: i8 = 2;
const RESOURCE_BROKER: i8 = 4;
/// Config sources: a topic's own config, a broker's `server.properties`, Kafka's default.
const SOURCE_TOPIC: i8 = 1;
const SOURCE_STATIC_BROKER: i8 = 4;
const SOURCE_DEFAULT: i8 = 5;

fn spec_from(
    cluster: &Cluster,
    t: &kafka_protocol::messages::create_topics_request::CreatableTopic,
) -> Result<TopicSpec, (i16, String)> {
    let live = cluster
        .broker_states()
        .iter()
        .filter(|(_, s)| *s == BrokerState::Up)
        .count();
    let partitions = if t.num_partitions == -1 {
        cluster.config().num_partitions
    } else {
        t.num_partitions
    };
    let rf = if t.replication_factor == -1 {
        cluster.config().default_rf(live)
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
        set_topic_config(
            &mut spec,
            cluster.config().profile,
            c.name.as_str(),
            Some(&v),
        )
        .map_err(|e| (INVALID_CONFIG, e))?;
    }
    Ok(spec)
}

/// CreateTopics.
pub fn create_topics(
    _host: &WireHost,
    cluster: &mut Cluster,
    r: &CreateTopicsRequest,
) -> CreateTopicsResponse {
    let topics = r
        .topics
        .iter()
        .map(|t| {
            let res = CreatableTopicResult::default().with_name(t.name.clone());
            let spec = match spec_from(cluster, t) {
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

/// One config entry; `default` says whether the value is Kafka's own default (DEFAULT_CONFIG)
/// or set for this lab (a broker override: the teaching profile's shortened timers, a scenario's
/// or a flag's value), so a client is never told a lab value is Kafka's default.
fn entry(name: &str, value: String, source: i8) -> DescribeConfigsResourceResult {
    DescribeConfigsResourceResult::default()
        .with_name(sb(name))
        .with_value(Some(sb(&value)))
        .with_read_only(false)
        .with_config_source(source)
}

/// Where a broker-level value comes from: Kafka's default, or the lab's `server.properties`.
fn broker_source(name: &str, value: &str) -> i8 {
    if differs_from_kafka(name, value).is_some() {
        SOURCE_STATIC_BROKER
    } else {
        SOURCE_DEFAULT
    }
}

/// Every broker config in the lab's table, plus the few the listener keeps.
fn broker_configs(
    host: &WireHost,
    cluster: &Cluster,
    broker: &str,
) -> Vec<DescribeConfigsResourceResult> {
    let c = cluster.config();
    let mut out = vec![
        // node.id is always in a KRaft broker's server.properties.
        entry("node.id", broker.to_string(), SOURCE_STATIC_BROKER),
        entry(
            "auto.create.topics.enable",
            host.config.auto_create_topics.to_string(),
            if host.config.auto_create_topics {
                SOURCE_DEFAULT
            } else {
                SOURCE_STATIC_BROKER
            },
        ),
        entry(
            "socket.request.max.bytes",
            super::frame::MAX_REQUEST_BYTES.to_string(),
            SOURCE_DEFAULT,
        ),
    ];
    out.extend(HONOURED.iter().map(|r| {
        let v = (r.value)(c);
        let source = broker_source(r.name, &v);
        entry(r.name, v, source)
    }));
    out
}

/// A topic's configs: its own (DYNAMIC_TOPIC_CONFIG), else the broker's, reported as Kafka
/// reports a topic config inherited from a broker setting.
fn topic_configs(
    cluster: &Cluster,
    t: &crate::cluster::lab::TopicMeta,
) -> Vec<DescribeConfigsResourceResult> {
    let c = cluster.config();
    let inherited = |broker_name: &str, value: String, own: bool| {
        let source = if own {
            SOURCE_TOPIC
        } else {
            broker_source(broker_name, &value)
        };
        (value, source)
    };
    let mut out = vec![entry("cleanup.policy", "delete".into(), SOURCE_DEFAULT)];
    let min_isr = t.spec.min_insync_replicas;
    out.push(entry(
        "min.insync.replicas",
        min_isr.to_string(),
        if min_isr == 1 {
            SOURCE_DEFAULT
        } else {
            SOURCE_TOPIC
        },
    ));
    let (v, s) = inherited(
        "log.segment.bytes",
        t.log_config.segment_bytes.to_string(),
        t.spec.segment_bytes.is_some(),
    );
    out.push(entry("segment.bytes", v, s));
    let hours = (t.log_config.segment_ms % 3_600_000 == 0)
        .then(|| (t.log_config.segment_ms / 3_600_000).to_string());
    let s = match hours {
        Some(h) => broker_source("log.roll.hours", &h),
        None => SOURCE_STATIC_BROKER,
    };
    out.push(entry("segment.ms", t.log_config.segment_ms.to_string(), s));
    let hours = (t.log_config.retention_ms % 3_600_000 == 0)
        .then(|| (t.log_config.retention_ms / 3_600_000).to_string());
    let s = if t.spec.retention_ms.is_some() {
        SOURCE_TOPIC
    } else {
        match hours {
            Some(h) => broker_source("log.retention.hours", &h),
            None => SOURCE_STATIC_BROKER,
        }
    };
    out.push(entry(
        "retention.ms",
        t.log_config.retention_ms.to_string(),
        s,
    ));
    let (v, s) = inherited(
        "log.retention.bytes",
        t.log_config.retention_bytes.to_string(),
        t.spec.retention_bytes.is_some(),
    );
    out.push(entry("retention.bytes", v, s));
    let (v, s) = inherited(
        "message.max.bytes",
        t.spec
            .max_message_bytes
            .unwrap_or(c.message_max_bytes)
            .to_string(),
        t.spec.max_message_bytes.is_some(),
    );
    out.push(entry("max.message.bytes", v, s));
    let (v, s) = inherited(
        "unclean.leader.election.enable",
        c.unclean_leader_election.to_string(),
        false,
    );
    out.push(entry("unclean.leader.election.enable", v, s));
    out
}

/// DescribeConfigs for topics and brokers, with Kafka's config names and sources.
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
            let configs = match res.resource_type {
                RESOURCE_TOPIC => {
                    let Some(t) = cluster.topic(&name) else {
                        return out.with_error_code(KafkaError::UnknownTopicOrPartition.code());
                    };
                    topic_configs(cluster, t)
                }
                RESOURCE_BROKER => broker_configs(host, cluster, &name),
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
