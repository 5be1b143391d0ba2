//! Expectations: what a lesson says must be true at a point of the story.
//!
//! An `expect` names one subject and checks any of that subject's fields; `within = "10s"` lets it
//! wait up to that long (simulated) for them all to hold, otherwise it is checked once.
//!
//! | subject | fields |
//! | --- | --- |
//! | `group = "G"` | `state` (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead), `members = N`, `generation_at_least = N`, `owner = { consumer = "B", partitions = ["test-0", "test-1"] }` (exactly these), `revoked_at_least = N` / `revoked_at_most = N` (partitions revoked from members since the start) |
//! | `partition = "test-0"` | `leader = B`, `leader_not = B`, `isr = [1, 2]` (as a set), `isr_size = N`, `isr_excludes = B`, `elr = [2, 3]` (as a set), `offline = true`, `hw_at_least = N`, `log_start_at_least = N` |
//! | `consumer = "A"` (its newest incarnation) | `state` (Running, Killed, Closed), `first_offset = { partition = "test-0", offset = 0 }` (the first record it read there), `read_at_least = N`, `owns = ["test-0"]` (exactly), `keys_in_order = true` (each key from one partition, in the order produced) |
//! | `producer = "P"` | `acked_at_least = N`, `lost_acked = N` / `lost_acked_at_least = N` (acknowledged records no longer on the partition's leader) |
//! | `broker = 1` | `state` (Up, ShuttingDown, Down) |

use crate::clients::spec::KeyMode;
use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::{BrokerState, GroupState};
use crate::cluster::types::{BrokerId, ClientId, TopicPartition};
use crate::lab::Lab;
use crate::lab::LabSnapshot;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::fmt;

/// What an expectation is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// A consumer group.
    Group(String),
    /// A partition.
    Partition(TopicPartition),
    /// A consumer by name.
    Consumer(String),
    /// A producer by name.
    Producer(String),
    /// A broker.
    Broker(BrokerId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Group(g) => write!(f, "group {g}"),
            Subject::Partition(tp) => write!(f, "partition {tp}"),
            Subject::Consumer(c) => write!(f, "consumer {c}"),
            Subject::Producer(p) => write!(f, "producer {p}"),
            Subject::Broker(b) => write!(f, "broker {b}"),
        }
    }
}

/// One fact to check about the subject.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The group's state.
    GroupState(GroupState),
    /// Members in the group.
    Members(usize),
    /// The group's generation is at least this.
    GenerationAtLeast(i32),
    /// A member owns exactly these partitions.
    Owner {
        /// Consumer name.
        consumer: String,
        /// Partitions it owns.
        partitions: Vec<TopicPartition>,
    },
    /// At least this many partitions were revoked from members of the group since the start.
    RevokedAtLeast(usize),
    /// At most this many partitions were revoked from members of the group since the start.
    RevokedAtMost(usize),
    /// The partition's leader.
    Leader(BrokerId),
    /// The partition's leader is not this broker (an offline partition passes).
    LeaderNot(BrokerId),
    /// The ISR, as a sorted set.
    Isr(Vec<BrokerId>),
    /// The ISR's size.
    IsrSize(usize),
    /// This broker is not in the ISR.
    IsrExcludes(BrokerId),
    /// The eligible leader replicas (KIP-966), as a sorted set.
    Elr(Vec<BrokerId>),
    /// The partition has no leader (true) or has one (false).
    Offline(bool),
    /// The HW is at least this.
    HwAtLeast(i64),
    /// The log start offset is at least this.
    LogStartAtLeast(i64),
    /// The consumer's state.
    ConsumerState(ConsumerState),
    /// The first record the consumer read from the partition had this offset.
    FirstOffset(TopicPartition, i64),
    /// The consumer processed at least this many records.
    ReadAtLeast(u64),
    /// The consumer owns exactly these partitions.
    Owns(Vec<TopicPartition>),
    /// Each key came from one partition and in the order it was produced.
    KeysInOrder,
    /// The producer had at least this many records acknowledged.
    AckedAtLeast(u64),
    /// Exactly this many acknowledged records are gone from their partition's leader.
    LostAcked(u64),
    /// At least this many acknowledged records are gone.
    LostAckedAtLeast(u64),
    /// The broker's state.
    BrokerState(BrokerState),
}

