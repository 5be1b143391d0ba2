//! Seeded chaos simulation of *simulated* transactional producers (the lab's own, as the dashboard
//! and lessons run them) under random broker kills, shutdowns, restarts and slow followers. Now
//! and then the producer with `transactional.id` "job" is killed mid-transaction, or frozen while
//! a successor with the same id starts (the frozen one resumes later: a zombie). A
//! `read_committed` and a `read_uncommitted` consumer follow the topic.
//!
//! Checked: no two producers commit with the same producer id and epoch (the zombie is fenced);
//! once healed and stopped, every transaction ends (by `transaction.timeout.ms` at worst) and the
//! LSO is back at the HW; the `read_committed` consumer never read a record of a transaction that
//! did not commit, and read every acknowledged record of every committed one.
//! A failing seed prints itself; replay one with `KAFKA_LAB_SEED=<seed>`.

mod common;

use bytes::Bytes;
use common::TestLab;
use common::liveness::heal;
use kafka_lab::clients::spec::{ConsumerSpec, IsolationLevel, OffsetReset, ProducerSpec};
use kafka_lab::clients::view::ProducerTxnState;
use kafka_lab::cluster::snapshot::BrokerState;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::{ClientId, TopicPartition};
use kafka_lab::lab::Lab;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

const TOPIC: &str = "out";
const PARTITIONS: i32 = 2;
const TID: &str = "job";
const CHAOS_MS: i64 = 15_000;
/// Once healed and stopped, every transaction must end within this long.
const ENDED_WITHIN_MS: i64 = 20_000;

/// How a transaction ended, as far as the test can know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Committed,
    Aborted,
    /// Its producer died or was fenced while committing: the coordinator may have committed it.
    Unknown,
}

/// A transaction: (producer client, its transaction number).
type TxnKey = (ClientId, u64);

#[derive(Default)]
struct Tracker {
    /// Every acknowledged value, with its transaction.
    txn_of: BTreeMap<Bytes, TxnKey>,
    outcomes: BTreeMap<TxnKey, Outcome>,
    /// (producer id, epoch) → the producers that committed with it.
    committers: BTreeMap<(i64, i16), BTreeSet<ClientId>>,
    /// The state each producer had at the last step.
    last_state: BTreeMap<ClientId, ProducerTxnState>,
}

impl Tracker {
    fn observe(&mut self, lab: &Lab) -> Result<(), String> {
        for p in lab.producers() {
            let Some(number) = p.transaction_number() else {
                continue;
            };
            for (_, _, v) in &p.recent_acks {
                self.txn_of.insert(v.clone(), (p.id, number));
            }
            for end in &p.recent_txn_ends {
                let o = if end.committed {
                    Outcome::Committed
                } else {
                    Outcome::Aborted
                };
                self.outcomes.insert((p.id, end.number), o);
                if end.committed {
                    let who = self
                        .committers
                        .entry((end.producer_id, end.epoch))
                        .or_default();
                    who.insert(p.id);
                    if who.len() > 1 {
                        return Err(format!(
                            "producers {who:?} both committed with producer id {} epoch {}",
                            end.producer_id, end.epoch
                        ));
                    }
                }
            }
            let state = p.transaction_state().unwrap_or(ProducerTxnState::Ready);
            let was = self.last_state.insert(p.id, state);
            if state == ProducerTxnState::Fenced && was != Some(ProducerTxnState::Fenced) {
                self.abandoned(p.id, number, was);
            }
        }
        Ok(())
    }

    /// A producer that stopped with transaction `number` open: the coordinator aborts it, unless
    /// the producer was committing (then PrepareCommit may have been written).
    fn abandoned(&mut self, id: ClientId, number: u64, was: Option<ProducerTxnState>) {
        if number == 0 || self.outcomes.contains_key(&(id, number)) {
            return;
        }
        let o = if was == Some(ProducerTxnState::Committing) {
            Outcome::Unknown
        } else {
            Outcome::Aborted
        };
        self.outcomes.insert((id, number), o);
    }
}

fn producer_spec(name: &str) -> ProducerSpec {
    let mut s = ProducerSpec::new(TOPIC, 40.0);
    s.client_id = Some(name.into());
    s.transactional_id = Some(TID.into());
    s.commit_interval_ms = 300;
    s.transaction_timeout_ms = 3_000;
    s.request_timeout_ms = 2_000;
    s.delivery_timeout_ms = 10_000;
    s
}

fn consumer_spec(name: &str, isolation: IsolationLevel) -> ConsumerSpec {
    let mut c = ConsumerSpec::new(format!("g-{name}"), TOPIC);
    c.client_id = Some(name.into());
    c.auto_offset_reset = OffsetReset::Earliest;
    c.isolation_level = isolation;
    c.session_timeout_ms = 10_000;
    c
}

