//! Expectations: what a lesson says must be true at a point of the story.
//!
//! An `expect` names one subject and checks any of that subject's fields; `within = "10s"` lets it
//! wait up to that long (simulated) for them all to hold, otherwise it is checked once.
//!
//! | subject | fields |
//! | --- | --- |
//! | `group = "G"` | `state` (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead), `members = N`, `generation_at_least = N`, `owner = { consumer = "B", partitions = ["test-0", "test-1"] }` (exactly these), `revoked_at_least = N` / `revoked_at_most = N` (partitions revoked from members since the start) |
//! | `partition = "test-0"` | `leader = B`, `leader_not = B`, `isr = [1, 2]` (as a set), `isr_size = N`, `isr_excludes = B`, `elr = [2, 3]` (as a set), `offline = true`, `hw_at_least = N`, `log_start_at_least = N` |
//! | `consumer = "A"` (its newest incarnation) | `state` (Running, Killed, Closed), `first_offset = { partition = "test-0", offset = 0 }` (the first record it read there), `read_at_least = N`, `owns = ["test-0"]` (exactly), `keys_in_order = true|false` (each key from one partition, in the order produced), `duplicates = N` / `duplicates_at_least = N` (records read at more than one offset), `from = "P"` (only producer P's records for those two) |
//! | `consumer = "A"`, transactions | `aborted_read = N` / `aborted_read_at_least = N` (records it read of transactions the log says aborted) |
//! | `producer = "P"` | `acked_at_least = N`, `lost_acked = N` / `lost_acked_at_least = N` (acknowledged records no longer on the partition's leader), `state` (a transactional one's: Initializing, Ready, InTransaction, Committing, Aborting, Fenced) |
//! | `broker = 1` | `state` (Up, ShuttingDown, Down) |

use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::{BrokerState, GroupState};
use crate::cluster::types::{BrokerId, ClientId, TopicPartition};
use crate::lab::Lab;
use crate::lab::LabSnapshot;
use crate::text::{Lang, text, text_in, text_with, text_with_in};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::fmt;

mod records;
mod txn;

use records::duplicates;

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
    /// The KRaft controller quorum.
    Quorum,
}

impl Subject {
    /// `group lab-group`, `partition test-0`: the subject in `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        let (key, name) = match self {
            Subject::Group(g) => ("check.group", g.clone()),
            Subject::Partition(tp) => ("check.partition", tp.to_string()),
            Subject::Consumer(c) => ("check.consumer", c.clone()),
            Subject::Producer(p) => ("check.producer", p.clone()),
            Subject::Broker(b) => ("check.broker", b.to_string()),
            Subject::Quorum => ("check.quorum", String::new()),
        };
        text_with_in(lang, key, &[("name", &name)])
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe_in(Lang::En))
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
    /// Each key came from one partition and in the order it was produced (`holds`), or some key
    /// did not (`!holds`); only producer `from`'s records when named.
    KeysInOrder {
        /// The producer whose records count (all keyed producers when `None`).
        from: Option<String>,
        /// Whether order must hold or must break.
        holds: bool,
    },
    /// Exactly this many records were read at a second offset (a producer's retry written twice).
    Duplicates {
        /// The producer whose records count (all when `None`).
        from: Option<String>,
        /// How many extra copies.
        count: u64,
    },
    /// At least this many records were read at a second offset.
    DuplicatesAtLeast {
        /// The producer whose records count (all when `None`).
        from: Option<String>,
        /// How many extra copies at least.
        count: u64,
    },
    /// The producer had at least this many records acknowledged.
    AckedAtLeast(u64),
    /// Exactly this many acknowledged records are gone from their partition's leader.
    LostAcked(u64),
    /// At least this many acknowledged records are gone.
    LostAckedAtLeast(u64),
    /// The broker's state.
    BrokerState(BrokerState),
    /// Fewer than a majority of controllers run (true), or a majority does (false).
    QuorumLost(bool),
    /// There is an active controller, and it is not this node.
    ControllerNot(Option<BrokerId>),
    /// The consumer read exactly this many records of aborted transactions.
    AbortedRead(u64),
    /// The consumer read at least this many records of aborted transactions.
    AbortedReadAtLeast(u64),
    /// A transactional producer's state.
    ProducerTxnState(crate::clients::view::ProducerTxnState),
}

/// ` of P` when the check names a producer, in `lang`; empty otherwise.
fn of_producer(lang: Lang, from: &Option<String>) -> String {
    from.as_ref()
        .map(|p| text_with_in(lang, "check.of_producer", &[("producer", p)]))
        .unwrap_or_default()
}

