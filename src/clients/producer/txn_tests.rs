//! The simulated transactional producer against a real cluster: it commits on its interval, a
//! successor with its `transactional.id` aborts what a killed one left open, and a frozen one
//! that comes back after its successor started is fenced.

use super::SimProducer;
use crate::clients::spec::ProducerSpec;
use crate::clients::view::ProducerTxnState;
use crate::cluster::error::KafkaError;
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;

/// Steps the cluster and the running producers together for `ms`, as the lab does.
fn run(lab: &mut Cluster, ps: &mut [&mut SimProducer], ms: i64) {
    let step = lab.config().step_ms;
    for _ in 0..ms / step {
        lab.step();
        for p in ps.iter_mut() {
            if !p.paused && !p.is_killed() {
                p.step(lab, step);
            }
        }
    }
}

fn spec() -> ProducerSpec {
    let mut s = ProducerSpec::new("t", 20.0);
    s.transactional_id = Some("copy-job".into());
    s.commit_interval_ms = 500;
    s.transaction_timeout_ms = 10_000;
    s
}

/// Whether the transaction of `tid` is open at the coordinator.
fn open(lab: &Cluster) -> bool {
    lab.transactions()
        .iter()
        .any(|t| t.meta.state == crate::cluster::txn::TransactionState::Ongoing)
}

#[test]
fn a_transactional_producer_commits_every_commit_interval_and_the_lso_follows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut lab, tp, _) = crate::cluster::test_support::lab_with_leader(dir.path(), 3);
    let mut p = SimProducer::new(1, "job".into(), spec());
    run(&mut lab, &mut [&mut p], 5_000);
    let (committed, aborted) = p.txn.as_ref().expect("transactional").ended();
    assert!(committed >= 4, "committed {committed} transactions in 5 s");
    assert_eq!(aborted, 0);
    assert!(p.acknowledged > 50, "acknowledged {}", p.acknowledged);
    p.running = false;
    run(&mut lab, &mut [&mut p], 2_000);
    assert_eq!(p.transaction_state(), Some(ProducerTxnState::Ready));
    assert_eq!(
        lab.last_stable_offset(&tp),
        lab.high_watermark(&tp),
        "every transaction ended: the LSO is back at the HW"
    );
    assert!(!open(&lab));
}

#[test]
fn a_successor_aborts_what_a_killed_producer_left_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut lab, tp, _) = crate::cluster::test_support::lab_with_leader(dir.path(), 3);
    let mut s = spec();
    s.commit_interval_ms = 60_000;
    let mut first = SimProducer::new(1, "job-1".into(), s.clone());
    run(&mut lab, &mut [&mut first], 3_000);
    assert!(first.acknowledged > 0);
    first.kill(&mut lab);
    run(&mut lab, &mut [&mut first], 2_000);
    assert!(open(&lab), "the killed producer's transaction stays open");
    assert!(lab.last_stable_offset(&tp) < lab.high_watermark(&tp));
    let mut second = SimProducer::new(2, "job-2".into(), s);
    second.running = false;
    run(&mut lab, &mut [&mut first, &mut second], 3_000);
    assert!(!open(&lab), "InitProducerId aborted it");
    assert_eq!(lab.last_stable_offset(&tp), lab.high_watermark(&tp));
    let (old, new) = (first.producer_epoch(), second.producer_epoch());
    assert!(new.expect("initialised").1 > old.expect("initialised").1);
}

#[test]
fn a_zombie_that_resumes_after_its_successor_started_is_fenced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut lab, _, _) = crate::cluster::test_support::lab_with_leader(dir.path(), 3);
    let mut zombie = SimProducer::new(1, "job-1".into(), spec());
    run(&mut lab, &mut [&mut zombie], 2_000);
    zombie.paused = true;
    let mut successor = SimProducer::new(2, "job-2".into(), spec());
    run(&mut lab, &mut [&mut zombie, &mut successor], 3_000);
    let committed_before = successor.txn.as_ref().expect("txn").ended().0;
    assert!(committed_before > 0, "the successor commits");
    let _ = lab.drain_events();
    zombie.paused = false;
    run(&mut lab, &mut [&mut zombie, &mut successor], 2_000);
    assert_eq!(zombie.transaction_state(), Some(ProducerTxnState::Fenced));
    assert!(!zombie.running);
    let fenced = lab.drain_events().into_iter().any(|e| {
        matches!(
            e.kind,
            EventKind::ZombieFenced { ref client_id, error, .. }
                if client_id == "job-1"
                    && matches!(error, KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch)
        )
    });
    assert!(fenced, "the timeline says the zombie was fenced");
    assert!(successor.txn.as_ref().expect("txn").ended().0 > committed_before);
}
