//! Partition assignors, as Kafka's consumers run them on the group leader: range, roundrobin,
//! sticky and cooperative-sticky. Pure functions of (members, topics) → assignment.

use crate::cluster::types::{AssignorKind, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

/// What the leader knows about one member when it assigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSubscription {
    /// Member id.
    pub member_id: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions the member owned before this rebalance (cooperative and sticky use it).
    pub owned: Vec<TopicPartition>,
}

/// Member id → assigned partitions (every member present, possibly with none).
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Runs `kind` over `members`; `partitions` gives each topic's partition count (unknown topics
/// are skipped, as Kafka skips topics without metadata).
pub fn assign(
    kind: AssignorKind,
    members: &[MemberSubscription],
    partitions: &BTreeMap<String, i32>,
) -> Assignment {
    let mut out = match kind {
        AssignorKind::Range => range(members, partitions),
        AssignorKind::RoundRobin => round_robin(members, partitions),
        AssignorKind::Sticky => sticky(members, partitions),
        AssignorKind::CooperativeSticky => cooperative(members, partitions),
    };
    for parts in out.values_mut() {
        parts.sort();
    }
    out
}

fn sorted_members(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let mut m: Vec<_> = members.iter().collect();
    m.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    m
}

fn empty(members: &[MemberSubscription]) -> Assignment {
    members
        .iter()
        .map(|m| (m.member_id.clone(), Vec::new()))
        .collect()
}

/// Every partition of every subscribed topic that exists, in (topic, partition) order.
fn all_partitions(
    members: &[MemberSubscription],
    partitions: &BTreeMap<String, i32>,
) -> Vec<TopicPartition> {
    let topics: BTreeSet<&String> = members.iter().flat_map(|m| &m.topics).collect();
    topics
        .into_iter()
        .filter_map(|t| partitions.get(t).map(|n| (t, *n)))
        .flat_map(|(t, n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p)))
        .collect()
}

/// Kafka's RangeAssignor: per topic, members sorted by id get contiguous ranges; the first
/// `partitions % members` get one extra.
fn range(members: &[MemberSubscription], partitions: &BTreeMap<String, i32>) -> Assignment {
    let mut out = empty(members);
    let topics: BTreeSet<&String> = members.iter().flat_map(|m| &m.topics).collect();
    for topic in topics {
        let Some(&n) = partitions.get(topic) else {
            continue;
        };
        let subs: Vec<_> = sorted_members(members)
            .into_iter()
            .filter(|m| m.topics.contains(topic))
            .collect();
        let k = subs.len() as i32;
        let (per, extra) = (n / k, n % k);
        for (i, m) in subs.iter().enumerate() {
            let i = i as i32;
            let start = per * i + i.min(extra);
            let len = per + i32::from(i < extra);
            let list = out.entry(m.member_id.clone()).or_default();
            list.extend((start..start + len).map(|p| TopicPartition::new(topic.clone(), p)));
        }
    }
    out
}

/// Kafka's RoundRobinAssignor: all partitions dealt in turn to members sorted by id, skipping
/// members not subscribed to the partition's topic.
fn round_robin(members: &[MemberSubscription], partitions: &BTreeMap<String, i32>) -> Assignment {
    let mut out = empty(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return out;
    }
    let mut next = 0;
    for tp in all_partitions(members, partitions) {
        for _ in 0..sorted.len() {
            let m = sorted[next % sorted.len()];
            next += 1;
            if m.topics.contains(&tp.topic) {
                out.entry(m.member_id.clone()).or_default().push(tp);
                break;
            }
        }
    }
    out
}

/// Sticky: balanced (counts differ by at most one among members with the same subscription),
/// keeping every partition with its previous owner when balance allows.
fn sticky(members: &[MemberSubscription], partitions: &BTreeMap<String, i32>) -> Assignment {
    let mut out = empty(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return out;
    }
    let all = all_partitions(members, partitions);
    let valid: BTreeSet<&TopicPartition> = all.iter().collect();
    let n = sorted.len();
    let (floor, extra) = (all.len() / n, all.len() % n);
    // Members that already own the most keep the extra slots: fewer moves.
    let mut by_owned: Vec<_> = sorted.clone();
    by_owned.sort_by_key(|m| std::cmp::Reverse(m.owned.len()));
    let quota: BTreeMap<&str, usize> = by_owned
        .iter()
        .enumerate()
        .map(|(i, m)| (m.member_id.as_str(), floor + usize::from(i < extra)))
        .collect();
    let mut taken: BTreeSet<TopicPartition> = BTreeSet::new();
    for m in &sorted {
        let list = out.entry(m.member_id.clone()).or_default();
        let mut owned = m.owned.clone();
        owned.sort();
        for tp in owned {
            if list.len() >= quota[m.member_id.as_str()] {
                break;
            }
            if valid.contains(&tp) && m.topics.contains(&tp.topic) && taken.insert(tp.clone()) {
                list.push(tp);
            }
        }
    }
    for tp in all {
        if taken.contains(&tp) {
            continue;
        }
        // The subscribed member furthest below its quota (then the least loaded) takes it.
        let pick = sorted
            .iter()
            .filter(|m| m.topics.contains(&tp.topic))
            .min_by_key(|m| {
                let have = out[&m.member_id].len();
                let q = quota[m.member_id.as_str()];
                (have >= q, have, m.member_id.clone())
            });
        if let Some(m) = pick {
            out.entry(m.member_id.clone()).or_default().push(tp.clone());
            taken.insert(tp);
        }
    }
    out
}

