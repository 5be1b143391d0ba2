//! Topics that change over the wire: DeleteTopics, CreatePartitions, IncrementalAlterConfigs and
//! the legacy AlterConfigs, each answered per topic with Kafka's error codes and messages.

use super::metadata::sb;
use crate::cluster::lab::Cluster;
use crate::cluster::topic_changes::TopicChangeError;
use crate::cluster::topic_config::TOPIC_CONFIGS;
use kafka_protocol::messages::create_partitions_response::{
    CreatePartitionsResponse, CreatePartitionsTopicResult,
};
use kafka_protocol::messages::delete_topics_response::{
    DeletableTopicResult, DeleteTopicsResponse,
};
use kafka_protocol::messages::{
    AlterConfigsRequest, AlterConfigsResponse, CreatePartitionsRequest, DeleteTopicsRequest,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, alter_configs_response,
    incremental_alter_configs_response,
};
use kafka_protocol::protocol::StrBytes;

/// Kafka's INVALID_CONFIG.
const INVALID_CONFIG: i16 = 40;
/// Kafka's INVALID_REQUEST.
const INVALID_REQUEST: i16 = 42;
/// Kafka's ConfigResource type for a topic.
const RESOURCE_TOPIC: i8 = 2;
/// IncrementalAlterConfigs operations (Kafka's `AlterConfigOp.OpType`).
const OP_SET: i8 = 0;
const OP_DELETE: i8 = 1;
const OP_APPEND: i8 = 2;
const OP_SUBTRACT: i8 = 3;

/// (code, message) of a refused change; no message when Kafka sends none.
fn code_and_message(e: &TopicChangeError) -> (i16, Option<StrBytes>) {
    let msg = (!e.message.is_empty()).then(|| sb(&e.message));
    (e.error.code(), msg)
}