fn tps(v: &[TopicPartition]) -> String {
    let s: Vec<String> = v.iter().map(|t| t.to_string()).collect();
    format!("[{}]", s.join(","))
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::GroupState(s) => write!(f, "is {s}"),
            Check::Members(n) => write!(f, "has {n} members"),
            Check::GenerationAtLeast(n) => write!(f, "generation ≥ {n}"),
            Check::Owner {
                consumer,
                partitions,
            } => write!(f, "{consumer} owns {}", tps(partitions)),
            Check::RevokedAtLeast(n) => write!(f, "revoked ≥ {n} partitions"),
            Check::RevokedAtMost(n) => write!(f, "revoked ≤ {n} partitions"),
            Check::Leader(b) => write!(f, "leader is broker {b}"),
            Check::LeaderNot(b) => write!(f, "leader is not broker {b}"),
            Check::Isr(v) => write!(f, "ISR is {v:?}"),
            Check::IsrSize(n) => write!(f, "ISR has {n} replicas"),
            Check::IsrExcludes(b) => write!(f, "broker {b} is out of the ISR"),
            Check::Elr(v) => write!(f, "ELR is {v:?}"),
            Check::Offline(true) => write!(f, "is offline"),
            Check::Offline(false) => write!(f, "has a leader"),
            Check::HwAtLeast(n) => write!(f, "HW ≥ {n}"),
            Check::LogStartAtLeast(n) => write!(f, "log start ≥ {n}"),
            Check::ConsumerState(s) => write!(f, "is {s:?}"),
            Check::FirstOffset(tp, o) => write!(f, "first read {tp} at offset {o}"),
            Check::ReadAtLeast(n) => write!(f, "read ≥ {n} records"),
            Check::Owns(v) => write!(f, "owns {}", tps(v)),
            Check::KeysInOrder => write!(f, "saw every key on one partition, in order"),
            Check::AckedAtLeast(n) => write!(f, "had ≥ {n} records acknowledged"),
            Check::LostAcked(n) => write!(f, "lost {n} acknowledged records"),
            Check::LostAckedAtLeast(n) => write!(f, "lost ≥ {n} acknowledged records"),
            Check::BrokerState(s) => write!(f, "is {s:?}"),
        }
    }
}

/// A checked expectation from a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What it is about.
    pub subject: Subject,
    /// How long it may wait to hold (0: checked once).
    pub within_ms: i64,
    /// What must hold.
    pub checks: Vec<Check>,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let checks: Vec<String> = self.checks.iter().map(|c| c.to_string()).collect();
        write!(f, "{} {}", self.subject, checks.join(", "))
    }
}

/// What a runner has seen, beyond the cluster itself.
pub struct Observed<'a> {
    /// The lab.
    pub lab: &'a Lab,
    /// Its snapshot now.
    pub snapshot: &'a LabSnapshot,
    /// Newest consumer id by name.
    pub consumers: &'a BTreeMap<String, ClientId>,
    /// Newest producer id by name.
    pub producers: &'a BTreeMap<String, ClientId>,
    /// Every acknowledged (partition, offset, value) by producer name.
    pub acked: &'a BTreeMap<String, Vec<(TopicPartition, i64, Bytes)>>,
    /// Partitions revoked per group since the start.
    pub revoked: &'a BTreeMap<String, usize>,
}

