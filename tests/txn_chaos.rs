//! Seeded chaos simulation of transactions: a transactional copy job (commit most transactions,
//! abort some, crash and restart with the same `transactional.id` now and then) writes through
//! random broker kills, shutdowns, restarts and slow followers, while a `read_committed` reader
//! follows the LSO. After every step: LSO ≤ HW on every leader. At the end, once healed: every
//! transaction has ended (by the timeout at worst), the LSO is back at the HW, the reader never
//! saw a record of an aborted transaction, and saw every acknowledged record of a committed
//! transaction exactly once.
//! A failing seed prints itself; replay one with `KAFKA_LAB_SEED=<seed>`.
//! `KAFKA_LAB_CHAOS_SEEDS=<n>` runs more seeds.

mod common;

use common::TestLab;
use common::liveness::heal;
use kafka_lab::clients::read_committed::visible_records;
use kafka_lab::cluster::error::KafkaError;
use kafka_lab::cluster::lab::ProduceOutcome;
use kafka_lab::cluster::snapshot::BrokerState;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::txn::{TxnOutcome, TxnReply};
use kafka_lab::cluster::types::{Acks, TopicPartition};
use kafka_lab::lab::Lab;
use kafka_lab::log::batch::{ProducerStamp, decode_records, encode_transactional_records};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

const TOPIC: &str = "copied";
const PARTITIONS: i32 = 2;
const TID: &str = "copy-job";
/// `transaction.timeout.ms` of the copy job: short, so timeouts happen under chaos.
const TXN_TIMEOUT_MS: i32 = 3_000;
/// Records per transaction.
const RECORDS_PER_TXN: usize = 4;
const CHAOS_MS: i64 = 12_000;
/// Once healed, every transaction must end within this long (its timeout, then the markers).
const ENDED_WITHIN_MS: i64 = 20_000;

/// How a transaction ended, as the copy job learned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Committed,
    Aborted,
}

/// Where the copy job is.
#[derive(Clone, Copy, Debug)]
enum Phase {
    Init,
    Begin,
    Produce { i: usize },
    End,
    Stopped,
}

/// A transactional producer driven one step at a time, as a client library would.
struct CopyJob {
    phase: Phase,
    producer: (i64, i16),
    seqs: BTreeMap<i32, i32>,
    txn: u32,
    commit: bool,
    /// A request waiting: coordinator ticket or produce ticket.
    waiting_txn: Option<u64>,
    waiting_produce: Option<u64>,
    /// Acknowledged values per transaction.
    acked: BTreeMap<u32, Vec<String>>,
    outcomes: BTreeMap<u32, Outcome>,
    crashes: u32,
}

impl CopyJob {
    fn new() -> Self {
        Self {
            phase: Phase::Init,
            producer: (-1, -1),
            seqs: BTreeMap::new(),
            txn: 0,
            commit: true,
            waiting_txn: None,
            waiting_produce: None,
            acked: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            crashes: 0,
        }
    }

    /// The open transaction (if any) is lost with the process; a restart re-initialises, which
    /// fences the old epoch and aborts it.
    fn restart(&mut self, reason_aborted: bool) {
        if reason_aborted && matches!(self.phase, Phase::Produce { .. } | Phase::End) {
            self.outcomes.insert(self.txn, Outcome::Aborted);
        }
        self.phase = Phase::Init;
        self.waiting_txn = None;
        self.waiting_produce = None;
        self.seqs.clear();
    }

    /// A coordinator request's answer: `Some` once there is one.
    fn txn_answer(
        &mut self,
        lab: &mut Lab,
        send: impl FnOnce(&mut Lab, i32) -> TxnOutcome,
    ) -> Option<Result<TxnReply, KafkaError>> {
        if let Some(t) = self.waiting_txn {
            let r = lab.take_txn_result(t)?;
            self.waiting_txn = None;
            return Some(r);
        }
        let coordinator = lab.txn_coordinator_for(TID).ok()?;
        match send(lab, coordinator) {
            TxnOutcome::Done(r) => Some(r),
            TxnOutcome::Pending(t) => {
                self.waiting_txn = Some(t);
                None
            }
        }
    }

