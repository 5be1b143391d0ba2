//! Named scenarios of the cluster core: failover, ISR changes, acks, truncation, unclean election.

mod common;

use common::{TestLab, replica_values, tp};
use kafka_lab::cluster::error::KafkaError;
use kafka_lab::cluster::event::EventKind;
use kafka_lab::cluster::lab::{Cluster, ProduceOutcome};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::{Acks, TopicPartition};
use kafka_lab::log::batch::encode_batch;

fn batch(n: usize, tag: &str) -> bytes::Bytes {
    let recs: Vec<_> = (0..n)
        .map(|i| (None, bytes::Bytes::from(format!("{tag}-{i}")), 1_000))
        .collect();
    encode_batch(&recs)
}

fn produce(lab: &mut Cluster, tp: &TopicPartition, n: usize, acks: Acks) -> ProduceOutcome {
    let leader = lab.leader_of(tp).expect("leader");
    lab.produce(leader, tp, &batch(n, "r"), acks, 30_000)
}

fn lab_with_topic(seed: u64, rf: i16, min_isr: i16, unclean: bool) -> TestLab {
    // Dedicated controllers: some of these faults take two brokers down, which in combined mode
    // would take the controller quorum with them.
    let mut t = TestLab::new(3, seed, |c| {
        c.controllers = 3;
        c.unclean_leader_election = unclean;
        c.auto_leader_rebalance = false;
    });
    let mut spec = TopicSpec::new("test", 2, rf);
    spec.min_insync_replicas = min_isr;
    t.lab.create_topic(spec).expect("topic");
    t.run_for(100);
    t
}

fn wait_ack(t: &mut TestLab, outcome: ProduceOutcome) -> Result<i64, KafkaError> {
    match outcome {
        ProduceOutcome::Done(r) => r.map(|a| a.last_offset),
        ProduceOutcome::Pending(ticket) => {
            for _ in 0..10_000 {
                if let Some(r) = t.lab.take_completion(ticket) {
                    return r.map(|a| a.last_offset);
                }
                t.run_for(10);
            }
            panic!("produce never completed");
        }
    }
}

/// Every broker of the 3-broker lab holds exactly `n` records of `tp`.
fn assert_every_replica_has(lab: &Cluster, tp: &TopicPartition, n: usize) {
    for b in 1..=3 {
        assert_eq!(replica_values(lab, b, tp, n as i64).len(), n, "broker {b}");
    }
}

#[test]
fn replicas_spread_leaders_like_the_article() {
    let t = lab_with_topic(1, 3, 1, false);
    let l0 = t.lab.leader_of(&tp("test", 0)).unwrap();
    let l1 = t.lab.leader_of(&tp("test", 1)).unwrap();
    assert_ne!(
        l0, l1,
        "two partitions on three brokers get different leaders"
    );
    for p in 0..2 {
        let meta = t.lab.partition(&tp("test", p)).unwrap();
        assert_eq!(meta.replicas.len(), 3);
        assert_eq!(meta.isr.len(), 3);
    }
}

#[test]
fn acks_all_completes_when_hw_passes_and_followers_have_it() {
    let mut t = lab_with_topic(2, 3, 2, false);
    let p0 = tp("test", 0);
    let out = produce(&mut t.lab, &p0, 10, Acks::All);
    assert!(matches!(out, ProduceOutcome::Pending(_)));
    assert_eq!(wait_ack(&mut t, out), Ok(9));
    assert!(t.lab.high_watermark(&p0).unwrap() >= 10);
    assert_every_replica_has(&t.lab, &p0, 10);
}

#[test]
fn leader_fails_over_to_isr_member() {
    let mut t = lab_with_topic(3, 3, 1, false);
    let p0 = tp("test", 0);
    let out = produce(&mut t.lab, &p0, 20, Acks::All);
    wait_ack(&mut t, out).unwrap();
    let old = t.lab.partition(&p0).unwrap().clone();
    let leader = old.leader.unwrap();
    t.lab.kill_broker(leader).unwrap();
    // Nothing changes until the controller notices the expired session.
    t.run_for(2_000);
    assert_eq!(t.lab.leader_of(&p0), Some(leader));
    let session = t.lab.config().broker_session_timeout_ms;
    assert!(t.run_until(session + 1_000, |l| l.leader_of(&p0) != Some(leader)));
    let new = t.lab.partition(&p0).unwrap();
    let new_leader = new.leader.unwrap();
    assert!(old.isr.contains(&new_leader));
    assert!(new.leader_epoch > old.leader_epoch);
    assert!(!new.isr.contains(&leader));
    // Every acknowledged record is still there on the new leader.
    assert_eq!(replica_values(&t.lab, new_leader, &p0, 20).len(), 20);
    assert!(
        !t.events_where(
            |e| matches!(e, EventKind::LeaderElected { leader: l, .. } if *l == new_leader)
        )
        .is_empty()
    );
}