impl Observed<'_> {
    /// Checks every fact; `Err` says what was seen instead, for each that failed.
    pub fn evaluate(&self, e: &Expect) -> Result<(), String> {
        let mut failed = Vec::new();
        for c in &e.checks {
            if let Err(seen) = self.check(&e.subject, c) {
                failed.push(format!("expected {c}, but {seen}"));
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }

    fn check(&self, subject: &Subject, c: &Check) -> Result<(), String> {
        let snap = self.snapshot;
        match subject {
            Subject::Group(g) => {
                let group = snap.groups.iter().find(|x| &x.group_id == g);
                let revoked = self.revoked.get(g).copied().unwrap_or(0);
                let Some(group) = group else {
                    return Err("the coordinator knows no such group".into());
                };
                match c {
                    Check::GroupState(s) => {
                        ok(group.state == *s, || format!("it is {}", group.state))
                    }
                    Check::Members(n) => ok(group.members.len() == *n, || {
                        format!("it has {}", group.members.len())
                    }),
                    Check::GenerationAtLeast(n) => ok(group.generation >= *n, || {
                        format!("it is at generation {}", group.generation)
                    }),
                    Check::Owner {
                        consumer,
                        partitions,
                    } => {
                        let member = group.members.iter().find(|m| &m.client_id == consumer);
                        match member {
                            None => Err(format!("{consumer} is not a member")),
                            Some(m) => {
                                let mut have = m.assigned.clone();
                                have.sort();
                                let mut want = partitions.clone();
                                want.sort();
                                ok(have == want, || format!("it owns {}", tps(&have)))
                            }
                        }
                    }
                    Check::RevokedAtLeast(n) => {
                        ok(revoked >= *n, || format!("{revoked} were revoked"))
                    }
                    Check::RevokedAtMost(n) => {
                        ok(revoked <= *n, || format!("{revoked} were revoked"))
                    }
                    _ => Err("not a group check".into()),
                }
            }
            Subject::Partition(tp) => {
                let Some(p) = snap.partitions.iter().find(|p| &p.tp == tp) else {
                    return Err("it does not exist".into());
                };
                let leader = || match p.leader {
                    Some(l) => format!("the leader is broker {l}"),
                    None => "it has no leader".into(),
                };
                let mut isr = p.isr.clone();
                isr.sort();
                match c {
                    Check::Leader(b) => ok(p.leader == Some(*b), leader),
                    Check::LeaderNot(b) => ok(p.leader != Some(*b), leader),
                    Check::Isr(v) => ok(&isr == v, || format!("the ISR is {isr:?}")),
                    Check::IsrSize(n) => ok(isr.len() == *n, || format!("the ISR is {isr:?}")),
                    Check::IsrExcludes(b) => ok(!isr.contains(b), || format!("the ISR is {isr:?}")),
                    Check::Elr(v) => {
                        let mut elr = p.elr.clone();
                        elr.sort();
                        ok(&elr == v, || format!("the ELR is {elr:?}"))
                    }
                    Check::Offline(o) => ok(p.leader.is_none() == *o, leader),
                    // A down leader's offsets are only the last known: no live HW to check.
                    Check::HwAtLeast(n) => ok(!p.leader_down && p.high_watermark >= *n, || {
                        format!("the HW is {}", live(p.high_watermark, p.leader_down))
                    }),
                    Check::LogStartAtLeast(n) => {
                        ok(!p.leader_down && p.log_start_offset >= *n, || {
                            format!(
                                "the log starts at {}",
                                live(p.log_start_offset, p.leader_down)
                            )
                        })
                    }
                    _ => Err("not a partition check".into()),
                }
            }
            Subject::Consumer(name) => {
                let Some(c_) = self
                    .consumers
                    .get(name)
                    .and_then(|id| self.lab.consumer(*id))
                else {
                    return Err(format!("{name} was never started"));
                };
                match c {
                    Check::ConsumerState(s) => {
                        ok(c_.state == *s, || format!("it is {:?}", c_.state))
                    }
                    Check::FirstOffset(tp, o) => match c_.history.iter().find(|r| &r.tp == tp) {
                        None => Err(format!("it read nothing from {tp}")),
                        Some(r) => ok(r.offset == *o, || {
                            format!("it first read {tp} at offset {}", r.offset)
                        }),
                    },
                    Check::ReadAtLeast(n) => {
                        ok(c_.consumed >= *n, || format!("it read {}", c_.consumed))
                    }
                    Check::Owns(v) => {
                        let mut have = c_.assignment.clone();
                        have.sort();
                        let mut want = v.clone();
                        want.sort();
                        ok(have == want, || format!("it owns {}", tps(&have)))
                    }
                    Check::KeysInOrder => self.keys_in_order(c_),
                    _ => Err("not a consumer check".into()),
                }
            }
            Subject::Producer(name) => {
                let Some(p) = self
                    .producers
                    .get(name)
                    .and_then(|id| self.lab.producer(*id))
                else {
                    return Err(format!("{name} was never started"));
                };
                match c {
                    Check::AckedAtLeast(n) => ok(p.acknowledged >= *n, || {
                        format!("{} were acknowledged", p.acknowledged)
                    }),
                    Check::LostAcked(n) => {
                        let lost = self.lost_acked(name);
                        ok(lost == *n, || format!("{lost} were lost"))
                    }
                    Check::LostAckedAtLeast(n) => {
                        let lost = self.lost_acked(name);
                        ok(lost >= *n, || format!("{lost} were lost"))
                    }
                    _ => Err("not a producer check".into()),
                }
            }
            Subject::Broker(id) => {
                let Some(b) = snap.brokers.iter().find(|b| b.id == *id) else {
                    return Err("it does not exist".into());
                };
                match c {
                    Check::BrokerState(s) => ok(b.state == *s, || format!("it is {:?}", b.state)),
                    _ => Err("not a broker check".into()),
                }
            }
        }
    }

    /// Acknowledged records of `producer` whose offset on the partition's current leader holds
    /// another value or nothing. Partitions without a leader are not counted (unavailable is not lost).
    pub fn lost_acked(&self, producer: &str) -> u64 {
        let Some(acked) = self.acked.get(producer) else {
            return 0;
        };
        let mut by_tp: BTreeMap<&TopicPartition, Vec<(i64, &Bytes)>> = BTreeMap::new();
        for (tp, offset, value) in acked {
            by_tp.entry(tp).or_default().push((*offset, value));
        }
        let mut lost = 0;
        for (tp, records) in by_tp {
            let Some(leader) = self.lab.leader_of(tp) else {
                continue;
            };
            let (Some(log), Some(end)) = (
                self.lab.replica_log(leader, tp),
                self.lab.replica_leo(leader, tp),
            ) else {
                continue;
            };
            let mut on_leader: BTreeMap<i64, Option<Bytes>> = BTreeMap::new();
            let mut offset = log.log_start_offset();
            // Bounded: each pass reads at least one record or stops.
            while offset < end {
                let Ok(batch) = log.read_records(offset, 1 << 20, end) else {
                    break;
                };
                let Some(last) = batch.last() else { break };
                offset = last.offset + 1;
                for r in batch {
                    on_leader.insert(r.offset, r.value.clone());
                }
            }
            let start = log.log_start_offset();
            for (o, v) in records {
                // Retention deleting old records is not losing them.
                if o < start {
                    continue;
                }
                if on_leader.get(&o).and_then(|x| x.as_ref()) != Some(v) {
                    lost += 1;
                }
            }
        }
        lost
    }

    fn keys_in_order(&self, c: &crate::clients::consumer::SimConsumer) -> Result<(), String> {
        // Values are `PRODUCER#N`; a keyed producer's record N has key `key-(N mod keys)`.
        let keys: BTreeMap<String, u32> = self
            .producers
            .iter()
            .filter_map(|(name, id)| match self.lab.producer(*id)?.spec.key_mode {
                KeyMode::Keyed { distinct_keys } => Some((name.clone(), distinct_keys.max(1))),
                KeyMode::None => None,
            })
            .collect();
        let mut last: BTreeMap<(String, u64), (TopicPartition, u64)> = BTreeMap::new();
        let mut seen = 0;
        for r in &c.history {
            let Some(v) = &r.value else { continue };
            let text = String::from_utf8_lossy(v);
            let Some((producer, rest)) = text.split_once('#') else {
                continue;
            };
            let Some(k) = keys.get(producer) else {
                continue;
            };
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let Ok(n) = digits.parse::<u64>() else {
                continue;
            };
            let key = (producer.to_string(), n % *k as u64);
            seen += 1;
            if let Some((tp, prev)) = last.get(&key) {
                if *tp != r.tp {
                    return Err(format!("key-{} came from {tp} and from {}", key.1, r.tp));
                }
                if n <= *prev {
                    return Err(format!("key-{}: record #{n} arrived after #{prev}", key.1));
                }
            }
            last.insert(key, (r.tp.clone(), n));
        }
        ok(seen > 0, || "it read no keyed records".into())
    }
}

fn ok(cond: bool, seen: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(seen()) }
}

/// An offset as a check reports it: a down leader's last known value says so.
fn live(offset: i64, leader_down: bool) -> String {
    if leader_down {
        format!("unknown (leader down; last known {offset})")
    } else {
        offset.to_string()
    }
}