    fn step(&mut self, lab: &mut Lab, rng: &mut ChaCha8Rng) {
        let parts: Vec<TopicPartition> = (0..PARTITIONS)
            .map(|p| TopicPartition::new(TOPIC, p))
            .collect();
        let producer = self.producer;
        match self.phase {
            Phase::Stopped => {}
            Phase::Init => {
                match self.txn_answer(lab, |l, b| {
                    l.init_transactional_producer(b, TID, TXN_TIMEOUT_MS, None)
                }) {
                    Some(Ok(TxnReply::Producer {
                        producer_id,
                        producer_epoch,
                    })) => {
                        self.producer = (producer_id, producer_epoch);
                        self.phase = Phase::Begin;
                    }
                    Some(Ok(TxnReply::Done)) | Some(Err(_)) | None => {}
                }
            }
            Phase::Begin => {
                match self.txn_answer(lab, |l, b| {
                    l.add_partitions_to_txn(b, TID, producer, &parts)
                }) {
                    Some(Ok(_)) => {
                        self.txn += 1;
                        self.commit = rng.random_bool(0.75);
                        self.phase = Phase::Produce { i: 0 };
                    }
                    Some(Err(e)) if fatal(e) => self.restart(false),
                    _ => {}
                }
            }
            Phase::Produce { i } if i == RECORDS_PER_TXN => self.phase = Phase::End,
            Phase::Produce { i } => {
                let p = (i as i32) % PARTITIONS;
                let tp = &parts[p as usize];
                let value = format!("{}-{i}", self.txn);
                let result = match self.waiting_produce {
                    Some(t) => match lab.take_completion(t) {
                        Some(r) => {
                            self.waiting_produce = None;
                            r.map(|_| ())
                        }
                        None => return,
                    },
                    None => {
                        let Some(leader) = lab.leader_of(tp) else {
                            return;
                        };
                        let stamp = ProducerStamp {
                            producer_id: producer.0,
                            producer_epoch: producer.1,
                            base_sequence: *self.seqs.get(&p).unwrap_or(&0),
                        };
                        let rec = [(None, Some(value.clone().into()), lab.now_ms())];
                        let bytes = encode_transactional_records(&rec, 0, stamp).expect("encode");
                        match lab.produce(leader, tp, &bytes, Acks::All, 2_000) {
                            ProduceOutcome::Pending(t) => {
                                self.waiting_produce = Some(t);
                                return;
                            }
                            ProduceOutcome::Done(r) => r.map(|_| ()),
                        }
                    }
                };
                match result {
                    Ok(()) => {
                        *self.seqs.entry(p).or_insert(0) += 1;
                        self.acked.entry(self.txn).or_default().push(value);
                        self.phase = Phase::Produce { i: i + 1 };
                    }
                    // Retried with the same sequence: the broker answers a duplicate once.
                    Err(e) if e.is_retriable() => {}
                    Err(_) => self.restart(true),
                }
                // A crash mid-transaction now and then: the restart fences and aborts it.
                if rng.random_bool(0.01) {
                    self.crashes += 1;
                    self.restart(true);
                }
            }
            Phase::End => {
                let commit = self.commit;
                match self.txn_answer(lab, |l, b| l.end_txn(b, TID, producer, commit)) {
                    Some(Ok(_)) => {
                        let o = if commit {
                            Outcome::Committed
                        } else {
                            Outcome::Aborted
                        };
                        self.outcomes.insert(self.txn, o);
                        self.phase = Phase::Begin;
                    }
                    // Fenced or timed out: the coordinator aborted it.
                    Some(Err(e)) if fatal(e) => self.restart(true),
                    _ => {}
                }
            }
        }
    }
}