#[test]
fn slow_follower_leaves_isr_and_rejoins() {
    let mut t = lab_with_topic(4, 3, 1, false);
    let p0 = tp("test", 0);
    let follower = t.lab.partition(&p0).unwrap().followers()[0];
    t.lab.set_broker_slow(follower, true).unwrap();
    let lag = t.lab.config().replica_lag_time_max_ms;
    // Keep producing so the follower falls behind.
    for _ in 0..(lag / 500 + 4) {
        let _ = produce(&mut t.lab, &p0, 5, Acks::Leader);
        t.run_for(500);
    }
    assert!(
        !t.lab.partition(&p0).unwrap().isr.contains(&follower),
        "{}",
        t.story()
    );
    assert!(
        !t.events_where(
            |e| matches!(e, EventKind::IsrShrunk { removed, .. } if removed.contains(&follower))
        )
        .is_empty()
    );
    t.lab.set_broker_slow(follower, false).unwrap();
    assert!(t.run_until(5_000, |l| l.partition(&p0).unwrap().isr.contains(&follower)));
    assert!(
        !t.events_where(
            |e| matches!(e, EventKind::IsrExpanded { added, .. } if added.contains(&follower))
        )
        .is_empty()
    );
}

#[test]
fn acks_all_fails_below_min_insync_replicas() {
    let mut t = lab_with_topic(5, 3, 2, false);
    let p0 = tp("test", 0);
    let meta = t.lab.partition(&p0).unwrap().clone();
    let followers: Vec<i32> = meta
        .replicas
        .iter()
        .copied()
        .filter(|b| Some(*b) != meta.leader)
        .collect();
    // One follower out of the ISR: acks=all still succeeds with RF=3, min.insync.replicas=2.
    t.lab.set_broker_slow(followers[0], true).unwrap();
    let lag = t.lab.config().replica_lag_time_max_ms;
    t.run_for(lag + 1_000);
    assert_eq!(t.lab.partition(&p0).unwrap().isr.len(), 2);
    let out = produce(&mut t.lab, &p0, 3, Acks::All);
    assert!(wait_ack(&mut t, out).is_ok());
    // Both followers out: the ISR is below min.insync.replicas.
    t.lab.set_broker_slow(followers[1], true).unwrap();
    t.run_for(lag + 1_000);
    assert_eq!(t.lab.partition(&p0).unwrap().isr.len(), 1);
    let out = produce(&mut t.lab, &p0, 3, Acks::All);
    assert_eq!(
        out,
        ProduceOutcome::Done(Err(KafkaError::NotEnoughReplicas))
    );
    // acks=1 does not care.
    let out = produce(&mut t.lab, &p0, 3, Acks::Leader);
    assert!(matches!(out, ProduceOutcome::Done(Ok(_))));
    // And the HW does not advance while the ISR is below min.insync.replicas.
    let hw = t.lab.high_watermark(&p0).unwrap();
    t.run_for(1_000);
    assert_eq!(t.lab.high_watermark(&p0).unwrap(), hw);
}

#[test]
fn restarted_broker_truncates_divergent_tail() {
    let mut t = lab_with_topic(6, 3, 1, false);
    let p0 = tp("test", 0);
    let out = produce(&mut t.lab, &p0, 10, Acks::All);
    wait_ack(&mut t, out).unwrap();
    let meta = t.lab.partition(&p0).unwrap().clone();
    let old_leader = meta.leader.unwrap();
    let followers = meta.followers();
    for f in &followers {
        t.lab.set_broker_slow(*f, true).unwrap();
    }
    // Five records only the old leader gets (acks=1): its divergent tail.
    let out = produce(&mut t.lab, &p0, 5, Acks::Leader);
    assert!(matches!(out, ProduceOutcome::Done(Ok(_))));
    t.run_for(100);
    t.lab.kill_broker(old_leader).unwrap();
    for f in &followers {
        t.lab.set_broker_slow(*f, false).unwrap();
    }
    let session = t.lab.config().broker_session_timeout_ms;
    assert!(t.run_until(session + 2_000, |l| {
        l.leader_of(&p0).is_some_and(|b| b != old_leader)
    }));
    let new_leader = t.lab.leader_of(&p0).unwrap();
    let out = produce(&mut t.lab, &p0, 3, Acks::All);
    assert_eq!(wait_ack(&mut t, out), Ok(12));
    t.lab.restart_broker(old_leader).unwrap();
    assert!(t.run_until(5_000, |l| l.replica_leo(old_leader, &p0) == Some(13)));
    let truncations = t.events_where(|e| matches!(e, EventKind::LogTruncated { broker, records_dropped: 5, .. } if *broker == old_leader));
    assert_eq!(truncations.len(), 1, "{}", t.story());
    assert_eq!(
        replica_values(&t.lab, old_leader, &p0, 13),
        replica_values(&t.lab, new_leader, &p0, 13)
    );
}

