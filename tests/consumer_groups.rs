//! The source article's three experiments (../shared/mission/DIGEST.md) and the group behaviour
//! around them, on simulated time: deterministic under a seed, no wall-clock waits.

mod common;

use common::groups::*;
use common::{TestLab, tp};
use kafka_lab::clients::spec::{CommitMode, ProducerSpec};
use kafka_lab::cluster::event::{EventKind, RemovalReason};
use kafka_lab::cluster::snapshot::GroupState;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::{AssignorKind, ClientId, TopicPartition};
use kafka_lab::lab::Lab;

#[test]
fn experiment_1_consumer_reads_what_producer_sends() {
    let mut t = lab_with_topic(1, 1);
    let c = t
        .lab
        .spawn_consumer(consumer(
            "consumer-A",
            CommitMode::Auto { interval_ms: 5_000 },
        ))
        .unwrap();
    let mut p = ProducerSpec::new("test", 50.0);
    p.client_id = Some("producer-1".into());
    let p = t.lab.spawn_producer(p).unwrap();
    t.run_for(10_000);
    t.lab.stop_producer(p).unwrap();
    let acked = t.lab.producer(p).unwrap().acknowledged;
    assert!(acked >= 400, "the producer ran: {acked} acknowledged");
    assert!(t.run_until(10_000, |l| l.consumer(c).unwrap().consumed == acked));
    // Every record arrives once, in order, with consecutive offsets and the producer's values.
    let history = &t.lab.consumer(c).unwrap().history;
    let log = common::replica_values(
        &t.lab,
        t.lab.leader_of(&tp("test", 0)).unwrap(),
        &tp("test", 0),
        acked as i64,
    );
    assert_eq!(history.len(), log.len());
    for (i, (r, (offset, value))) in history.iter().zip(&log).enumerate() {
        assert_eq!(r.offset, i as i64);
        assert_eq!(r.offset, *offset);
        assert_eq!(r.value.as_deref(), Some(value.as_slice()));
    }
    let first = String::from_utf8(history[0].value.clone().unwrap().to_vec()).unwrap();
    assert!(first.starts_with("producer-1#0"), "{first}");
}

/// Two consumers in one group on a 2-partition topic, each owning one partition; returns (A, B).
fn two_consumer_group(t: &mut TestLab) -> (ClientId, ClientId) {
    let a = t
        .lab
        .spawn_consumer(consumer(
            "consumer-A",
            CommitMode::Auto { interval_ms: 1_000 },
        ))
        .unwrap();
    let b = t
        .lab
        .spawn_consumer(consumer(
            "consumer-B",
            CommitMode::Auto { interval_ms: 1_000 },
        ))
        .unwrap();
    t.lab
        .spawn_producer(ProducerSpec::new("test", 20.0))
        .unwrap();
    assert!(t.run_until(15_000, |l| {
        group_state(l).is_some_and(|(s, _)| s == GroupState::Stable)
            && owned(l, a).len() == 1
            && owned(l, b).len() == 1
    }));
    assert_ne!(owned(&t.lab, a), owned(&t.lab, b));
    t.run_for(5_000);
    (a, b)
}

/// `moved_at_ms` per partition of the group, as the dashboard sees it.
fn moved_at(lab: &Lab) -> Vec<(TopicPartition, Option<i64>)> {
    let snap = lab.snapshot();
    let g = snap.groups.iter().find(|g| g.group_id == GROUP).unwrap();
    g.partitions
        .iter()
        .map(|p| (p.tp.clone(), p.moved_at_ms))
        .collect()
}

#[test]
fn first_assignment_is_not_a_move_and_a_handover_to_a_new_member_is() {
    let mut t = lab_with_topic(2, 5);
    let a = t
        .lab
        .spawn_consumer(consumer("consumer-A", CommitMode::Never))
        .unwrap();
    assert!(t.run_until(15_000, |l| owned(l, a).len() == 2));
    assert!(
        moved_at(&t.lab).iter().all(|(_, at)| at.is_none()),
        "{:?}",
        moved_at(&t.lab)
    );
    let b = t
        .lab
        .spawn_consumer(consumer("consumer-B", CommitMode::Never))
        .unwrap();
    assert!(t.run_until(15_000, |l| owned(l, a).len() == 1 && owned(l, b).len() == 1));
    let kept = owned(&t.lab, a)[0].clone();
    let handed = owned(&t.lab, b)[0].clone();
    for (tp, at) in moved_at(&t.lab) {
        if tp == kept {
            assert_eq!(at, None, "{tp} stayed with consumer-A");
        } else {
            assert_eq!(tp, handed);
            assert!(at.is_some(), "{tp} moved from consumer-A to consumer-B");
        }
    }
}