fn random_fault(lab: &mut Lab, rng: &mut ChaCha8Rng) {
    let states = lab.broker_states();
    let with = |s: BrokerState| -> Vec<i32> {
        states
            .iter()
            .filter(|(_, x)| *x == s)
            .map(|(b, _)| *b)
            .collect()
    };
    let (up, down) = (with(BrokerState::Up), with(BrokerState::Down));
    match rng.random_range(0..10) {
        0..=2 if up.len() > 1 => {
            let _ = lab.kill_broker(up[rng.random_range(0..up.len())]);
        }
        3 if up.len() > 1 => {
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

/// A summary and how many aborted records the read_uncommitted consumer read, else what broke.
fn run_seed(seed: u64) -> Result<(String, usize), String> {
    let mut t = TestLab::new(3, seed, |_| {});
    let mut spec = TopicSpec::new(TOPIC, PARTITIONS, 3);
    spec.min_insync_replicas = 2;
    t.lab.create_topic(spec).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9));
    let rc = t
        .lab
        .spawn_consumer(consumer_spec("rc", IsolationLevel::ReadCommitted))
        .map_err(|e| e.to_string())?;
    let ru = t
        .lab
        .spawn_consumer(consumer_spec("ru", IsolationLevel::ReadUncommitted))
        .map_err(|e| e.to_string())?;
    let mut generation = 1;
    let mut current = t
        .lab
        .spawn_producer(producer_spec("job-1"))
        .map_err(|e| e.to_string())?;
    // A frozen producer and when it resumes.
    let mut zombie: Option<(ClientId, i64)> = None;
    let (mut kills, mut zombies) = (0, 0);
    let mut tracker = Tracker::default();
    let step = t.lab.config().step_ms;
    while t.lab.now_ms() < CHAOS_MS {
        let now = t.lab.now_ms();
        if now > 1_000 && now % 400 == 0 && rng.random_bool(0.5) {
            random_fault(&mut t.lab, &mut rng);
        }
        if let Some((z, at)) = zombie
            && now >= at
        {
            t.lab
                .set_producer_paused(z, false)
                .map_err(|e| e.to_string())?;
            zombie = None;
        }
        let fenced = t
            .lab
            .producer(current)
            .is_some_and(|p| p.transaction_state() == Some(ProducerTxnState::Fenced));
        if fenced {
            // The application starts a new producer after a fatal error, as a supervisor would.
            generation += 1;
            current = t
                .lab
                .spawn_producer(producer_spec(&format!("job-{generation}")))
                .map_err(|e| e.to_string())?;
        } else if now > 2_000 && now % 1_000 == 0 && rng.random_bool(0.3) {
            generation += 1;
            let name = format!("job-{generation}");
            if zombie.is_none() && rng.random_bool(0.5) {
                // Frozen mid-transaction; a successor takes the id; the old one comes back.
                t.lab
                    .set_producer_paused(current, true)
                    .map_err(|e| e.to_string())?;
                zombie = Some((current, now + rng.random_range(1_000..4_000)));
                zombies += 1;
            } else {
                let was = t.lab.producer(current).and_then(|p| p.transaction_state());
                let number = t
                    .lab
                    .producer(current)
                    .and_then(|p| p.transaction_number())
                    .unwrap_or(0);
                t.lab.kill_producer(current).map_err(|e| e.to_string())?;
                tracker.abandoned(current, number, was);
                kills += 1;
            }
            current = t
                .lab
                .spawn_producer(producer_spec(&name))
                .map_err(|e| e.to_string())?;
        }
        t.run_for(step);
        tracker.observe(&t.lab)?;
    }
    heal(&mut t.lab);
    if let Some((z, _)) = zombie {
        let _ = t.lab.set_producer_paused(z, false);
    }
    // Every step is observed: a producer's acks and EndTxn answers are only those of its last step.
    for _ in 0..2_000 / step {
        t.run_for(step);
        tracker.observe(&t.lab)?;
    }
    heal(&mut t.lab);
    // Stopping commits the open transaction, as an application closing cleanly would. Whoever
    // called InitProducerId last owns the id: a producer frozen before its own InitProducerId was
    // answered may have fenced its successor instead, so every producer still running stops.
    let running: Vec<ClientId> = t
        .lab
        .producers()
        .filter(|p| p.running)
        .map(|p| p.id)
        .collect();
    for id in running {
        let _ = t.lab.stop_producer(id);
    }
    let mut ended = false;
    let end = t.lab.now_ms() + ENDED_WITHIN_MS;
    while t.lab.now_ms() < end {
        t.run_for(step);
        tracker.observe(&t.lab)?;
        let settled = t.lab.producers().all(|p| {
            !matches!(
                p.transaction_state(),
                Some(
                    ProducerTxnState::InTransaction
                        | ProducerTxnState::Committing
                        | ProducerTxnState::Aborting
                        | ProducerTxnState::Initializing
                )
            ) || p.is_killed()
                || p.paused
        });
        if settled
            && !t.lab.has_open_transactions()
            && (0..PARTITIONS).all(|p| {
                let tp = TopicPartition::new(TOPIC, p);
                t.lab.leader_of(&tp).is_some()
                    && t.lab.last_stable_offset(&tp) == t.lab.high_watermark(&tp)
            })
        {
            ended = true;
            break;
        }
    }
    if !ended {
        let producers: Vec<String> = t
            .lab
            .producers()
            .map(|p| {
                format!(
                    "{} {:?} killed {} paused {} running {} sent {} acked {} failed {} epoch {:?}",
                    p.client_id,
                    p.transaction_state(),
                    p.is_killed(),
                    p.paused,
                    p.running,
                    p.sent,
                    p.acknowledged,
                    p.failed,
                    p.producer_epoch()
                )
            })
            .collect();
        let offsets: Vec<String> = (0..PARTITIONS)
            .map(|p| {
                let tp = TopicPartition::new(TOPIC, p);
                format!(
                    "{tp}: leader {:?} LSO {:?} HW {:?}",
                    t.lab.leader_of(&tp),
                    t.lab.last_stable_offset(&tp),
                    t.lab.high_watermark(&tp)
                )
            })
            .collect();
        return Err(format!(
            "transactions still open {ENDED_WITHIN_MS} ms after healing: {:?}; {producers:?}; {offsets:?}",
            t.lab.transactions()
        ));
    }
    // The last producer's last transaction: stopping committed it, or it was fenced.
    for p in t.lab.producers() {
        if let Some(n) = p.transaction_number() {
            tracker.abandoned(p.id, n, Some(ProducerTxnState::Committing));
        }
    }
    // Let both consumers catch up with the HW.
    for _ in 0..15_000 / step {
        t.run_for(step);
        tracker.observe(&t.lab)?;
    }
    let values = |id: ClientId| -> Vec<Bytes> {
        t.lab
            .consumer(id)
            .map(|c| c.history.iter().filter_map(|r| r.value.clone()).collect())
            .unwrap_or_default()
    };
    let (rc_seen, ru_seen) = (values(rc), values(ru));
    let mut aborted_seen_uncommitted = 0;
    for v in &ru_seen {
        if let Some(k) = tracker.txn_of.get(v)
            && tracker.outcomes.get(k) == Some(&Outcome::Aborted)
        {
            aborted_seen_uncommitted += 1;
        }
    }
    for v in &rc_seen {
        let Some(k) = tracker.txn_of.get(v) else {
            // Written but never acknowledged (its producer died first): it cannot have committed
            // unless its transaction did.
            continue;
        };
        match tracker.outcomes.get(k) {
            Some(Outcome::Committed) | Some(Outcome::Unknown) => {}
            other => {
                return Err(format!(
                    "read_committed read {} of transaction {k:?}, which ended {other:?}",
                    String::from_utf8_lossy(v)
                ));
            }
        }
    }
    let rc_set: BTreeSet<&Bytes> = rc_seen.iter().collect();
    let mut committed_records = 0;
    for (v, k) in &tracker.txn_of {
        if tracker.outcomes.get(k) == Some(&Outcome::Committed) {
            committed_records += 1;
            if !rc_set.contains(v) {
                return Err(format!(
                    "committed record {} of transaction {k:?} never read by read_committed",
                    String::from_utf8_lossy(v)
                ));
            }
        }
    }
    if committed_records == 0 {
        return Err("no transaction committed".into());
    }
    let summary = format!(
        "{committed_records} committed records, {} transactions, {kills} kills, {zombies} zombies, read_uncommitted read {aborted_seen_uncommitted} aborted records",
        tracker.outcomes.len()
    );
    Ok((summary, aborted_seen_uncommitted))
}

#[test]
fn simulated_transactional_producers_commit_once_per_epoch_and_read_committed_never_sees_aborts() {
    let mut aborted_read_uncommitted = 0;
    for seed in common::chaos_seeds(8) {
        match run_seed(seed) {
            Ok((summary, aborted)) => {
                eprintln!("seed {seed}: {summary}");
                aborted_read_uncommitted += aborted;
            }
            Err(e) => panic!("seed {seed}: {e}\nreplay with KAFKA_LAB_SEED={seed}"),
        }
    }
    // The runs did abort transactions whose records were read: read_committed had something to skip.
    if std::env::var("KAFKA_LAB_SEED").is_err() {
        assert!(aborted_read_uncommitted > 0);
    }
}