/// Errors after which a client must start again with InitProducerId.
fn fatal(e: KafkaError) -> bool {
    !e.is_retriable()
}

/// A `read_committed` reader following the LSO, partition by partition.
#[derive(Default)]
struct Reader {
    positions: BTreeMap<i32, i64>,
    seen: Vec<String>,
}

impl Reader {
    fn poll(&mut self, lab: &Lab) -> Result<(), String> {
        for p in 0..PARTITIONS {
            let tp = TopicPartition::new(TOPIC, p);
            let Some(leader) = lab.leader_of(&tp) else {
                continue;
            };
            let pos = *self.positions.get(&p).unwrap_or(&0);
            let Ok(f) = lab.fetch_isolated(leader, &tp, pos, 1 << 20, true) else {
                continue;
            };
            if f.batches.next_offset > f.last_stable_offset && !f.batches.bytes.is_empty() {
                return Err(format!(
                    "{tp}: read_committed fetch returned up to {} past the LSO {}",
                    f.batches.next_offset, f.last_stable_offset
                ));
            }
            let recs = decode_records(&f.batches.bytes).map_err(|e| e.to_string())?;
            let recs: Vec<_> = recs.into_iter().filter(|r| r.offset >= pos).collect();
            for r in visible_records(recs, &f.aborted_transactions, true) {
                let v = r.value.ok_or("a record without value")?;
                self.seen.push(String::from_utf8_lossy(&v).into_owned());
            }
            if f.batches.next_offset > pos {
                self.positions.insert(p, f.batches.next_offset);
            }
        }
        Ok(())
    }
}

/// LSO ≤ HW on every leader.
fn lso_below_hw(lab: &Lab) -> Result<(), String> {
    for p in 0..PARTITIONS {
        let tp = TopicPartition::new(TOPIC, p);
        if let (Some(lso), Some(hw)) = (lab.last_stable_offset(&tp), lab.high_watermark(&tp))
            && lso > hw
        {
            return Err(format!(
                "{tp}: LSO {lso} above HW {hw} at {}ms",
                lab.now_ms()
            ));
        }
    }
    Ok(())
}

fn random_fault(lab: &mut Lab, rng: &mut ChaCha8Rng) {
    let states = lab.broker_states();
    let up: Vec<i32> = states
        .iter()
        .filter(|(_, s)| *s == BrokerState::Up)
        .map(|(b, _)| *b)
        .collect();
    let down: Vec<i32> = states
        .iter()
        .filter(|(_, s)| *s == BrokerState::Down)
        .map(|(b, _)| *b)
        .collect();
    match rng.random_range(0..10) {
        0..=2 if !up.is_empty() => {
            let _ = lab.kill_broker(up[rng.random_range(0..up.len())]);
        }
        3 if !up.is_empty() => {
            let _ = lab.shutdown_broker(up[rng.random_range(0..up.len())]);
        }
        4..=6 if !down.is_empty() => {
            let _ = lab.restart_broker(down[rng.random_range(0..down.len())]);
        }
        _ => {
            let b = rng.random_range(1..=3);
            let _ = lab.set_broker_slow(b, rng.random_bool(0.5));
        }
    }
}

