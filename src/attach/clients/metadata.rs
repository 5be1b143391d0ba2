//! Metadata as a dashboard client asks for it: its own topics only, the leader and leader epoch
//! of every partition, each topic's id (v10+, which KIP-848 assignments name topics by), and
//! where the brokers listen (written into the client's session).

use crate::attach::session::{AttachError, Session, error_name};
use crate::cluster::types::BrokerId;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The most partitions one topic may have for a dashboard client (Kafka allows more, but a
/// table a person reads does not need them): bounds every per-partition map a client keeps.
pub const PARTITIONS_MAX: usize = 10_000;

/// A partition's leader as Metadata names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leader {
    /// The broker leading it, if any.
    pub broker: Option<BrokerId>,
    /// Its leader epoch (Fetch and ListOffsets send it back as `current_leader_epoch`).
    pub epoch: i32,
}

/// One topic's partitions and their leaders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicLeaders {
    /// Its topic id (KIP-516), when Metadata is v10+ and the cluster has one (nil otherwise).
    pub topic_id: Uuid,
    /// Partition index → leader.
    pub partitions: BTreeMap<i32, Leader>,
}

impl TopicLeaders {
    /// How many partitions the topic has.
    pub fn count(&self) -> i32 {
        self.partitions.len() as i32
    }

    /// The partitions that have a leader now (the partitioner's "available" ones).
    pub fn available(&self) -> Vec<i32> {
        self.partitions
            .iter()
            .filter(|(_, l)| l.broker.is_some())
            .map(|(p, _)| *p)
            .collect()
    }
}

/// Metadata for `topics`: their partitions' leaders; the brokers' addresses go into `session`.
/// A topic the cluster does not know (or refuses) is an error, named as Kafka names it.
pub async fn leaders(
    session: &mut Session,
    topics: &[String],
) -> Result<BTreeMap<String, TopicLeaders>, AttachError> {
    session.ensure_versions().await?;
    // v10+ carries topic ids; v12 is the newest this request's fields need.
    let version = session.version(ApiKey::Metadata, 4, 12)?;
    let request = MetadataRequest::default()
        .with_topics(Some(
            topics
                .iter()
                .map(|t| {
                    MetadataRequestTopic::default()
                        .with_name(Some(TopicName(StrBytes::from_string(t.clone()))))
                })
                .collect(),
        ))
        .with_allow_auto_topic_creation(false);
    let r = session.call_any(request, version).await?;
    for b in &r.brokers {
        session
            .addresses
            .insert(b.node_id.0, format!("{}:{}", b.host, b.port));
    }
    let mut out = BTreeMap::new();
    for t in &r.topics {
        let Some(name) = t.name.as_ref().map(|n| n.0.to_string()) else {
            continue;
        };
        if t.error_code != 0 {
            return Err(AttachError::Kafka(format!(
                "Metadata for {name}: {}",
                error_name(t.error_code)
            )));
        }
        let leaders: BTreeMap<i32, Leader> = t
            .partitions
            .iter()
            .take(PARTITIONS_MAX)
            .map(|p| {
                (
                    p.partition_index,
                    Leader {
                        broker: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
                        epoch: p.leader_epoch,
                    },
                )
            })
            .collect();
        out.insert(
            name,
            TopicLeaders {
                topic_id: t.topic_id,
                partitions: leaders,
            },
        );
    }
    Ok(out)
}

/// Topic id → name for every topic `leaders` has an id for (a KIP-848 assignment names ids).
pub fn names_by_id(leaders: &BTreeMap<String, TopicLeaders>) -> BTreeMap<Uuid, String> {
    leaders
        .iter()
        .filter(|(_, l)| !l.topic_id.is_nil())
        .map(|(name, l)| (l.topic_id, name.clone()))
        .collect()
}
