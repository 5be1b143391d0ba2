//! What the group leader computes in the classic protocol: every member's assignment, from the
//! subscriptions JoinGroup handed it and the partition counts Metadata gave, with the lab's own
//! assignors (the same code the lab's coordinator runs for its simulated consumers).

use crate::cluster::group::assignor::{MemberSubscription, assign};
use crate::cluster::types::{AssignorKind, TopicPartition};
use crate::protocol::consumer_protocol::{decode_subscription, encode_assignment};
use bytes::Bytes;
use std::collections::BTreeMap;

/// The topics every member subscribed to (the leader asks Metadata for their partition counts).
pub fn subscribed_topics(members: &[(String, Bytes)]) -> Vec<String> {
    let mut topics: Vec<String> = members
        .iter()
        .filter_map(|(_, m)| decode_subscription(m))
        .flat_map(|(t, _)| t)
        .collect();
    topics.sort();
    topics.dedup();
    topics
}

/// Each member's assignment bytes for SyncGroup; a member whose subscription does not decode
/// gets nothing (as Kafka's leader would fail on it, this one carries on without it).
pub fn leader_assignment(
    kind: AssignorKind,
    members: &[(String, Bytes)],
    partitions: &BTreeMap<String, i32>,
) -> Vec<(String, Bytes)> {
    let subs: Vec<MemberSubscription> = members
        .iter()
        .filter_map(|(id, m)| {
            decode_subscription(m).map(|(topics, owned)| MemberSubscription {
                member_id: id.clone(),
                topics,
                owned,
            })
        })
        .collect();
    let out = assign(kind, &subs, partitions);
    members
        .iter()
        .map(|(id, _)| {
            let tps: &[TopicPartition] = out.get(id).map(Vec::as_slice).unwrap_or(&[]);
            (id.clone(), encode_assignment(tps))
        })
        .collect()
}

/// Whether a cooperative member must rejoin at once: the new assignment took partitions it
/// owned (KIP-429: they are revoked first, handed over in the next rebalance).
pub fn revoked(owned: &[TopicPartition], assigned: &[TopicPartition]) -> Vec<TopicPartition> {
    owned
        .iter()
        .filter(|tp| !assigned.contains(tp))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::consumer_protocol::{decode_assignment, encode_subscription};

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    #[test]
    fn the_leader_splits_a_topics_partitions_between_two_members_by_range() {
        let topics = vec!["t".to_string()];
        let members = vec![
            ("m-b".to_string(), encode_subscription(&topics, &[])),
            ("m-a".to_string(), encode_subscription(&topics, &[])),
        ];
        assert_eq!(subscribed_topics(&members), topics);
        let counts = BTreeMap::from([("t".to_string(), 3)]);
        let out = leader_assignment(AssignorKind::Range, &members, &counts);
        let got: BTreeMap<String, Vec<TopicPartition>> = out
            .iter()
            .map(|(m, b)| (m.clone(), decode_assignment(b).expect("assignment")))
            .collect();
        // Range sorts members by id: m-a gets the extra partition.
        assert_eq!(got["m-a"], vec![tp(0), tp(1)]);
        assert_eq!(got["m-b"], vec![tp(2)]);
    }

    #[test]
    fn a_cooperative_member_that_lost_a_partition_rejoins() {
        let topics = vec!["t".to_string()];
        let members = vec![
            (
                "m-a".to_string(),
                encode_subscription(&topics, &[tp(0), tp(1)]),
            ),
            ("m-b".to_string(), encode_subscription(&topics, &[])),
        ];
        let counts = BTreeMap::from([("t".to_string(), 2)]);
        let out = leader_assignment(AssignorKind::CooperativeSticky, &members, &counts);
        let a = decode_assignment(&out[0].1).expect("a");
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(revoked(&[tp(0), tp(1)], &a).len(), 1);
        assert!(revoked(&a, &a).is_empty());
    }
}