#[test]
fn experiment_2_killed_consumer_partition_moves_to_peer() {
    let mut t = lab_with_topic(2, 2);
    let (a, b) = two_consumer_group(&mut t);
    let a_part = owned(&t.lab, a)[0].clone();
    let (_, gen_before) = group_state(&t.lab).unwrap();
    t.lab.kill_consumer(a).unwrap();
    let killed_at = t.lab.now_ms();
    // Nothing happens until the session timeout, counted from A's last heartbeat (at most one
    // heartbeat.interval.ms before the kill): the coordinator cannot tell a crash from silence.
    t.run_for(10_000 - 3_000 - 100);
    assert_eq!(
        owned(&t.lab, b).len(),
        1,
        "B waits for A's session to expire"
    );
    assert_eq!(
        group_state(&t.lab).unwrap(),
        (GroupState::Stable, gen_before)
    );
    assert!(t.run_until(6_000, |l| owned(l, b).len() == 2));
    let took_over = t.lab.now_ms() - killed_at;
    assert!(
        (7_000..=10_100).contains(&took_over),
        "after session.timeout.ms=10000: {took_over} ms"
    );
    assert!(
        !t.events_where(|k| matches!(
            k,
            EventKind::MemberRemoved {
                reason: RemovalReason::SessionTimeout { .. },
                ..
            }
        ))
        .is_empty()
    );
    // B continues A's partition from the group's committed offset, without gaps.
    let committed = t
        .lab
        .group_coordinator()
        .group(GROUP)
        .unwrap()
        .committed
        .get(&a_part)
        .map(|c| c.offset)
        .expect("A committed");
    assert!(t.run_until(5_000, |l| !offsets_seen(l, b, &a_part).is_empty()));
    let seen = offsets_seen(&t.lab, b, &a_part);
    assert_eq!(seen[0], committed, "B starts where the group committed");
    assert!(
        seen.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, no gaps"
    );
    let a_last = offsets_seen(&t.lab, a, &a_part).last().copied().unwrap();
    assert!(committed <= a_last + 1, "at-least-once: nothing skipped");
}

#[test]
fn experiment_2_closed_consumer_hands_over_without_waiting_for_the_session_timeout() {
    let mut t = lab_with_topic(2, 3);
    let (a, b) = two_consumer_group(&mut t);
    t.lab.close_consumer(a).unwrap();
    let closed_at = t.lab.now_ms();
    assert!(t.run_until(10_000, |l| owned(l, b).len() == 2));
    let took = t.lab.now_ms() - closed_at;
    assert!(
        took < 4_000,
        "LeaveGroup rebalances at B's next heartbeat, not after 10 s: {took} ms"
    );
    assert!(
        !t.events_where(|k| matches!(
            k,
            EventKind::MemberRemoved {
                reason: RemovalReason::LeaveGroup,
                ..
            }
        ))
        .is_empty()
    );
}

#[test]
fn experiment_3_uncommitted_consumer_restarts_from_same_offset() {
    let mut t = lab_with_topic(1, 4);
    produce(&mut t, &tp("test", 0), &values(0..20));
    for round in 0..3 {
        let c = t
            .lab
            .spawn_consumer(consumer(&format!("run-{round}"), CommitMode::Never))
            .unwrap();
        assert!(t.run_until(15_000, |l| l.consumer(c).unwrap().consumed == 20));
        assert_eq!(
            offsets_seen(&t.lab, c, &tp("test", 0)),
            (0..20).collect::<Vec<_>>(),
            "round {round} starts over at offset 0"
        );
        t.lab.close_consumer(c).unwrap();
        t.run_for(1_000);
    }
    let g = t.lab.group_coordinator().group(GROUP).unwrap();
    assert!(g.committed.is_empty(), "nothing was ever committed");
}

#[test]
fn experiment_3_committing_consumer_resumes_after_restart() {
    let mut t = lab_with_topic(1, 5);
    produce(&mut t, &tp("test", 0), &values(0..20));
    let first = t
        .lab
        .spawn_consumer(consumer("run-0", CommitMode::EveryRecords { records: 1 }))
        .unwrap();
    assert!(t.run_until(15_000, |l| l.consumer(first).unwrap().consumed == 20));
    t.run_for(200);
    t.lab.close_consumer(first).unwrap();
    t.run_for(1_000);
    produce(&mut t, &tp("test", 0), &values(20..25));
    let second = t
        .lab
        .spawn_consumer(consumer("run-1", CommitMode::EveryRecords { records: 1 }))
        .unwrap();
    assert!(t.run_until(15_000, |l| l.consumer(second).unwrap().consumed == 5));
    t.run_for(2_000);
    assert_eq!(
        offsets_seen(&t.lab, second, &tp("test", 0)),
        (20..25).collect::<Vec<_>>(),
        "the restart resumes at the next record"
    );
    // The commits are records of __consumer_offsets, replicated like any topic.
    let offsets_tp = t.lab.offsets_partition(GROUP);
    assert!(t.lab.high_watermark(&offsets_tp).unwrap() >= 25);
}

