//! The coordinator end to end on a 3-broker cluster: commit, abort, fencing, timeout, failover.

use super::{TransactionState, TxnOutcome, TxnReply};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::{Cluster, ProduceOutcome};
use crate::cluster::types::{Acks, TopicPartition};
use crate::cluster::{ClusterConfig, TopicSpec};
use crate::log::batch::{ProducerStamp, decode_records, encode_transactional_records};
use bytes::Bytes;

fn lab(dir: &std::path::Path) -> Cluster {
    let mut lab = Cluster::new(ClusterConfig::new(3, 7, dir)).unwrap();
    lab.create_topic(TopicSpec::new("out", 2, 3)).unwrap();
    lab.advance_by(200);
    lab
}

/// Sends a coordinator request until it is answered for good: retriable errors and
/// CONCURRENT_TRANSACTIONS are retried after a step, a pending answer is waited for.
fn call(
    lab: &mut Cluster,
    tid: &str,
    mut req: impl FnMut(&mut Cluster, i32) -> TxnOutcome,
) -> Result<TxnReply, KafkaError> {
    for _ in 0..2_000 {
        let coordinator = match lab.txn_coordinator_for(tid) {
            Ok(b) => b,
            Err(_) => {
                lab.step();
                continue;
            }
        };
        let result = match req(lab, coordinator) {
            TxnOutcome::Done(r) => r,
            TxnOutcome::Pending(t) => loop {
                lab.step();
                if let Some(r) = lab.take_txn_result(t) {
                    break r;
                }
            },
        };
        match result {
            Err(e) if e.is_retriable() => lab.step(),
            other => return other,
        }
    }
    panic!("{tid}: no answer in 20 s");
}

fn init(lab: &mut Cluster, tid: &str, timeout_ms: i32) -> (i64, i16) {
    match call(lab, tid, |l, b| {
        l.init_transactional_producer(b, tid, timeout_ms, None)
    }) {
        Ok(TxnReply::Producer {
            producer_id,
            producer_epoch,
        }) => (producer_id, producer_epoch),
        other => panic!("InitProducerId: {other:?}"),
    }
}

fn produce(
    lab: &mut Cluster,
    tp: &TopicPartition,
    pid: (i64, i16),
    seq: i32,
    value: &str,
) -> Result<(), KafkaError> {
    let stamp = ProducerStamp {
        producer_id: pid.0,
        producer_epoch: pid.1,
        base_sequence: seq,
    };
    let bytes =
        encode_transactional_records(&[(None, Some(Bytes::from(value.to_string())), 0)], 0, stamp)
            .unwrap();
    let leader = lab.leader_of(tp).unwrap();
    match lab.produce(leader, tp, &bytes, Acks::All, 30_000) {
        ProduceOutcome::Done(r) => r.map(|_| ()),
        ProduceOutcome::Pending(t) => loop {
            lab.step();
            if let Some(r) = lab.take_completion(t) {
                return r.map(|_| ());
            }
        },
    }
}

/// Values a read_committed (or read_uncommitted) consumer sees in `tp` from offset 0.
fn read(lab: &Cluster, tp: &TopicPartition, committed: bool) -> Vec<String> {
    let leader = lab.leader_of(tp).unwrap();
    let f = lab
        .fetch_isolated(leader, tp, 0, 1 << 20, committed)
        .unwrap();
    let recs = decode_records(&f.batches.bytes).unwrap();
    // The consumer's side (clients::read_committed) is above this layer: a plain filter here,
    // enough for one transaction per producer in these tests.
    let aborted = |r: &kafka_protocol::records::Record| {
        f.aborted_transactions.iter().any(|a| {
            a.producer_id == r.producer_id && (a.first_offset..a.last_offset).contains(&r.offset)
        })
    };
    recs.into_iter()
        .filter(|r| !(r.control || (committed && r.transactional && aborted(r))))
        .map(|r| String::from_utf8_lossy(&r.value.unwrap()).into_owned())
        .collect()
}

fn settle(lab: &mut Cluster) {
    for _ in 0..300 {
        lab.step();
        if !lab.has_open_transactions() {
            return;
        }
    }
}

#[test]
fn a_committed_transaction_is_seen_whole_by_read_committed_after_its_markers() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let tid = "copy-job";
    let pid = init(&mut lab, tid, 60_000);
    let parts = [TopicPartition::new("out", 0), TopicPartition::new("out", 1)];
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, pid, &parts)
    })
    .unwrap();
    produce(&mut lab, &parts[0], pid, 0, "a").unwrap();
    produce(&mut lab, &parts[1], pid, 0, "b").unwrap();
    lab.advance_by(100);
    // Replicated (HW past it) but not committed: the LSO holds read_committed back.
    assert_eq!(lab.high_watermark(&parts[0]), Some(1));
    assert_eq!(lab.last_stable_offset(&parts[0]), Some(0));
    assert_eq!(read(&lab, &parts[0], true), Vec::<String>::new());
    assert_eq!(read(&lab, &parts[0], false), ["a"]);
    call(&mut lab, tid, |l, b| l.end_txn(b, tid, pid, true)).unwrap();
    settle(&mut lab);
    lab.advance_by(100);
    for (tp, v) in parts.iter().zip(["a", "b"]) {
        assert_eq!(read(&lab, tp, true), [v]);
        assert_eq!(lab.high_watermark(tp), Some(2), "record + COMMIT marker");
        assert_eq!(lab.last_stable_offset(tp), lab.high_watermark(tp));
    }
    let t = &lab.transactions()[0];
    assert_eq!(t.meta.state, TransactionState::CompleteCommit);
}

