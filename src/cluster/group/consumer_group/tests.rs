//! KIP-848 reconciliation: joins, incremental handover without a barrier, fencing, timeouts.

use super::*;
use crate::cluster::event::{EventKind, RemovalReason};

fn topics() -> BTreeMap<String, i32> {
    [("t".to_string(), 4)].into_iter().collect()
}

fn tps(ps: &[i32]) -> Vec<TopicPartition> {
    ps.iter().map(|p| TopicPartition::new("t", *p)).collect()
}

fn join(g: &mut ConsumerGroup, id: &str, now: i64) -> HeartbeatAnswer {
    hb(g, id, 0, Some(vec![]), now).expect("join")
}

fn hb(
    g: &mut ConsumerGroup,
    id: &str,
    epoch: i32,
    owned: Option<Vec<TopicPartition>>,
    now: i64,
) -> Result<HeartbeatAnswer, KafkaError> {
    let mut out = Vec::new();
    g.heartbeat(
        "g",
        ConsumerHeartbeat {
            member_id: id.into(),
            member_epoch: epoch,
            client_id: id.into(),
            rebalance_timeout_ms: 300_000,
            topics: (epoch == 0).then(|| vec!["t".to_string()]),
            assignor: None,
            owned,
            instance_id: None,
            topic_regex: None,
        },
        &topics(),
        10_000,
        2_000,
        now,
        &mut out,
    )
}

/// No partition is in two members' hands (assigned or still being revoked).
fn exclusive(g: &ConsumerGroup) {
    let mut seen = BTreeSet::new();
    for m in g.members.values() {
        for tp in m.assigned.iter().chain(&m.revoking) {
            assert!(seen.insert(tp.clone()), "{tp} held twice: {:?}", g.members);
        }
    }
}

#[test]
fn first_member_gets_every_partition_at_epoch_one() {
    let mut g = ConsumerGroup::default();
    let a = join(&mut g, "A", 0);
    assert_eq!(a.member_epoch, 1);
    assert_eq!(a.assignment, Some(tps(&[0, 1, 2, 3])));
    assert_eq!(g.group_epoch, 1);
    assert_eq!(g.state_name(), "Stable");
}

#[test]
fn a_joining_member_waits_for_released_partitions_while_the_other_keeps_the_rest() {
    let mut g = ConsumerGroup::default();
    join(&mut g, "A", 0);
    let b = join(&mut g, "B", 100);
    // B is at the new epoch but gets nothing yet: A still holds its target's partitions.
    assert_eq!(b.member_epoch, 2);
    assert_eq!(b.assignment, Some(vec![]));
    assert_eq!(g.members["B"].state, MemberState::UnreleasedPartitions);
    assert_eq!(g.state_name(), "Reconciling");
    exclusive(&g);
    // A's heartbeat: it is told to keep two and revoke two; its epoch waits.
    let a = hb(&mut g, "A", 1, Some(tps(&[0, 1, 2, 3])), 200).expect("hb");
    assert_eq!(a.member_epoch, 1);
    let kept = a.assignment.expect("new assignment");
    assert_eq!(kept.len(), 2);
    assert_eq!(g.members["A"].revoking.len(), 2);
    exclusive(&g);
    // A confirms it revoked: it reaches epoch 2.
    let a = hb(&mut g, "A", 1, Some(kept.clone()), 300).expect("hb");
    assert_eq!(a.member_epoch, 2);
    // B's next heartbeat takes the released partitions.
    let b = hb(&mut g, "B", 2, Some(vec![]), 400).expect("hb");
    let got = b.assignment.expect("assignment");
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|tp| !kept.contains(tp)));
    assert_eq!(g.state_name(), "Stable");
    exclusive(&g);
}