fn tps(v: &[TopicPartition]) -> String {
    let s: Vec<String> = v.iter().map(|t| t.to_string()).collect();
    format!("[{}]", s.join(","))
}

impl Check {
    /// What must hold, in `lang`: `has 2 members`, `leader is broker 2`.
    pub fn describe_in(&self, lang: Lang) -> String {
        let n = |v: &dyn fmt::Display| v.to_string();
        let (key, args): (&'static str, Vec<(&str, String)>) = match self {
            Check::GroupState(s) => ("check.state", vec![("state", n(s))]),
            Check::Members(v) => ("check.members", vec![("n", n(v))]),
            Check::GenerationAtLeast(v) => ("check.generation_at_least", vec![("n", n(v))]),
            Check::Owner {
                consumer,
                partitions,
            } => (
                "check.owner",
                vec![
                    ("consumer", consumer.clone()),
                    ("partitions", tps(partitions)),
                ],
            ),
            Check::RevokedAtLeast(v) => ("check.revoked_at_least", vec![("n", n(v))]),
            Check::RevokedAtMost(v) => ("check.revoked_at_most", vec![("n", n(v))]),
            Check::Leader(b) => ("check.leader", vec![("broker", n(b))]),
            Check::LeaderNot(b) => ("check.leader_not", vec![("broker", n(b))]),
            Check::Isr(v) => ("check.isr", vec![("isr", format!("{v:?}"))]),
            Check::IsrSize(v) => ("check.isr_size", vec![("n", n(v))]),
            Check::IsrExcludes(b) => ("check.isr_excludes", vec![("broker", n(b))]),
            Check::Elr(v) => ("check.elr", vec![("elr", format!("{v:?}"))]),
            Check::Offline(true) => ("check.offline", vec![]),
            Check::Offline(false) => ("check.has_leader", vec![]),
            Check::HwAtLeast(v) => ("check.hw_at_least", vec![("n", n(v))]),
            Check::LogStartAtLeast(v) => ("check.log_start_at_least", vec![("n", n(v))]),
            Check::ConsumerState(s) => ("check.state", vec![("state", format!("{s:?}"))]),
            Check::FirstOffset(tp, o) => {
                ("check.first_offset", vec![("tp", n(tp)), ("offset", n(o))])
            }
            Check::ReadAtLeast(v) => ("check.read_at_least", vec![("n", n(v))]),
            Check::Owns(v) => ("check.owns", vec![("partitions", tps(v))]),
            Check::KeysInOrder { from, holds } => {
                let key = if *holds {
                    "check.keys_in_order"
                } else {
                    "check.keys_out_of_order"
                };
                (key, vec![("of", of_producer(lang, from))])
            }
            Check::Duplicates { from, count } => (
                "check.duplicates",
                vec![("n", n(count)), ("of", of_producer(lang, from))],
            ),
            Check::DuplicatesAtLeast { from, count } => (
                "check.duplicates_at_least",
                vec![("n", n(count)), ("of", of_producer(lang, from))],
            ),
            Check::AckedAtLeast(v) => ("check.acked_at_least", vec![("n", n(v))]),
            Check::LostAcked(v) => ("check.lost_acked", vec![("n", n(v))]),
            Check::LostAckedAtLeast(v) => ("check.lost_acked_at_least", vec![("n", n(v))]),
            Check::BrokerState(s) => ("check.state", vec![("state", format!("{s:?}"))]),
            Check::QuorumLost(true) => ("check.quorum_lost", vec![]),
            Check::QuorumLost(false) => ("check.quorum_kept", vec![]),
            Check::ControllerNot(None) => ("check.controller_active", vec![]),
            Check::ControllerNot(Some(b)) => ("check.controller_not", vec![("node", n(b))]),
            Check::AbortedRead(v) => ("check.aborted_read", vec![("n", n(v))]),
            Check::AbortedReadAtLeast(v) => ("check.aborted_read_at_least", vec![("n", n(v))]),
            Check::ProducerTxnState(s) => ("check.state", vec![("state", format!("{s:?}"))]),
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        text_with_in(lang, key, &args)
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe_in(Lang::En))
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

impl Expect {
    /// The subject and its checks in `lang`: `group lab-group is Stable, has 2 members`.
    pub fn describe_in(&self, lang: Lang) -> String {
        let checks: Vec<String> = self.checks.iter().map(|c| c.describe_in(lang)).collect();
        text_with_in(
            lang,
            "check.expect",
            &[
                ("subject", &self.subject.describe_in(lang)),
                ("checks", &checks.join(text_in(lang, "check.and"))),
            ],
        )
    }

    /// The same in the language in force, as lesson checks show it.
    pub fn describe(&self) -> String {
        self.describe_in(crate::text::lang())
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe_in(Lang::En))
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
                failed.push(text_with(
                    "check.expected",
                    &[
                        ("check", &c.describe_in(crate::text::lang())),
                        ("seen", &seen),
                    ],
                ));
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join(text("check.then")))
        }
    }

    fn check(&self, subject: &Subject, c: &Check) -> Result<(), String> {
        if let Some(r) = self.txn_check(subject, c) {
            return r;
        }
        let snap = self.snapshot;
        match subject {
            Subject::Group(g) => {
                let group = snap.groups.iter().find(|x| &x.group_id == g);
                let revoked = self.revoked.get(g).copied().unwrap_or(0);
                let Some(group) = group else {
                    return Err(text("seen.no_group").into());
                };
                match c {
                    Check::GroupState(s) => ok(group.state == *s, || it_is(&group.state)),
                    Check::Members(n) => ok(group.members.len() == *n, || {
                        seen_n("seen.has", group.members.len())
                    }),
                    Check::GenerationAtLeast(n) => ok(group.generation >= *n, || {
                        seen_n("seen.generation", group.generation)
                    }),
                    Check::Owner {
                        consumer,
                        partitions,
                    } => {
                        let member = group.members.iter().find(|m| &m.client_id == consumer);
                        match member {
                            None => Err(text_with("seen.not_member", &[("consumer", consumer)])),
                            Some(m) => {
                                let mut have = m.assigned.clone();
                                have.sort();
                                let mut want = partitions.clone();
                                want.sort();
                                ok(have == want, || owns(&have))
                            }
                        }
                    }
                    Check::RevokedAtLeast(n) => {
                        ok(revoked >= *n, || seen_n("seen.revoked", revoked))
                    }
                    Check::RevokedAtMost(n) => {
                        ok(revoked <= *n, || seen_n("seen.revoked", revoked))
                    }
                    _ => Err(text("seen.not_group_check").into()),
                }
            }
            Subject::Partition(tp) => {
                let Some(p) = snap.partitions.iter().find(|p| &p.tp == tp) else {
                    return Err(text("seen.no_such").into());
                };
                let leader = || match p.leader {
                    Some(l) => seen_n("seen.leader", l),
                    None => text("seen.no_leader").into(),
                };
                let mut isr = p.isr.clone();
                isr.sort();
                match c {
                    Check::Leader(b) => ok(p.leader == Some(*b), leader),
                    Check::LeaderNot(b) => ok(p.leader != Some(*b), leader),
                    Check::Isr(v) => ok(&isr == v, || isr_is(&isr)),
                    Check::IsrSize(n) => ok(isr.len() == *n, || isr_is(&isr)),
                    Check::IsrExcludes(b) => ok(!isr.contains(b), || isr_is(&isr)),
                    Check::Elr(v) => {
                        let mut elr = p.elr.clone();
                        elr.sort();
                        ok(&elr == v, || {
                            text_with("seen.elr", &[("elr", &format!("{elr:?}"))])
                        })
                    }
                    Check::Offline(o) => ok(p.leader.is_none() == *o, leader),
                    // A down leader's offsets are only the last known: no live HW to check.
                    Check::HwAtLeast(n) => ok(!p.leader_down && p.high_watermark >= *n, || {
                        text_with("seen.hw", &[("n", &live(p.high_watermark, p.leader_down))])
                    }),
                    Check::LogStartAtLeast(n) => {
                        ok(!p.leader_down && p.log_start_offset >= *n, || {
                            text_with(
                                "seen.log_start",
                                &[("n", &live(p.log_start_offset, p.leader_down))],
                            )
                        })
                    }
                    _ => Err(text("seen.not_partition_check").into()),
                }
            }
            Subject::Consumer(name) => {
                let Some(c_) = self
                    .consumers
                    .get(name)
                    .and_then(|id| self.lab.consumer(*id))
                else {
                    return Err(text_with("seen.never_started", &[("name", name)]));
                };
                match c {
                    Check::ConsumerState(s) => {
                        ok(c_.state == *s, || it_is(&format!("{:?}", c_.state)))
                    }
                    Check::FirstOffset(tp, o) => match c_.history.iter().find(|r| &r.tp == tp) {
                        None => Err(text_with("seen.read_nothing", &[("tp", &tp.to_string())])),
                        Some(r) => ok(r.offset == *o, || {
                            text_with(
                                "seen.first_read",
                                &[("tp", &tp.to_string()), ("offset", &r.offset.to_string())],
                            )
                        }),
                    },
                    Check::ReadAtLeast(n) => {
                        ok(c_.consumed >= *n, || seen_n("seen.read", c_.consumed))
                    }
                    Check::Owns(v) => {
                        let mut have = c_.assignment.clone();
                        have.sort();
                        let mut want = v.clone();
                        want.sort();
                        ok(have == want, || owns(&have))
                    }
                    Check::KeysInOrder { from, holds } => {
                        match (self.keys_in_order(c_, from.as_deref()), holds) {
                            (Ok(()), true) | (Err(_), false) => Ok(()),
                            (Err(seen), true) => Err(seen),
                            (Ok(()), false) => Err(text("seen.keys_stayed_in_order").into()),
                        }
                    }
                    Check::Duplicates { from, count } => {
                        let d = duplicates(c_, from.as_deref());
                        ok(d == *count, || seen_n("seen.duplicates", d))
                    }
                    Check::DuplicatesAtLeast { from, count } => {
                        let d = duplicates(c_, from.as_deref());
                        ok(d >= *count, || seen_n("seen.duplicates", d))
                    }
                    _ => Err(text("seen.not_consumer_check").into()),
                }
            }
            Subject::Producer(name) => {
                let Some(p) = self
                    .producers
                    .get(name)
                    .and_then(|id| self.lab.producer(*id))
                else {
                    return Err(text_with("seen.never_started", &[("name", name)]));
                };
                match c {
                    Check::AckedAtLeast(n) => ok(p.acknowledged >= *n, || {
                        seen_n("seen.acknowledged", p.acknowledged)
                    }),
                    Check::LostAcked(n) => {
                        let lost = self.lost_acked(name);
                        ok(lost == *n, || seen_n("seen.lost", lost))
                    }
                    Check::LostAckedAtLeast(n) => {
                        let lost = self.lost_acked(name);
                        ok(lost >= *n, || seen_n("seen.lost", lost))
                    }
                    _ => Err(text("seen.not_producer_check").into()),
                }
            }
            Subject::Broker(id) => {
                let Some(b) = snap.brokers.iter().find(|b| b.id == *id) else {
                    return Err(text("seen.no_such").into());
                };
                match c {
                    Check::BrokerState(s) => ok(b.state == *s, || it_is(&format!("{:?}", b.state))),
                    _ => Err(text("seen.not_broker_check").into()),
                }
            }
            Subject::Quorum => {
                let voters: Vec<_> = snap.quorum.iter().filter(|n| n.voter).collect();
                let up = voters
                    .iter()
                    .filter(|n| n.role != crate::cluster::kraft::Role::Down)
                    .count();
                let lost = up < voters.len() / 2 + 1;
                let seen_up = || {
                    text_with(
                        "seen.controllers_up",
                        &[
                            ("up", &up.to_string()),
                            ("voters", &voters.len().to_string()),
                        ],
                    )
                };
                match c {
                    Check::QuorumLost(want) => ok(lost == *want, seen_up),
                    Check::ControllerNot(not) => match snap.controller {
                        None => Err(text("seen.no_active_controller").into()),
                        Some(a) => ok(Some(a) != *not, || {
                            text_with("seen.active_controller", &[("node", &a.to_string())])
                        }),
                    },
                    _ => Err(text("seen.not_quorum_check").into()),
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
}

/// What was seen, `key`'s text with `{n}` filled.
fn seen_n(key: &'static str, n: impl fmt::Display) -> String {
    text_with(key, &[("n", &n.to_string())])
}

/// `it is Stable`: a state as seen.
fn it_is(state: &dyn fmt::Display) -> String {
    text_with("seen.it_is", &[("state", &state.to_string())])
}

/// `it owns [test-0]`.
fn owns(have: &[TopicPartition]) -> String {
    text_with("seen.owns", &[("partitions", &tps(have))])
}

/// `the ISR is [1, 2]`.
fn isr_is(isr: &[BrokerId]) -> String {
    text_with("seen.isr", &[("isr", &format!("{isr:?}"))])
}

fn ok(cond: bool, seen: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(seen()) }
}

/// An offset as a check reports it: a down leader's last known value says so.
fn live(offset: i64, leader_down: bool) -> String {
    if leader_down {
        text_with("seen.unknown_offset", &[("n", &offset.to_string())])
    } else {
        offset.to_string()
    }
}