#[test]
fn restarted_follower_says_how_far_behind_it_starts() {
    let mut t = lab_with_topic(8, 3, 1, false);
    let p0 = tp("test", 0);
    let meta = t.lab.partition(&p0).unwrap().clone();
    let follower = meta.followers()[0];
    t.lab.kill_broker(follower).unwrap();
    let out = produce(&mut t.lab, &p0, 7, Acks::Leader);
    assert!(matches!(out, ProduceOutcome::Done(Ok(_))));
    t.run_for(100);
    t.lab.restart_broker(follower).unwrap();
    t.run_for(1);
    let notes = t.events_where(|e| {
        matches!(e, EventKind::Note { text } if text.to_string().contains(&format!("broker {follower} restarts behind")) && text.to_string().contains("test-0 by 7"))
    });
    assert_eq!(notes.len(), 1, "{}", t.story());
}

#[test]
fn unclean_election_reports_lost_records() {
    let mut t = lab_with_topic(7, 2, 1, true);
    let p0 = tp("test", 0);
    let meta = t.lab.partition(&p0).unwrap().clone();
    let leader = meta.leader.unwrap();
    let follower = *meta.replicas.iter().find(|b| **b != leader).unwrap();
    t.lab.set_broker_slow(follower, true).unwrap();
    let lag = t.lab.config().replica_lag_time_max_ms;
    t.run_for(lag + 1_000);
    assert_eq!(t.lab.partition(&p0).unwrap().isr, vec![leader]);
    let follower_leo = t.lab.replica_leo(follower, &p0).unwrap();
    let out = produce(&mut t.lab, &p0, 20, Acks::Leader);
    assert!(matches!(out, ProduceOutcome::Done(Ok(_))));
    let leader_leo = t.lab.replica_leo(leader, &p0).unwrap();
    t.lab.set_broker_slow(follower, false).unwrap();
    t.lab.kill_broker(leader).unwrap();
    let session = t.lab.config().broker_session_timeout_ms;
    assert!(t.run_until(session + 2_000, |l| l.leader_of(&p0) == Some(follower)));
    let lost: Vec<i64> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::UncleanLeaderElected { records_lost, .. } => Some(*records_lost),
            _ => None,
        })
        .collect();
    assert_eq!(lost, vec![leader_leo - follower_leo], "{}", t.story());
    assert!(leader_leo - follower_leo >= 20);
}

#[test]
fn offline_partition_without_unclean_election_waits_for_isr_member() {
    let mut t = lab_with_topic(8, 2, 1, false);
    let p0 = tp("test", 0);
    let meta = t.lab.partition(&p0).unwrap().clone();
    let leader = meta.leader.unwrap();
    let follower = *meta.replicas.iter().find(|b| **b != leader).unwrap();
    t.lab.set_broker_slow(follower, true).unwrap();
    t.run_for(t.lab.config().replica_lag_time_max_ms + 1_000);
    t.lab.set_broker_slow(follower, false).unwrap();
    t.lab.kill_broker(leader).unwrap();
    t.run_for(t.lab.config().broker_session_timeout_ms + 1_000);
    assert_eq!(t.lab.leader_of(&p0), None, "{}", t.story());
    assert!(
        !t.events_where(|e| matches!(e, EventKind::PartitionOffline { .. }))
            .is_empty()
    );
    t.lab.restart_broker(leader).unwrap();
    // It registers fenced: the partition stays offline until its first heartbeat unfences it.
    t.run_for(100);
    assert_eq!(t.lab.leader_of(&p0), None, "a fenced broker cannot lead");
    let heartbeat = t.lab.config().broker_heartbeat_interval_ms;
    t.run_for(heartbeat);
    assert_eq!(t.lab.leader_of(&p0), Some(leader));
}

