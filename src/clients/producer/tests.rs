//! The simulated producer against a real cluster: what idempotence prevents, how long a batch may
//! wait, how retries back off.

use super::SimProducer;
use crate::clients::spec::ProducerSpec;
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;
use crate::cluster::types::{BrokerId, TopicPartition};
use bytes::Bytes;

/// A 3-broker lab with topic `t` (one partition, `replicas` replicas) and its leader.
fn lab(dir: &std::path::Path, replicas: i16) -> (Cluster, TopicPartition, BrokerId) {
    crate::cluster::test_support::lab_with_leader(dir, replicas)
}

/// Steps the cluster and the producer together for `ms`, as the lab does.
fn run(lab: &mut Cluster, p: &mut SimProducer, ms: i64) {
    let step = lab.config().step_ms;
    for _ in 0..ms / step {
        lab.step();
        p.step(lab, step);
    }
}

/// Every value in the leader's log.
fn stored(lab: &Cluster, tp: &TopicPartition) -> Vec<Bytes> {
    let leader = lab.leader_of(tp).expect("a leader");
    let log = lab.replica_log(leader, tp).expect("a log");
    let end = log.log_end_offset();
    log.read_records(log.log_start_offset(), 1 << 20, end)
        .expect("read")
        .into_iter()
        .filter_map(|r| r.value)
        .collect()
}

/// One record sent with `acks=all` and a 2 s `request.timeout.ms` while a follower stops
/// fetching: the request times out and is retried until the follower leaves the ISR.
fn copies_of_one_timed_out_record(enable_idempotence: bool) -> (usize, SimProducer) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut lab, tp, leader) = lab(dir.path(), 3);
    let follower = (1..=3).find(|b| *b != leader).expect("a follower");
    lab.set_broker_slow(follower, true).expect("slow");
    let mut spec = ProducerSpec::new("t", 1.0);
    spec.request_timeout_ms = 2_000;
    spec.enable_idempotence = enable_idempotence;
    let mut p = SimProducer::new(1, "P".into(), spec);
    run(&mut lab, &mut p, 1_500);
    p.running = false;
    assert_eq!(p.sent, 1);
    run(&mut lab, &mut p, 20_000);
    assert_eq!(p.acknowledged, 1, "acknowledged once the ISR shrinks");
    assert!(p.retried >= 2, "the request timed out and was retried");
    let copies = stored(&lab, &tp)
        .iter()
        .filter(|v| v.starts_with(b"P#0"))
        .count();
    (copies, p)
}

#[test]
fn idempotent_retry_after_a_timeout_is_stored_once() {
    let (copies, p) = copies_of_one_timed_out_record(true);
    assert_eq!(copies, 1);
    assert!(p.snapshot().idempotent && p.snapshot().producer_id.is_some());
}

#[test]
fn retry_without_idempotence_stores_the_record_again() {
    let (copies, p) = copies_of_one_timed_out_record(false);
    assert!(copies >= 2, "stored {copies} times");
    assert!(!p.snapshot().idempotent);
}

#[test]
fn delivery_timeout_fails_a_batch_to_an_offline_partition_after_120_s() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut lab, tp, leader) = lab(dir.path(), 1);
    lab.kill_broker(leader).expect("kill");
    let mut p = SimProducer::new(1, "P".into(), ProducerSpec::new("t", 1.0));
    run(&mut lab, &mut p, 1_000);
    p.running = false;
    assert_eq!(p.sent, 1, "one record, made at about 1 s");
    run(&mut lab, &mut p, 118_000);
    assert_eq!(p.failed, 0, "still retrying before delivery.timeout.ms");
    run(&mut lab, &mut p, 3_000);
    assert_eq!(p.failed, 1, "failed for good after 120 s");
    assert!(lab.leader_of(&tp).is_none());
    // Backoff grows from 100 ms to about 1 s: about 120 retries, not the 1,200 of a fixed 100 ms.
    assert!((100..=200).contains(&p.retried), "{} retries", p.retried);
    let expired: Vec<_> = lab
        .drain_events()
        .into_iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::ProduceFailed { error, .. } if error.expired_after_ms.is_some())
        })
        .collect();
    assert_eq!(expired.len(), 1, "one timeline line: {expired:?}");
}

/// Records each partition of a 3-partition topic holds after `spec` ran for `ms`.
fn spread(spec: ProducerSpec, ms: i64) -> Vec<usize> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut lab =
        Cluster::new(crate::cluster::config::ClusterConfig::new(3, 1, dir.path())).expect("lab");
    lab.create_topic(crate::cluster::topic::TopicSpec::new("t", 3, 1))
        .expect("topic");
    lab.advance_by(100);
    let mut p = SimProducer::new(1, "P".into(), spec);
    run(&mut lab, &mut p, ms);
    (0..3)
        .map(|i| stored(&lab, &TopicPartition::new("t", i)).len())
        .collect()
}

#[test]
fn unkeyed_records_stick_to_one_partition_for_a_batch_size() {
    // 20 records/s of about 120 bytes: 16384 bytes is about 137 records, so after 5 s (100
    // records) every record went to one partition.
    let per = spread(ProducerSpec::new("t", 20.0), 5_000);
    assert_eq!(per.iter().filter(|n| **n > 0).count(), 1, "{per:?}");
    // After 60 s (about 8 switches), more than one partition has records.
    let per = spread(ProducerSpec::new("t", 20.0), 60_000);
    assert!(per.iter().filter(|n| **n > 0).count() >= 2, "{per:?}");
}

#[test]
fn round_robin_partitioner_deals_records_in_turn() {
    let mut spec = ProducerSpec::new("t", 20.0);
    spec.partitioner = crate::clients::spec::Partitioner::RoundRobin;
    let per = spread(spec, 5_000);
    let (min, max) = (per.iter().min().copied(), per.iter().max().copied());
    assert!(
        min.unwrap_or(0) > 0 && max.unwrap_or(0) - min.unwrap_or(0) <= 1,
        "{per:?}"
    );
}