#[test]
fn a_crashed_member_is_removed_at_the_session_timeout_and_only_its_partitions_move() {
    let mut g = ConsumerGroup::default();
    join(&mut g, "A", 0);
    join(&mut g, "B", 0);
    let a = hb(&mut g, "A", 1, Some(tps(&[0, 1, 2, 3])), 0).expect("hb");
    let kept = a.assignment.expect("kept");
    hb(&mut g, "A", 1, Some(kept.clone()), 0).expect("hb");
    hb(&mut g, "B", 2, Some(vec![]), 0).expect("hb");
    let b_owned = g.members["B"].assigned.clone();
    // B crashes; A keeps heartbeating.
    let mut out = Vec::new();
    g.expire("g", &topics(), 9_000, &mut out);
    assert_eq!(
        g.members.len(),
        2,
        "not before group.consumer.session.timeout.ms"
    );
    hb(&mut g, "A", 2, Some(kept.clone()), 9_000).expect("hb");
    g.expire("g", &topics(), 10_001, &mut out);
    assert_eq!(g.members.len(), 1);
    assert!(
        out.iter()
            .any(|e| matches!(e, EventKind::MemberRemoved { .. }))
    );
    // A never revokes anything: it just gains B's partitions.
    let a = hb(&mut g, "A", 2, Some(kept.clone()), 10_100).expect("hb");
    assert_eq!(a.member_epoch, 3);
    let mut all = kept;
    all.extend(b_owned);
    all.sort();
    assert_eq!(a.assignment, Some(all));
    assert!(g.members["A"].revoking.is_empty());
}

#[test]
fn a_wrong_epoch_is_fenced_and_an_unknown_member_refused() {
    let mut g = ConsumerGroup::default();
    join(&mut g, "A", 0);
    assert_eq!(
        hb(&mut g, "A", 7, Some(vec![]), 10),
        Err(KafkaError::FencedMemberEpoch)
    );
    assert_eq!(
        hb(&mut g, "Z", 1, Some(vec![]), 10),
        Err(KafkaError::UnknownMemberId)
    );
    assert_eq!(
        g.validate_offset_request("A", 0),
        Err(KafkaError::StaleMemberEpoch)
    );
    assert_eq!(g.validate_offset_request("A", 1), Ok(()));
}

#[test]
fn leaving_with_epoch_minus_one_hands_partitions_over_at_once() {
    let mut g = ConsumerGroup::default();
    join(&mut g, "A", 0);
    join(&mut g, "B", 0);
    let a = hb(&mut g, "A", LEAVE_GROUP_MEMBER_EPOCH, None, 10).expect("leave");
    assert_eq!(a.member_epoch, LEAVE_GROUP_MEMBER_EPOCH);
    let b = hb(&mut g, "B", 2, Some(vec![]), 20).expect("hb");
    assert_eq!(b.assignment, Some(tps(&[0, 1, 2, 3])));
}

#[test]
fn range_is_chosen_when_members_ask_for_it_and_unknown_assignors_are_refused() {
    let mut g = ConsumerGroup::default();
    let mut out = Vec::new();
    let req = |id: &str, assignor: &str| ConsumerHeartbeat {
        member_id: id.into(),
        member_epoch: 0,
        client_id: id.into(),
        rebalance_timeout_ms: 300_000,
        topics: Some(vec!["t".into()]),
        assignor: Some(assignor.into()),
        owned: Some(vec![]),
        instance_id: None,
        topic_regex: None,
    };
    g.heartbeat(
        "g",
        req("A", "range"),
        &topics(),
        10_000,
        2_000,
        0,
        &mut out,
    )
    .expect("join");
    assert_eq!(g.assignor, Some(ServerAssignor::Range));
    assert_eq!(
        g.heartbeat(
            "g",
            req("B", "sticky"),
            &topics(),
            10_000,
            2_000,
            0,
            &mut out
        ),
        Err(KafkaError::UnsupportedAssignor)
    );
}