#[test]
fn controlled_shutdown_moves_leadership_without_waiting() {
    let mut t = lab_with_topic(9, 3, 1, false);
    let p0 = tp("test", 0);
    let leader = t.lab.leader_of(&p0).unwrap();
    t.lab.shutdown_broker(leader).unwrap();
    let new = t.lab.leader_of(&p0).unwrap();
    assert_ne!(new, leader, "leadership moves at once, no session timeout");
    t.run_for(2_000);
    assert!(
        t.events_where(|e| matches!(e, EventKind::BrokerStopped { broker } if *broker == leader))
            .len()
            == 1
    );
}

#[test]
fn controller_moves_when_its_broker_dies() {
    // Combined mode: brokers 1-3 are the controllers; the other two elect a new one by vote once
    // the fetch timeout passes, within a couple of randomised election timeouts.
    let mut t = TestLab::new(3, 10, |_| {});
    let c = t.lab.controller().unwrap();
    t.lab.kill_broker(c).unwrap();
    let cfg = t.lab.config();
    let bound =
        cfg.controller_quorum_fetch_timeout_ms + 4 * cfg.controller_quorum_election_timeout_ms;
    assert!(t.run_until(bound, |l| l.controller().is_some_and(|x| x != c)));
}

#[test]
fn preferred_leader_returns_after_restart() {
    let mut t = TestLab::new(3, 11, |_| {});
    t.lab.create_topic(TopicSpec::new("test", 2, 3)).unwrap();
    t.run_for(100);
    let p0 = tp("test", 0);
    let preferred = t.lab.partition(&p0).unwrap().replicas[0];
    assert_eq!(t.lab.leader_of(&p0), Some(preferred));
    t.lab.shutdown_broker(preferred).unwrap();
    t.run_for(2_000);
    t.lab.restart_broker(preferred).unwrap();
    let interval = t.lab.config().leader_imbalance_check_interval_ms;
    assert!(
        t.run_until(interval * 2 + 2_000, |l| l.leader_of(&p0)
            == Some(preferred)),
        "{}",
        t.story()
    );
}

#[test]
fn same_seed_same_story() {
    fn story(seed: u64) -> Vec<String> {
        let mut t = lab_with_topic(seed, 3, 2, false);
        let p0 = tp("test", 0);
        let _ = t
            .lab
            .spawn_producer(kafka_lab::clients::spec::ProducerSpec::new("test", 50.0));
        t.run_for(3_000);
        let leader = t.lab.leader_of(&p0).unwrap();
        t.lab.kill_broker(leader).unwrap();
        t.run_for(15_000);
        t.lab.restart_broker(leader).unwrap();
        t.run_for(5_000);
        t.events.iter().map(|e| e.to_string()).collect()
    }
    assert_eq!(story(42), story(42));
}

#[test]
fn replicate_waiting_commits_acks_all_at_the_same_instant() {
    let mut t = lab_with_topic(11, 3, 2, false);
    let p0 = tp("test", 0);
    let before = t.lab.now_ms();
    let ProduceOutcome::Pending(ticket) = produce(&mut t.lab, &p0, 10, Acks::All) else {
        panic!("acks=all with three replicas waits for the followers");
    };
    assert_eq!(t.lab.take_completion(ticket), None);
    t.lab.replicate_waiting();
    assert_eq!(t.lab.now_ms(), before, "no simulated time passes");
    let ack = t.lab.take_completion(ticket).expect("completed").unwrap();
    assert_eq!((ack.base_offset, ack.last_offset), (0, 9));
    assert_eq!(t.lab.high_watermark(&p0), Some(10));
    assert_every_replica_has(&t.lab, &p0, 10);
}

#[test]
fn replicate_waiting_does_not_commit_past_a_slow_isr_follower() {
    let mut t = lab_with_topic(12, 3, 2, false);
    let p0 = tp("test", 0);
    let slow = t.lab.partition(&p0).unwrap().followers()[0];
    t.lab.set_broker_slow(slow, true).unwrap();
    let ProduceOutcome::Pending(ticket) = produce(&mut t.lab, &p0, 5, Acks::All) else {
        panic!("acks=all waits");
    };
    t.lab.replicate_waiting();
    // The slow follower is still in the ISR, so the HW cannot pass what it has.
    assert!(t.lab.partition(&p0).unwrap().isr.contains(&slow));
    assert_eq!(t.lab.take_completion(ticket), None);
    assert_eq!(t.lab.high_watermark(&p0), Some(0));
    assert_eq!(replica_values(&t.lab, slow, &p0, 5).len(), 0);
    // Once replica.lag.time.max.ms drops it from the ISR, the rest commits the write.
    let lag = t.lab.config().replica_lag_time_max_ms;
    assert!(t.run_until(lag + 2_000, |l| {
        !l.partition(&p0).unwrap().isr.contains(&slow)
    }));
    t.lab.replicate_waiting();
    assert!(t.lab.high_watermark(&p0).unwrap() >= 5);
}