/// How many partitions each PartitionsRevoked event gave up, in order.
fn revoked_counts(t: &TestLab) -> Vec<usize> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PartitionsRevoked { partitions, .. } => Some(partitions.len()),
            _ => None,
        })
        .collect()
}

#[test]
fn cooperative_sticky_revokes_only_what_moves_in_two_rebalances() {
    let mut t = TestLab::new(3, 6, |_| {});
    t.lab.create_topic(TopicSpec::new("test", 4, 3)).unwrap();
    t.run_for(500);
    let mut spec = consumer("coop-A", CommitMode::Auto { interval_ms: 1_000 });
    spec.assignor = AssignorKind::CooperativeSticky;
    let a = t.lab.spawn_consumer(spec.clone()).unwrap();
    assert!(t.run_until(10_000, |l| owned(l, a).len() == 4));
    let (_, gen_one) = group_state(&t.lab).unwrap();
    spec.client_id = Some("coop-B".into());
    let b = t.lab.spawn_consumer(spec).unwrap();
    assert!(t.run_until(20_000, |l| owned(l, b).len() == 2 && owned(l, a).len() == 2));
    let (state, gen_now) = group_state(&t.lab).unwrap();
    assert_eq!(state, GroupState::Stable);
    assert_eq!(gen_now, gen_one + 2, "two rebalances: revoke, then assign");
    // A gave up exactly the two partitions that moved, never all four.
    assert_eq!(revoked_counts(&t), vec![2]);
}

#[test]
fn eager_range_rebalance_revokes_everything_first() {
    let mut t = lab_with_topic(2, 7);
    let a = t
        .lab
        .spawn_consumer(consumer("eager-A", CommitMode::Auto { interval_ms: 1_000 }))
        .unwrap();
    assert!(t.run_until(10_000, |l| owned(l, a).len() == 2));
    let (_, gen_one) = group_state(&t.lab).unwrap();
    let b = t
        .lab
        .spawn_consumer(consumer("eager-B", CommitMode::Auto { interval_ms: 1_000 }))
        .unwrap();
    assert!(t.run_until(10_000, |l| owned(l, a).len() == 1 && owned(l, b).len() == 1));
    assert_eq!(
        group_state(&t.lab).unwrap(),
        (GroupState::Stable, gen_one + 1),
        "one rebalance"
    );
    let revoked: Vec<usize> = t
        .events_where(|k| matches!(k, EventKind::PartitionsRevoked { .. }))
        .iter()
        .map(|e| match &e.kind {
            EventKind::PartitionsRevoked { partitions, .. } => partitions.len(),
            _ => 0,
        })
        .collect();
    assert_eq!(
        revoked,
        vec![2],
        "eager: A gave up both partitions, even the one it keeps"
    );
}

#[test]
fn same_seed_same_group_story() {
    let run = || {
        let mut t = lab_with_topic(2, 42);
        let (a, _) = two_consumer_group(&mut t);
        t.lab.kill_consumer(a).unwrap();
        t.run_for(20_000);
        t.events.iter().map(|e| e.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn static_member_restarted_within_the_session_timeout_causes_no_rebalance() {
    let mut t = lab_with_topic(2, 9);
    let mut spec = consumer("static-A", CommitMode::Auto { interval_ms: 1_000 });
    spec.group_instance_id = Some("host-a".into());
    let a = t.lab.spawn_consumer(spec.clone()).unwrap();
    let mut other = consumer("dynamic-B", CommitMode::Auto { interval_ms: 1_000 });
    other.group_instance_id = None;
    let b = t.lab.spawn_consumer(other).unwrap();
    assert!(t.run_until(15_000, |l| owned(l, a).len() == 1 && owned(l, b).len() == 1));
    let before = owned(&t.lab, a);
    let (_, generation) = group_state(&t.lab).unwrap();
    let rebalances = |t: &TestLab| {
        t.events_where(|k| matches!(k, EventKind::RebalanceStarted { .. }))
            .len()
    };
    let started = rebalances(&t);
    t.lab.kill_consumer(a).unwrap();
    t.run_for(3_000);
    let a2 = t.lab.spawn_consumer(spec).unwrap();
    assert!(t.run_until(5_000, |l| owned(l, a2) == before));
    t.run_for(15_000);
    assert_eq!(
        rebalances(&t),
        started,
        "no rebalance: the same instance came back"
    );
    assert_eq!(
        group_state(&t.lab).unwrap(),
        (GroupState::Stable, generation)
    );
    assert_eq!(owned(&t.lab, a2), before);
}
