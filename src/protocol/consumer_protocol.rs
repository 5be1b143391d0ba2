//! The consumer protocol's subscription and assignment bytes inside JoinGroup and SyncGroup,
//! decoded and encoded with kafka-protocol's `ConsumerProtocolSubscription` and
//! `ConsumerProtocolAssignment` (each prefixed by its i16 version, as Kafka's clients write them).

use crate::cluster::types::TopicPartition;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::consumer_protocol_assignment::{
    ConsumerProtocolAssignment, TopicPartition as AssignedTopic,
};
use kafka_protocol::messages::consumer_protocol_subscription::{
    ConsumerProtocolSubscription, TopicPartition as OwnedTopic,
};
use kafka_protocol::protocol::{Decodable, Encodable};
use std::collections::BTreeMap;

/// The newest version of both structures kafka-protocol knows; newer ones decode as this
/// (the consumer protocol only ever appends fields).
const MAX_VERSION: i16 = 3;

fn versioned(bytes: &[u8]) -> Option<(i16, Bytes)> {
    let mut b = Bytes::copy_from_slice(bytes);
    if b.len() < 2 {
        return None;
    }
    let v = b.get_i16();
    if v < 0 {
        return None;
    }
    Some((v.min(MAX_VERSION), b))
}

fn group(tps: &[TopicPartition]) -> BTreeMap<String, Vec<i32>> {
    let mut by_topic: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for tp in tps {
        by_topic
            .entry(tp.topic.clone())
            .or_default()
            .push(tp.partition);
    }
    by_topic
}

/// Topics and owned partitions of a subscription; None when the bytes are not one.
pub fn decode_subscription(bytes: &[u8]) -> Option<(Vec<String>, Vec<TopicPartition>)> {
    let (v, mut b) = versioned(bytes)?;
    let s = ConsumerProtocolSubscription::decode(&mut b, v).ok()?;
    let topics = s.topics.iter().map(|t| t.to_string()).collect();
    let owned = s
        .owned_partitions
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(|p| TopicPartition::new(t.topic.0.to_string(), *p))
        })
        .collect();
    Some((topics, owned))
}

/// A version-1 subscription (topics and owned partitions).
pub fn encode_subscription(topics: &[String], owned: &[TopicPartition]) -> Bytes {
    let s = ConsumerProtocolSubscription::default()
        .with_topics(topics.iter().map(|t| super::metadata::sb(t)).collect())
        .with_owned_partitions(
            group(owned)
                .into_iter()
                .map(|(t, ps)| {
                    OwnedTopic::default()
                        .with_topic(super::metadata::topic_name(&t))
                        .with_partitions(ps)
                })
                .collect(),
        );
    let mut buf = BytesMut::new();
    buf.put_i16(1);
    // Encoding a default-built structure at a version it supports cannot fail.
    let _ = s.encode(&mut buf, 1);
    buf.freeze()
}

/// The partitions of an assignment; empty bytes are an empty assignment, as in Kafka.
pub fn decode_assignment(bytes: &[u8]) -> Option<Vec<TopicPartition>> {
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let (v, mut b) = versioned(bytes)?;
    let a = ConsumerProtocolAssignment::decode(&mut b, v).ok()?;
    Some(
        a.assigned_partitions
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| TopicPartition::new(t.topic.0.to_string(), *p))
            })
            .collect(),
    )
}

/// A version-0 assignment.
pub fn encode_assignment(tps: &[TopicPartition]) -> Bytes {
    let a = ConsumerProtocolAssignment::default().with_assigned_partitions(
        group(tps)
            .into_iter()
            .map(|(t, ps)| {
                AssignedTopic::default()
                    .with_topic(super::metadata::topic_name(&t))
                    .with_partitions(ps)
            })
            .collect(),
    );
    let mut buf = BytesMut::new();
    buf.put_i16(0);
    let _ = a.encode(&mut buf, 0);
    buf.freeze()
}

/// Bytes members sent, handed back verbatim (user data and versions survive the round trip).
#[derive(Clone, Debug, Default)]
pub struct MemberBytes {
    /// (group, member) → the JoinGroup protocols (name, metadata).
    joins: BTreeMap<(String, String), Vec<(String, Bytes)>>,
    /// (group, member) → (generation, assignment bytes the leader sent).
    assignments: BTreeMap<(String, String), (i32, Bytes)>,
}

/// Entries kept at most in each map.
const MAX_MEMBERS: usize = 10_000;

impl MemberBytes {
    /// Remembers a member's JoinGroup protocols.
    pub fn set_join(&mut self, group: &str, member: &str, protocols: Vec<(String, Bytes)>) {
        if self.joins.len() >= MAX_MEMBERS {
            self.joins.clear();
        }
        self.joins
            .insert((group.to_string(), member.to_string()), protocols);
    }

    /// The metadata a member sent for `protocol`.
    pub fn metadata(&self, group: &str, member: &str, protocol: &str) -> Option<Bytes> {
        self.joins
            .get(&(group.to_string(), member.to_string()))?
            .iter()
            .find(|(n, _)| n == protocol)
            .map(|(_, b)| b.clone())
    }

    /// Remembers the assignment bytes the leader sent for `member` in `generation`.
    pub fn set_assignment(&mut self, group: &str, member: &str, generation: i32, bytes: Bytes) {
        if self.assignments.len() >= MAX_MEMBERS {
            self.assignments.clear();
        }
        self.assignments
            .insert((group.to_string(), member.to_string()), (generation, bytes));
    }

    /// The leader's bytes for `member` in `generation`.
    pub fn assignment(&self, group: &str, member: &str, generation: i32) -> Option<Bytes> {
        match self
            .assignments
            .get(&(group.to_string(), member.to_string()))
        {
            Some((g, b)) if *g == generation => Some(b.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_round_trips_topics_and_owned_partitions() {
        let owned = vec![
            TopicPartition::new("test", 1),
            TopicPartition::new("test", 0),
        ];
        let bytes = encode_subscription(&["test".into(), "other".into()], &owned);
        let (topics, got) = decode_subscription(&bytes).expect("decodes");
        assert_eq!(topics, vec!["test".to_string(), "other".to_string()]);
        assert_eq!(got.len(), 2);
        assert!(got.contains(&TopicPartition::new("test", 0)));
    }

    #[test]
    fn assignment_round_trips_and_empty_bytes_mean_nothing_assigned() {
        let tps = vec![TopicPartition::new("a", 0), TopicPartition::new("a", 2)];
        assert_eq!(decode_assignment(&encode_assignment(&tps)), Some(tps));
        assert_eq!(decode_assignment(&[]), Some(Vec::new()));
        assert_eq!(decode_assignment(&[0xff]), None);
    }

    #[test]
    fn kafka_python_v0_subscription_decodes() {
        // version 0, topics ["test"], user_data null — as kafka-python writes it.
        let bytes = [
            0, 0, 0, 0, 0, 1, 0, 4, b't', b'e', b's', b't', 0xff, 0xff, 0xff, 0xff,
        ];
        let (topics, owned) = decode_subscription(&bytes).expect("decodes");
        assert_eq!(topics, vec!["test".to_string()]);
        assert!(owned.is_empty());
    }
}