#[test]
fn replicate_waiting_without_waiting_produces_changes_nothing() {
    let mut t = lab_with_topic(13, 3, 1, false);
    let p0 = tp("test", 0);
    let _ = produce(&mut t.lab, &p0, 5, Acks::Leader);
    let follower = t.lab.partition(&p0).unwrap().followers()[0];
    t.lab.replicate_waiting();
    // acks=1 records reach followers on their next fetch step, not through this call.
    assert_eq!(replica_values(&t.lab, follower, &p0, 5).len(), 0);
    assert_eq!(t.lab.high_watermark(&p0), Some(0));
}

/// Recovery a room can follow: a restarted broker is fenced until its first heartbeat
/// (`broker.heartbeat.interval.ms`), out of the ISR and not fetching; then it fetches at most
/// `replica.fetch.max.bytes` per fetch round, so its LEO climbs in steps until it rejoins the ISR,
/// and the timeline says when and how much it caught up.
#[test]
fn restarted_follower_is_fenced_then_catches_up_fetch_by_fetch() {
    let mut t = TestLab::new(3, 21, |c| {
        c.auto_leader_rebalance = false;
        c.replica_fetch_max_bytes = 2_048;
    });
    t.lab.create_topic(TopicSpec::new("test", 2, 3)).unwrap();
    t.run_for(100);
    let p0 = tp("test", 0);
    let follower = t.lab.partition(&p0).unwrap().followers()[0];
    t.lab.kill_broker(follower).unwrap();
    for _ in 0..40 {
        let out = produce(&mut t.lab, &p0, 10, Acks::Leader);
        assert!(matches!(out, ProduceOutcome::Done(Ok(_))));
    }
    t.run_for(100);
    let leader_leo = t
        .lab
        .replica_leo(t.lab.leader_of(&p0).unwrap(), &p0)
        .unwrap();
    assert_eq!(leader_leo, 400);
    t.lab.restart_broker(follower).unwrap();
    let start_leo = t.lab.replica_leo(follower, &p0).unwrap();
    assert_eq!(start_leo, 0, "it missed everything");
    let started = t.lab.now_ms();
    let mut leos = vec![start_leo];
    let mut rejoined_at = None;
    while t.lab.now_ms() < started + 10_000 {
        t.run_for(t.lab.config().step_ms);
        let leo = t.lab.replica_leo(follower, &p0).unwrap();
        if leo != *leos.last().unwrap() {
            leos.push(leo);
        }
        if t.lab.partition(&p0).unwrap().isr.contains(&follower) {
            rejoined_at = Some(t.lab.now_ms());
            break;
        }
    }
    let rejoined_at = rejoined_at.unwrap_or_else(|| panic!("never rejoined:\n{}", t.story()));
    let heartbeat = t.lab.config().broker_heartbeat_interval_ms;
    assert!(
        rejoined_at - started >= heartbeat,
        "out of the ISR for {} ms, fenced for a heartbeat interval at least",
        rejoined_at - started
    );
    assert!(
        leos.len() >= 5 && leos.windows(2).all(|w| w[0] < w[1]),
        "the LEO climbs fetch by fetch, 2 KiB at a time: {leos:?}"
    );
    assert_eq!(*leos.last().unwrap(), 400);
    let unfenced = t.events_where(|e| {
        matches!(e, EventKind::BrokerUnfenced { broker, fenced_ms } if *broker == follower && *fenced_ms == heartbeat)
    });
    assert_eq!(unfenced.len(), 1, "{}", t.story());
    let caught_up: Vec<(i64, i64)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ReplicaCaughtUp {
                tp,
                broker,
                after_ms,
                records,
            } if *tp == p0 && *broker == follower => Some((*after_ms, *records)),
            _ => None,
        })
        .collect();
    assert_eq!(
        caught_up,
        vec![(rejoined_at - started, 400)],
        "{}",
        t.story()
    );
    let line = t
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::ReplicaCaughtUp { .. }))
        .unwrap()
        .to_string();
    assert!(
        line.contains("rejoined the ISR") && line.contains("caught up 400 records"),
        "{line}"
    );
}
