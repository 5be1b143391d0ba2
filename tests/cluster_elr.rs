//! Eligible leader replicas (KIP-966, Kafka 4.1's default): followers that leave the ISR while it
//! is below `min.insync.replicas` stay eligible, and when the ISR empties one of them is elected
//! cleanly — where Kafka before 4.1 (and the lab with ELR off) would leave the partition offline.

mod common;

use common::{TestLab, replica_values, tp};
use kafka_lab::cluster::error::KafkaError;
use kafka_lab::cluster::event::{ElectionSource, EventKind};
use kafka_lab::cluster::lab::{Cluster, ProduceOutcome};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::{Acks, BrokerId, TopicPartition};
use kafka_lab::log::batch::encode_batch;

fn lab(elr: bool, min_isr: i16) -> TestLab {
    // Dedicated controllers: these faults take two brokers down, which in combined mode would
    // take the controller quorum with them (the controller-quorum lesson's subject, not this one).
    let mut t = TestLab::new(3, 5, |c| {
        c.controllers = 3;
        c.eligible_leader_replicas = elr;
        c.auto_leader_rebalance = false;
        c.replica_lag_time_max_ms = 2_000;
        c.broker_session_timeout_ms = 3_000;
    });
    let mut spec = TopicSpec::new("test", 1, 3);
    spec.min_insync_replicas = min_isr;
    t.lab.create_topic(spec).expect("topic");
    t.run_for(200);
    t
}

fn produce(lab: &mut Cluster, p: &TopicPartition, n: usize) -> ProduceOutcome {
    let recs: Vec<_> = (0..n)
        .map(|i| (None, bytes::Bytes::from(format!("r-{i}")), 1_000))
        .collect();
    let leader = lab.leader_of(p).expect("leader");
    lab.produce(leader, p, &encode_batch(&recs), Acks::All, 30_000)
}

fn acked(t: &mut TestLab, outcome: ProduceOutcome) -> Result<i64, KafkaError> {
    match outcome {
        ProduceOutcome::Done(r) => r.map(|a| a.last_offset),
        ProduceOutcome::Pending(ticket) => {
            for _ in 0..1_000 {
                if let Some(r) = t.lab.take_completion(ticket) {
                    return r.map(|a| a.last_offset);
                }
                t.run_for(10);
            }
            panic!("produce never completed");
        }
    }
}

/// Writes 20 acknowledged records, then slows both followers until they leave the ISR; returns
/// the leader and the followers.
fn shrink_to_leader(t: &mut TestLab) -> (BrokerId, Vec<BrokerId>) {
    let p = tp("test", 0);
    let out = produce(&mut t.lab, &p, 20);
    assert_eq!(acked(t, out), Ok(19));
    let meta = t.lab.partition(&p).unwrap().clone();
    let leader = meta.leader.unwrap();
    let followers = meta.followers();
    for f in &followers {
        t.lab.set_broker_slow(*f, true).unwrap();
    }
    assert!(t.run_until(5_000, |l| l.partition(&p).unwrap().isr == vec![leader]));
    (leader, followers)
}

#[test]
fn followers_that_leave_below_min_isr_are_elected_cleanly_when_the_leader_dies() {
    let mut t = lab(true, 2);
    let p = tp("test", 0);
    let (leader, followers) = shrink_to_leader(&mut t);
    let mut elr = followers.clone();
    elr.sort();
    let snap = t.lab.snapshot();
    let mut shown = snap
        .partitions
        .iter()
        .find(|x| x.tp == p)
        .unwrap()
        .elr
        .clone();
    shown.sort();
    assert_eq!(shown, elr, "the snapshot shows both followers as eligible");
    // Below min ISR the leader refuses acks=all: nothing new can be acknowledged.
    let out = produce(&mut t.lab, &p, 1);
    assert_eq!(acked(&mut t, out), Err(KafkaError::NotEnoughReplicas));
    t.lab.kill_broker(leader).unwrap();
    assert!(t.run_until(5_000, |l| l.leader_of(&p).is_some_and(|b| b != leader)));
    let meta = t.lab.partition(&p).unwrap().clone();
    let new_leader = meta.leader.unwrap();
    assert!(followers.contains(&new_leader));
    assert_eq!(meta.isr, vec![new_leader]);
    assert!(meta.elr.contains(&leader) && !meta.elr.contains(&new_leader));
    assert!(
        !t.events_where(|e| matches!(
            e,
            EventKind::LeaderElected { leader: l, source: ElectionSource::Elr, .. } if *l == new_leader
        ))
        .is_empty(),
        "the election says it came from the ELR"
    );
    assert!(
        t.events_where(|e| matches!(e, EventKind::UncleanLeaderElected { .. }))
            .is_empty(),
        "a clean election, not an unclean one"
    );
    assert_eq!(replica_values(&t.lab, new_leader, &p, 20).len(), 20);
}

#[test]
fn without_elr_the_same_faults_leave_the_partition_offline() {
    let mut t = lab(false, 2);
    let p = tp("test", 0);
    let (leader, _) = shrink_to_leader(&mut t);
    assert!(t.lab.partition(&p).unwrap().elr.is_empty());
    t.lab.kill_broker(leader).unwrap();
    t.run_for(5_000);
    assert_eq!(t.lab.leader_of(&p), None);
    // The last ISR member stays in the ISR (KRaft before ELR), and leads again when back.
    assert_eq!(t.lab.partition(&p).unwrap().isr, vec![leader]);
}

#[test]
fn a_crashed_eligible_replica_loses_its_eligibility_a_stopped_one_keeps_it() {
    let mut t = lab(true, 2);
    let p = tp("test", 0);
    let (_, followers) = shrink_to_leader(&mut t);
    let (crashed, stopped) = (followers[0], followers[1]);
    t.lab.kill_broker(crashed).unwrap();
    t.lab.shutdown_broker(stopped).unwrap();
    t.run_for(5_000);
    // Checked as they register, before they catch up and rejoin the ISR (which clears the ELR).
    t.lab.restart_broker(crashed).unwrap();
    t.lab.restart_broker(stopped).unwrap();
    let meta = t.lab.partition(&p).unwrap();
    assert!(
        !meta.elr.contains(&crashed),
        "unclean shutdown: {:?}",
        meta.elr
    );
    assert!(
        meta.elr.contains(&stopped),
        "clean shutdown: {:?}",
        meta.elr
    );
}

#[test]
fn the_isr_back_at_min_isr_clears_the_elr() {
    let mut t = lab(true, 2);
    let p = tp("test", 0);
    let (_, followers) = shrink_to_leader(&mut t);
    t.lab.set_broker_slow(followers[0], false).unwrap();
    assert!(t.run_until(5_000, |l| l.partition(&p).unwrap().isr.len() == 2));
    assert!(t.lab.partition(&p).unwrap().elr.is_empty());
    assert!(
        !t.events_where(|e| matches!(e, EventKind::ElrChanged { elr, .. } if elr.is_empty()))
            .is_empty()
    );
}

#[test]
fn min_insync_replicas_above_the_replication_factor_acts_as_the_replication_factor() {
    // Kafka accepts min.insync.replicas=5 on an RF 3 topic and uses min(5, 3).
    let mut t = lab(true, 5);
    let p = tp("test", 0);
    let out = produce(&mut t.lab, &p, 5);
    assert_eq!(acked(&mut t, out), Ok(4));
}