/// Random joins, crashes and heartbeats: never a partition in two hands, member epochs never go
/// back, and with everyone heartbeating every partition ends up owned.
#[test]
fn random_membership_keeps_ownership_exclusive_and_converges() {
    use rand::{Rng, SeedableRng};
    for seed in 0..50u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut g = ConsumerGroup::default();
        let mut owned: BTreeMap<String, (i32, Vec<TopicPartition>)> = BTreeMap::new();
        let mut epochs: BTreeMap<String, i32> = BTreeMap::new();
        let mut now = 0;
        for step in 0..300 {
            now += 500;
            let names = ["A", "B", "C", "D"];
            let who = names[rng.random_range(0..names.len())];
            if step < 250 && rng.random_bool(0.05) {
                owned.remove(who);
                if g.members.contains_key(who) {
                    let _ = hb(&mut g, who, LEAVE_GROUP_MEMBER_EPOCH, None, now);
                }
            } else if let Some((epoch, held)) = owned.get(who).cloned() {
                match hb(&mut g, who, epoch, Some(held.clone()), now) {
                    Ok(a) => {
                        // The client gives up what is not listed, and takes what is.
                        let next = a.assignment.unwrap_or(held);
                        owned.insert(who.to_string(), (a.member_epoch, next));
                    }
                    Err(_) => {
                        owned.remove(who);
                    }
                }
            } else if step < 250 {
                let a = join(&mut g, who, now);
                owned.insert(
                    who.to_string(),
                    (a.member_epoch, a.assignment.unwrap_or_default()),
                );
            }
            let mut out = Vec::new();
            g.expire("g", &topics(), now, &mut out);
            owned.retain(|id, _| g.members.contains_key(id));
            exclusive(&g);
            // What clients hold is exclusive too.
            let mut seen = BTreeSet::new();
            for (_, held) in owned.values() {
                for tp in held {
                    assert!(seen.insert(tp.clone()), "seed {seed}: clients share {tp}");
                }
            }
            for (id, m) in &g.members {
                let last = epochs.insert(id.clone(), m.member_epoch).unwrap_or(0);
                assert!(
                    m.member_epoch >= last,
                    "seed {seed}: {id}'s epoch went back"
                );
            }
            for id in g.members.keys() {
                assert!(owned.contains_key(id));
            }
            epochs.retain(|id, _| g.members.contains_key(id));
        }
        if !g.members.is_empty() {
            let all: usize = g.members.values().map(|m| m.assigned.len()).sum();
            assert_eq!(all, 4, "seed {seed}: every partition owned once settled");
        }
    }
}

#[test]
fn a_static_member_away_past_its_session_is_removed_naming_the_broker_session_timeout() {
    let mut g = ConsumerGroup::default();
    let mut out = Vec::new();
    let req = |id: &str, epoch: i32| ConsumerHeartbeat {
        member_id: id.into(),
        member_epoch: epoch,
        client_id: id.into(),
        rebalance_timeout_ms: 300_000,
        topics: (epoch == 0).then(|| vec!["t".to_string()]),
        assignor: None,
        owned: (epoch == 0).then(Vec::new),
        instance_id: Some("i-1".into()),
        topic_regex: None,
    };
    g.heartbeat("g", req("S", 0), &topics(), 10_000, 2_000, 0, &mut out)
        .expect("join");
    join(&mut g, "B", 100);
    let left = g
        .heartbeat("g", req("S", -2), &topics(), 10_000, 2_000, 200, &mut out)
        .expect("static leave");
    assert_eq!(left.member_epoch, LEAVE_GROUP_STATIC_MEMBER_EPOCH);
    // Away, it keeps its place (no rebalance) until group.consumer.session.timeout.ms runs out.
    let epoch = g.group_epoch;
    let mut events = Vec::new();
    g.expire("g", &topics(), 10_100, &mut events);
    assert!(g.members.contains_key("S") && g.group_epoch == epoch);
    let b = &g.members["B"];
    let (b_epoch, b_owned) = (b.member_epoch, b.assigned.clone());
    hb(&mut g, "B", b_epoch, Some(b_owned), 10_150).expect("B heartbeats");
    g.expire("g", &topics(), 10_201, &mut events);
    assert!(!g.members.contains_key("S"));
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::MemberRemoved {
            reason: RemovalReason::ConsumerSessionTimeout {
                session_timeout_ms: 10_000
            },
            ..
        }
    )));
    assert_eq!(g.target.get("B").map(Vec::len), Some(4));
    exclusive(&g);
}
