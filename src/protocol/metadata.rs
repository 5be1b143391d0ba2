//! Metadata and FindCoordinator: where the brokers are and who leads what.

use super::host::{Ctx, WireHost};
use super::wire_error::WireError;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::snapshot::BrokerState;
use crate::cluster::topic::TopicSpec;
use crate::cluster::topic_id::TopicId;
use kafka_protocol::messages::find_coordinator_response::{Coordinator, FindCoordinatorResponse};
use kafka_protocol::messages::metadata_response::{
    MetadataResponse, MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{BrokerId, FindCoordinatorRequest, MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use uuid::Uuid;

/// The cluster id every Metadata response names.
pub const CLUSTER_ID: &str = "kafka-lab";

/// `str` → the crate's string type.
pub fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// `str` → a topic name.
pub fn topic_name(s: &str) -> TopicName {
    TopicName(sb(s))
}

/// A topic id as the wire's `Uuid`.
pub fn uuid(id: TopicId) -> Uuid {
    Uuid::from_u128(id.0)
}

/// Creates `topic` the way `auto.create.topics.enable` does, if the lab allows it.
pub fn auto_create(cluster: &mut Cluster, topic: &str) -> Result<(), KafkaError> {
    let live = cluster
        .broker_states()
        .iter()
        .filter(|(_, s)| *s == BrokerState::Up)
        .count();
    let c = cluster.config();
    let spec = TopicSpec::new(topic, c.num_partitions, c.default_rf(live));
    cluster.create_topic(spec)
}

/// Metadata: live brokers, the controller, and the requested topics (all when `topics` is null).
pub fn metadata(
    host: &WireHost,
    cluster: &mut Cluster,
    ctx: &Ctx,
    req: &MetadataRequest,
) -> MetadataResponse {
    // Versions before 4 have no flag: they always allowed auto-creation.
    let allow_create = ctx.version < 4 || req.allow_auto_topic_creation;
    // Topics named by id (v10+; only v12+ clients send them, with a null name): as Kafka does,
    // such a request answers for its ids alone, never auto-creates, and an id no topic has gets
    // UNKNOWN_TOPIC_ID.
    let ids: Vec<TopicId> = match (&req.topics, ctx.version >= 10) {
        (Some(ts), true) => ts
            .iter()
            .map(|t| TopicId(t.topic_id.as_u128()))
            .filter(|id| *id != TopicId::ZERO)
            .collect(),
        _ => Vec::new(),
    };
    let mut topics = Vec::new();
    let names: Vec<String> = match &req.topics {
        None => cluster
            .partitions()
            .map(|p| p.tp.topic.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        Some(_) if !ids.is_empty() => {
            let mut known = std::collections::BTreeSet::new();
            for id in &ids {
                match cluster.topic_name(*id) {
                    Some(n) => {
                        known.insert(n.to_string());
                    }
                    None => topics.push(
                        MetadataResponseTopic::default()
                            .with_error_code(WireError::UnknownTopicId.code())
                            .with_name(None)
                            .with_topic_id(uuid(*id)),
                    ),
                }
            }
            known.into_iter().collect()
        }
        Some(ts) => ts
            .iter()
            .filter_map(|t| t.name.as_ref().map(|n| n.0.to_string()))
            .collect(),
    };
    let allow_create = allow_create && ids.is_empty();
    let states = cluster.broker_states();
    let up = |b: i32| {
        states
            .iter()
            .any(|(id, s)| *id == b && *s == BrokerState::Up)
    };
    // Kafka lists the brokers the controller has registered: a crashed broker stays listed (and
    // keeps leading) until its session expires, so clients see connection errors, not a vanished
    // node. Every leader named below is in this list.
    let mut listed = cluster.registered_brokers();
    for p in cluster.partitions() {
        if let Some(l) = p.leader
            && !listed.contains(&l)
        {
            listed.push(l);
        }
    }
    listed.sort_unstable();
    let brokers = listed
        .iter()
        .map(|id| {
            MetadataResponseBroker::default()
                .with_node_id(BrokerId(*id))
                .with_host(sb(&host.config.advertised_host))
                .with_port(host.config.port_of(*id))
        })
        .collect();
    for name in names {
        if cluster.topic(&name).is_none() {
            let err = if allow_create && host.config.auto_create_topics {
                match auto_create(cluster, &name) {
                    Ok(()) | Err(KafkaError::TopicAlreadyExists) => None,
                    Err(KafkaError::InvalidTopic) => Some(KafkaError::InvalidTopic),
                    Err(_) => Some(KafkaError::LeaderNotAvailable),
                }
            } else {
                Some(KafkaError::UnknownTopicOrPartition)
            };
            if let Some(e) = err {
                topics.push(
                    MetadataResponseTopic::default()
                        .with_error_code(e.code())
                        .with_name(Some(topic_name(&name))),
                );
                continue;
            }
        }
        let internal = cluster.topic(&name).is_some_and(|t| t.internal);
        let partitions = cluster
            .partitions()
            .filter(|p| p.tp.topic == name)
            .map(|p| {
                let error = match p.leader {
                    Some(_) => 0,
                    None => KafkaError::LeaderNotAvailable.code(),
                };
                MetadataResponsePartition::default()
                    .with_error_code(error)
                    .with_partition_index(p.tp.partition)
                    .with_leader_id(BrokerId(p.leader.unwrap_or(-1)))
                    .with_leader_epoch(p.leader_epoch)
                    .with_replica_nodes(p.replicas.iter().map(|b| BrokerId(*b)).collect())
                    .with_isr_nodes(p.isr.iter().map(|b| BrokerId(*b)).collect())
                    .with_offline_replicas(offline_replicas(&p.replicas, &up))
            })
            .collect();
        // Topic ids are on the wire from v10; older versions have no field for them.
        let id = match cluster.topic_id(&name) {
            Some(id) if ctx.version >= 10 => uuid(id),
            _ => Uuid::nil(),
        };
        topics.push(
            MetadataResponseTopic::default()
                .with_name(Some(topic_name(&name)))
                .with_topic_id(id)
                .with_is_internal(internal)
                .with_partitions(partitions),
        );
    }
    MetadataResponse::default()
        .with_brokers(brokers)
        .with_cluster_id(Some(sb(CLUSTER_ID)))
        .with_controller_id(BrokerId(cluster.wire_controller_id()))
        .with_topics(topics)
}

/// FindCoordinator: the coordinator of a group (key type 0) or a `transactional.id` (1); from v4
/// a batch of keys, each answered on its own (KIP-699).
pub fn find_coordinator(
    host: &WireHost,
    cluster: &mut Cluster,
    ctx: &Ctx,
    req: &FindCoordinatorRequest,
) -> FindCoordinatorResponse {
    if ctx.version >= 4 {
        let coordinators = req
            .coordinator_keys
            .iter()
            .map(|key| {
                let (code, message, node, host_name, port) =
                    lookup(host, cluster, req.key_type, key);
                Coordinator::default()
                    .with_key(key.clone())
                    .with_error_code(code)
                    .with_error_message(message)
                    .with_node_id(BrokerId(node))
                    .with_host(host_name)
                    .with_port(port)
            })
            .collect();
        return FindCoordinatorResponse::default().with_coordinators(coordinators);
    }
    let (code, message, node, host_name, port) = lookup(host, cluster, req.key_type, &req.key);
    FindCoordinatorResponse::default()
        .with_error_code(code)
        .with_error_message(message)
        .with_node_id(BrokerId(node))
        .with_host(host_name)
        .with_port(port)
}

/// One coordinator lookup: (error code, message, node, host, port).
fn lookup(
    host: &WireHost,
    cluster: &mut Cluster,
    key_type: i8,
    key: &StrBytes,
) -> (i16, Option<StrBytes>, i32, StrBytes, i32) {
    // key_type 0 is a group, 1 a transactional.id.
    let found = match key_type {
        0 => cluster.coordinator_for(key.as_str()),
        1 => cluster.txn_coordinator_for(key.as_str()),
        _ => Err(KafkaError::CoordinatorNotAvailable),
    };
    match found {
        Ok(b) => (
            0,
            None,
            b,
            sb(&host.config.advertised_host),
            host.config.port_of(b),
        ),
        Err(e) => (e.code(), Some(sb(&e.to_string())), -1, sb(""), -1),
    }
}

/// The replicas on brokers that are not up (Metadata's and DescribeTopicPartitions' field).
pub(super) fn offline_replicas(replicas: &[i32], up: &impl Fn(i32) -> bool) -> Vec<BrokerId> {
    replicas
        .iter()
        .filter(|b| !up(**b))
        .map(|b| BrokerId(*b))
        .collect()
}