fn run_seed(seed: u64) -> Result<String, String> {
    let mut t = TestLab::new(3, seed, |_| {});
    let mut spec = TopicSpec::new(TOPIC, PARTITIONS, 3);
    spec.min_insync_replicas = 2;
    t.lab.create_topic(spec).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9));
    let mut job = CopyJob::new();
    let mut reader = Reader::default();
    let step = t.lab.config().step_ms;
    while t.lab.now_ms() < CHAOS_MS {
        let now = t.lab.now_ms();
        if now > 1_000 && now % 400 == 0 && rng.random_bool(0.5) {
            random_fault(&mut t.lab, &mut rng);
        }
        job.step(&mut t.lab, &mut rng);
        t.run_for(step);
        lso_below_hw(&t.lab)?;
        reader.poll(&t.lab)?;
    }
    heal(&mut t.lab);
    // An EndTxn in flight when the job stops may commit or not: its outcome is not checked.
    let ending = matches!(job.phase, Phase::End);
    job.phase = Phase::Stopped;
    // Brokers still shutting down at the first heal are down by now: heal again.
    t.run_for(2_000);
    heal(&mut t.lab);
    // Liveness: with the job gone, whatever it left open ends by its timeout at worst.
    let ended = t.run_until(ENDED_WITHIN_MS, |lab| {
        !lab.has_open_transactions()
            && (0..PARTITIONS).all(|p| {
                let tp = TopicPartition::new(TOPIC, p);
                lab.leader_of(&tp).is_some()
                    && lab.last_stable_offset(&tp) == lab.high_watermark(&tp)
            })
    });
    if !ended {
        let parts: Vec<String> = (0..PARTITIONS)
            .map(|p| {
                let tp = TopicPartition::new(TOPIC, p);
                let leader = t.lab.leader_of(&tp);
                let open = leader
                    .and_then(|l| t.lab.replica_log(l, &tp))
                    .map(|l| l.open_transactions());
                format!(
                    "{tp}: leader {leader:?} LSO {:?} HW {:?} open {open:?}",
                    t.lab.last_stable_offset(&tp),
                    t.lab.high_watermark(&tp)
                )
            })
            .collect();
        return Err(format!(
            "transactions still open {ENDED_WITHIN_MS} ms after healing: {:?}; {parts:?}",
            t.lab.transactions()
        ));
    }
    for _ in 0..20 {
        reader.poll(&t.lab)?;
        t.run_for(step);
    }
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &reader.seen {
        *count.entry(v.as_str()).or_default() += 1;
    }
    if let Some((v, n)) = count.iter().find(|(_, n)| **n > 1) {
        return Err(format!("read_committed saw {v} {n} times"));
    }
    let txn_of = |v: &str| v.split('-').next().and_then(|s| s.parse::<u32>().ok());
    let mut committed = 0;
    for (txn, values) in &job.acked {
        match job.outcomes.get(txn) {
            Some(Outcome::Committed) => {
                committed += 1;
                if let Some(v) = values.iter().find(|v| !count.contains_key(v.as_str())) {
                    return Err(format!("committed transaction {txn}: {v} never seen"));
                }
            }
            Some(Outcome::Aborted) => {
                if let Some(v) = reader.seen.iter().find(|v| txn_of(v) == Some(*txn)) {
                    return Err(format!("aborted transaction {txn}: read_committed saw {v}"));
                }
            }
            // The transaction open when the job stopped: aborted by its timeout.
            None if *txn == job.txn && ending => {}
            None if *txn == job.txn => {
                if let Some(v) = reader.seen.iter().find(|v| txn_of(v) == Some(*txn)) {
                    return Err(format!(
                        "abandoned transaction {txn}: read_committed saw {v}"
                    ));
                }
            }
            None => return Err(format!("transaction {txn} has no outcome")),
        }
    }
    Ok(format!(
        "{} transactions, {committed} committed, {} crashes, {} records read",
        job.txn,
        job.crashes,
        reader.seen.len()
    ))
}

#[test]
fn read_committed_sees_committed_transactions_whole_and_aborted_ones_never_under_chaos() {
    let mut total_committed = 0;
    for seed in common::chaos_seeds(12) {
        match run_seed(seed) {
            Ok(summary) => {
                eprintln!("seed {seed}: {summary}");
                total_committed += 1;
            }
            Err(e) => panic!("seed {seed}: {e}\nreplay with KAFKA_LAB_SEED={seed}"),
        }
    }
    assert!(total_committed > 0);
}