#[test]
fn an_aborted_transaction_stays_in_the_log_but_read_committed_never_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let tid = "t";
    let pid = init(&mut lab, tid, 60_000);
    let tp = TopicPartition::new("out", 0);
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, pid, std::slice::from_ref(&tp))
    })
    .unwrap();
    produce(&mut lab, &tp, pid, 0, "x").unwrap();
    call(&mut lab, tid, |l, b| l.end_txn(b, tid, pid, false)).unwrap();
    settle(&mut lab);
    lab.advance_by(100);
    assert_eq!(read(&lab, &tp, false), ["x"]);
    assert_eq!(read(&lab, &tp, true), Vec::<String>::new());
    // The next transaction of the same producer commits and is seen.
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, pid, std::slice::from_ref(&tp))
    })
    .unwrap();
    produce(&mut lab, &tp, pid, 1, "y").unwrap();
    call(&mut lab, tid, |l, b| l.end_txn(b, tid, pid, true)).unwrap();
    settle(&mut lab);
    lab.advance_by(100);
    assert_eq!(read(&lab, &tp, true), ["y"]);
}

#[test]
fn a_new_producer_with_the_same_id_fences_the_zombie_and_aborts_its_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let tid = "t";
    let old = init(&mut lab, tid, 60_000);
    let tp = TopicPartition::new("out", 1);
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, old, std::slice::from_ref(&tp))
    })
    .unwrap();
    produce(&mut lab, &tp, old, 0, "zombie").unwrap();
    let new = init(&mut lab, tid, 60_000);
    assert_eq!(new.0, old.0);
    assert!(new.1 > old.1, "epoch bumped: {old:?} → {new:?}");
    assert_eq!(
        produce(&mut lab, &tp, old, 1, "late"),
        Err(KafkaError::InvalidProducerEpoch)
    );
    assert_eq!(
        call(&mut lab, tid, |l, b| l.end_txn(b, tid, old, true)),
        Err(KafkaError::ProducerFenced)
    );
    lab.advance_by(100);
    assert_eq!(read(&lab, &tp, true), Vec::<String>::new());
    assert_eq!(lab.last_stable_offset(&tp), lab.high_watermark(&tp));
}

#[test]
fn a_transaction_open_past_its_timeout_is_aborted_and_its_producer_fenced() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let tid = "slow";
    assert_eq!(
        call(&mut lab, tid, |l, b| l
            .init_transactional_producer(b, tid, 900_001, None)),
        Err(KafkaError::InvalidTransactionTimeout)
    );
    let pid = init(&mut lab, tid, 1_000);
    let tp = TopicPartition::new("out", 0);
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, pid, std::slice::from_ref(&tp))
    })
    .unwrap();
    produce(&mut lab, &tp, pid, 0, "never").unwrap();
    lab.advance_by(1_500);
    settle(&mut lab);
    lab.advance_by(100);
    let t = &lab.transactions()[0];
    assert_eq!(t.meta.state, TransactionState::CompleteAbort);
    assert_eq!(lab.last_stable_offset(&tp), lab.high_watermark(&tp));
    assert_eq!(read(&lab, &tp, true), Vec::<String>::new());
    assert_eq!(
        call(&mut lab, tid, |l, b| l.end_txn(b, tid, pid, true)),
        Err(KafkaError::ProducerFenced)
    );
}

#[test]
fn a_new_coordinator_reloads_a_prepared_commit_and_finishes_its_markers() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let tid = "moving";
    let pid = init(&mut lab, tid, 60_000);
    let parts = [TopicPartition::new("out", 0), TopicPartition::new("out", 1)];
    call(&mut lab, tid, |l, b| {
        l.add_partitions_to_txn(b, tid, pid, &parts)
    })
    .unwrap();
    produce(&mut lab, &parts[0], pid, 0, "a").unwrap();
    produce(&mut lab, &parts[1], pid, 0, "b").unwrap();
    call(&mut lab, tid, |l, b| l.end_txn(b, tid, pid, true)).unwrap();
    // Kill the coordinator at once: PrepareCommit is replicated, markers may not be.
    let coordinator = lab.txn_coordinator_for(tid).unwrap();
    lab.kill_broker(coordinator).unwrap();
    for _ in 0..3_000 {
        lab.step();
        if !lab.has_open_transactions() {
            break;
        }
    }
    assert!(!lab.has_open_transactions(), "{:?}", lab.transactions());
    lab.advance_by(500);
    for (tp, v) in parts.iter().zip(["a", "b"]) {
        assert_eq!(read(&lab, tp, true), [v]);
    }
}