/// Cooperative sticky: the sticky target, except that a partition moving from one member to
/// another is left unassigned in this round; its old owner revokes it, rejoins, and the next
/// rebalance hands it to its new owner (KIP-429's two rebalances).
fn cooperative(members: &[MemberSubscription], partitions: &BTreeMap<String, i32>) -> Assignment {
    let mut target = sticky(members, partitions);
    let owner: BTreeMap<&TopicPartition, &str> = members
        .iter()
        .flat_map(|m| m.owned.iter().map(move |tp| (tp, m.member_id.as_str())))
        .collect();
    for (member, parts) in target.iter_mut() {
        parts.retain(|tp| owner.get(tp).is_none_or(|o| *o == member));
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, topics: &[&str], owned: &[(&str, i32)]) -> MemberSubscription {
        MemberSubscription {
            member_id: id.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned: owned
                .iter()
                .map(|(t, p)| TopicPartition::new(*t, *p))
                .collect(),
        }
    }

    fn names(a: &Assignment, m: &str) -> Vec<String> {
        a[m].iter().map(|tp| tp.to_string()).collect()
    }

    fn topics(list: &[(&str, i32)]) -> BTreeMap<String, i32> {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    #[test]
    fn range_gives_contiguous_ranges_per_topic_extra_to_the_first() {
        let m = [member("b", &["t"], &[]), member("a", &["t"], &[])];
        let a = assign(AssignorKind::Range, &m, &topics(&[("t", 3)]));
        assert_eq!(names(&a, "a"), ["t-0", "t-1"]);
        assert_eq!(names(&a, "b"), ["t-2"]);
    }

    #[test]
    fn range_is_per_topic_so_two_topics_stack_on_the_first_member() {
        let m = [member("a", &["x", "y"], &[]), member("b", &["x", "y"], &[])];
        let a = assign(AssignorKind::Range, &m, &topics(&[("x", 1), ("y", 1)]));
        assert_eq!(names(&a, "a"), ["x-0", "y-0"]);
        assert!(a["b"].is_empty());
    }

    #[test]
    fn roundrobin_deals_across_topics() {
        let m = [member("a", &["x", "y"], &[]), member("b", &["x", "y"], &[])];
        let a = assign(AssignorKind::RoundRobin, &m, &topics(&[("x", 1), ("y", 1)]));
        assert_eq!(names(&a, "a"), ["x-0"]);
        assert_eq!(names(&a, "b"), ["y-0"]);
    }

    #[test]
    fn sticky_keeps_owners_and_balances() {
        let m = [
            member("a", &["t"], &[("t", 0), ("t", 1), ("t", 2)]),
            member("b", &["t"], &[("t", 3)]),
            member("c", &["t"], &[]),
        ];
        let a = assign(AssignorKind::Sticky, &m, &topics(&[("t", 6)]));
        let sizes: Vec<usize> = ["a", "b", "c"].iter().map(|x| a[*x].len()).collect();
        assert_eq!(sizes, [2, 2, 2]);
        assert!(a["b"].contains(&TopicPartition::new("t", 3)), "b keeps t-3");
        assert_eq!(
            a["a"].iter().filter(|tp| tp.partition <= 2).count(),
            2,
            "a keeps two of its three"
        );
    }

    #[test]
    fn cooperative_withholds_moving_partitions_for_a_second_round() {
        let m = [
            member("a", &["t"], &[("t", 0), ("t", 1)]),
            member("b", &["t"], &[]),
        ];
        let first = assign(AssignorKind::CooperativeSticky, &m, &topics(&[("t", 2)]));
        assert_eq!(first["a"].len(), 1, "a keeps one and revokes the other");
        assert!(first["b"].is_empty(), "b waits for the revoked partition");
        let kept = first["a"][0].clone();
        let m2 = [
            member("a", &["t"], &[(&kept.topic, kept.partition)]),
            member("b", &["t"], &[]),
        ];
        let second = assign(AssignorKind::CooperativeSticky, &m2, &topics(&[("t", 2)]));
        assert_eq!(second["a"], vec![kept.clone()]);
        assert_eq!(second["b"].len(), 1);
        assert_ne!(second["b"][0], kept);
    }

    proptest::proptest! {
        #[test]
        fn every_assignor_assigns_each_partition_exactly_once(
            members in 1usize..6, parts in 0i32..20, kind in 0usize..3, seed in 0u64..1000,
        ) {
            let kind = [AssignorKind::Range, AssignorKind::RoundRobin, AssignorKind::Sticky][kind];
            let m: Vec<_> = (0..members)
                .map(|i| MemberSubscription {
                    member_id: format!("m{i}"),
                    topics: vec!["t".into()],
                    owned: (0..parts).filter(|p| (*p as u64 + seed) % members as u64 == i as u64)
                        .map(|p| TopicPartition::new("t", p)).collect(),
                })
                .collect();
            let a = assign(kind, &m, &topics(&[("t", parts)]));
            let mut seen: Vec<_> = a.values().flatten().cloned().collect();
            seen.sort();
            let want: Vec<_> = (0..parts).map(|p| TopicPartition::new("t", p)).collect();
            proptest::prop_assert_eq!(seen, want);
            let sizes: Vec<usize> = a.values().map(Vec::len).collect();
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            proptest::prop_assert!(hi - lo <= 1, "balanced: {sizes:?}");
        }
    }
}