/// DeleteTopics by name (topic ids come with DeleteTopics v6, which the lab does not serve).
pub fn delete_topics(cluster: &mut Cluster, r: &DeleteTopicsRequest) -> DeleteTopicsResponse {
    // v6+ names topics in `topics`; up to v5 in `topic_names`.
    let names: Vec<_> = r
        .topic_names
        .iter()
        .cloned()
        .chain(r.topics.iter().filter_map(|t| t.name.clone()))
        .collect();
    let responses = names
        .into_iter()
        .map(|n| {
            let res = DeletableTopicResult::default().with_name(Some(n.clone()));
            match cluster.delete_topic(n.0.as_str()) {
                Ok(()) => res,
                Err(e) => {
                    let (code, msg) = code_and_message(&e);
                    res.with_error_code(code).with_error_message(msg)
                }
            }
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}

/// CreatePartitions: grows each topic to its new count; manual assignments are refused as
/// CreateTopics refuses them (the lab places replicas itself).
pub fn create_partitions(
    cluster: &mut Cluster,
    r: &CreatePartitionsRequest,
) -> CreatePartitionsResponse {
    let results =
        r.topics
            .iter()
            .map(|t| {
                let res = CreatePartitionsTopicResult::default().with_name(t.name.clone());
                if t.assignments.as_ref().is_some_and(|a| !a.is_empty()) {
                    return res.with_error_code(INVALID_REQUEST).with_error_message(Some(sb(
                    "kafka-lab places replicas itself: manual assignments are not supported",
                )));
                }
                match cluster.create_partitions(t.name.0.as_str(), t.count, r.validate_only) {
                    Ok(()) => res,
                    Err(e) => {
                        let (code, msg) = code_and_message(&e);
                        res.with_error_code(code).with_error_message(msg)
                    }
                }
            })
            .collect();
    CreatePartitionsResponse::default().with_results(results)
}

/// Checks one resource is a topic the lab can change; the refusal otherwise.
fn topic_resource(kind: i8) -> Result<(), (i16, String)> {
    if kind == RESOURCE_TOPIC {
        Ok(())
    } else {
        Err((
            INVALID_REQUEST,
            "kafka-lab changes topic configs only; broker configs are set at start".into(),
        ))
    }
}

/// Applies `changes` to topic `name`: (code, message) for the response.
fn alter(
    cluster: &mut Cluster,
    name: &str,
    changes: &[(String, Option<String>)],
    validate_only: bool,
) -> (i16, Option<StrBytes>) {
    let mut seen: Vec<&str> = Vec::new();
    for (c, _) in changes {
        if seen.contains(&c.as_str()) {
            return (
                INVALID_REQUEST,
                Some(sb("Error due to duplicate config keys")),
            );
        }
        seen.push(c);
    }
    match cluster.alter_topic_configs(name, changes, validate_only) {
        Ok(()) => (0, None),
        Err(e) => code_and_message(&e),
    }
}

/// IncrementalAlterConfigs: SET and DELETE on the topic configs the lab honours; APPEND and
/// SUBTRACT only apply to list configs, which the lab has none of.
pub fn incremental_alter_configs(
    cluster: &mut Cluster,
    r: &IncrementalAlterConfigsRequest,
) -> IncrementalAlterConfigsResponse {
    let responses = r
        .resources
        .iter()
        .map(|res| {
            let out = incremental_alter_configs_response::AlterConfigsResourceResponse::default()
                .with_resource_type(res.resource_type)
                .with_resource_name(res.resource_name.clone());
            if let Err((code, msg)) = topic_resource(res.resource_type) {
                return out.with_error_code(code).with_error_message(Some(sb(&msg)));
            }
            let mut changes = Vec::new();
            for c in &res.configs {
                let name = c.name.to_string();
                let value = c.value.as_ref().map(|v| v.to_string());
                match c.config_operation {
                    OP_SET => changes.push((name, Some(value.unwrap_or_default()))),
                    OP_DELETE => changes.push((name, None)),
                    OP_APPEND | OP_SUBTRACT => {
                        let op = if c.config_operation == OP_APPEND {
                            "append"
                        } else {
                            "subtract"
                        };
                        return out
                            .with_error_code(INVALID_CONFIG)
                            .with_error_message(Some(sb(&format!(
                                "Config value {op} is not allowed for config key: {name}"
                            ))));
                    }
                    other => {
                        return out
                            .with_error_code(INVALID_REQUEST)
                            .with_error_message(Some(sb(&format!(
                                "Unknown config operation {other}"
                            ))));
                    }
                }
            }
            let (code, msg) = alter(
                cluster,
                res.resource_name.as_str(),
                &changes,
                r.validate_only,
            );
            out.with_error_code(code).with_error_message(msg)
        })
        .collect();
    IncrementalAlterConfigsResponse::default().with_responses(responses)
}

/// AlterConfigs (legacy): the given configs replace the topic's whole set, so every honoured
/// config not listed goes back to the broker's value.
pub fn alter_configs(cluster: &mut Cluster, r: &AlterConfigsRequest) -> AlterConfigsResponse {
    let responses = r
        .resources
        .iter()
        .map(|res| {
            let out = alter_configs_response::AlterConfigsResourceResponse::default()
                .with_resource_type(res.resource_type)
                .with_resource_name(res.resource_name.clone());
            if let Err((code, msg)) = topic_resource(res.resource_type) {
                return out.with_error_code(code).with_error_message(Some(sb(&msg)));
            }
            let mut changes: Vec<(String, Option<String>)> = res
                .configs
                .iter()
                .map(|c| (c.name.to_string(), c.value.as_ref().map(|v| v.to_string())))
                .collect();
            for name in TOPIC_CONFIGS {
                if !changes.iter().any(|(c, _)| c == name) {
                    changes.push(((*name).to_string(), None));
                }
            }
            let (code, msg) = alter(
                cluster,
                res.resource_name.as_str(),
                &changes,
                r.validate_only,
            );
            out.with_error_code(code).with_error_message(msg)
        })
        .collect();
    AlterConfigsResponse::default().with_responses(responses)
}
