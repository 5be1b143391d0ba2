//! What the `e` key explains: a selection ([`Target`]) and a snapshot in, a title and a few short
//! paragraphs out, naming the Kafka rule at work with this lab's config values and what would
//! change it. Pure, so tests check the real values appear; the texts are in the catalogue.

use super::text::{text, text_with};
use crate::clients::spec::{CommitMode, KeyMode, Partitioner};
use crate::clients::view::{ClientOrigin, ConsumerSnapshot, ConsumerState};
use crate::cluster::event::Event;
use crate::cluster::snapshot::{BrokerState, GroupState, ReplicaRole};
use crate::cluster::types::{Acks, BrokerId, ClientId, TopicPartition};
use crate::lab::LabSnapshot;
use crate::ui::widgets::{self, ids};
use event::event;

/// What is being explained, by identity (not by row index), so the overlay follows its subject
/// while the lab moves on.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A broker.
    Broker(BrokerId),
    /// A partition.
    Partition(TopicPartition),
    /// A consumer group.
    Group(String),
    /// A member of a group (its simulated consumer, if any, gives its configs).
    Member {
        /// `group.id`.
        group: String,
        /// Member id.
        member_id: String,
    },
    /// A simulated consumer that is not a member (joining, killed or closed).
    Consumer(ClientId),
    /// A producer.
    Producer(ClientId),
    /// One timeline event.
    Event(Box<Event>),
    /// Nothing selectable under the focus.
    Nothing,
}

// Events hold no floats: equality is total, so `Mode` can stay `Eq`.
impl Eq for Target {}

/// An explanation: a title and paragraphs, each wrapped by the overlay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The overlay's title.
    pub title: String,
    /// Short paragraphs, the rule first, what would change it last.
    pub paragraphs: Vec<String>,
}

impl Explanation {
    fn new(title: String) -> Self {
        Self {
            title,
            paragraphs: Vec::new(),
        }
    }

    fn add(&mut self, paragraph: String) {
        self.paragraphs.push(paragraph);
    }
}

/// Explains `target` with the values of `snap`; `lesson` says which key kills a broker.
pub fn explain(snap: &LabSnapshot, target: &Target, lesson: bool) -> Explanation {
    let mut x = subject(snap, target, lesson);
    if let Some(note) = shortened::note(&snap.settings, &x) {
        x.add(note);
    }
    x
}

/// The explanation of the subject itself, before the note on shortened timers.
fn subject(snap: &LabSnapshot, target: &Target, lesson: bool) -> Explanation {
    match target {
        Target::Broker(id) => broker(snap, *id, lesson),
        Target::Partition(tp) => partition(snap, tp),
        Target::Group(g) => group(snap, g),
        Target::Member { group, member_id } => member(snap, group, member_id),
        Target::Consumer(id) => consumer(snap, *id),
        Target::Producer(id) => producer(snap, *id),
        Target::Event(e) => event(snap, e),
        Target::Nothing => {
            let mut x = Explanation::new(text("explain.title").to_string());
            x.add(text("explain.nothing").to_string());
            x
        }
    }
}

/// What the explanation was about, named from the catalogue (`explain.subject.*`).
fn named(key: &'static str, name: &str) -> String {
    text_with(key, &[("name", name)])
}

fn gone(what: String) -> Explanation {
    let mut x = Explanation::new(what.clone());
    x.add(text_with("explain.gone", &[("what", &what)]));
    x
}

fn ms(v: impl ToString) -> String {
    v.to_string()
}

fn broker(snap: &LabSnapshot, id: BrokerId, lesson: bool) -> Explanation {
    let Some(b) = snap.brokers.iter().find(|b| b.id == id) else {
        return gone(named("explain.subject.broker", &id.to_string()));
    };
    let s = &snap.settings;
    let id_s = id.to_string();
    let args = [
        ("broker", id_s.as_str()),
        ("led", &b.partitions_led.to_string()),
        ("replicas", &b.replicas.to_string()),
        ("heartbeat", &ms(s.broker_heartbeat_interval_ms)),
        ("session", &ms(s.broker_session_timeout_ms)),
        ("lag", &ms(s.replica_lag_time_max_ms)),
        ("kill_key", if lesson { "B" } else { "b" }),
    ];
    let mut x = Explanation::new(text_with("explain.broker.title", &args));
    x.add(text_with(
        match b.state {
            BrokerState::Up => "explain.broker.up",
            BrokerState::ShuttingDown => "explain.broker.shutting_down",
            BrokerState::Down => "explain.broker.down",
        },
        &args,
    ));
    if b.is_controller {
        x.add(text("explain.broker.controller").to_string());
    }
    x.add(kraft_paragraph(snap, id));
    if b.slow {
        x.add(text_with("explain.broker.slow", &args));
    }
    x.add(text_with("explain.broker.change", &args));
    x
}

/// What a node does in the KRaft quorum: a controller's role, epoch, metadata log and timer, or
/// a broker-only node observing; and the quorum lost, if it is.
fn kraft_paragraph(snap: &LabSnapshot, id: i32) -> String {
    let s = &snap.settings;
    let node = snap.quorum.iter().find(|n| n.id == id);
    let mut out = match node {
        Some(n) if n.voter => text_with(
            "explain.broker.kraft_voter",
            &[
                ("line", widgets::quorum::line(n, snap.now_ms).as_str()),
                ("voters", s.controller_voters.to_string().as_str()),
                (
                    "election",
                    ms(s.controller_quorum_election_timeout_ms).as_str(),
                ),
                ("fetch", ms(s.controller_quorum_fetch_timeout_ms).as_str()),
            ],
        ),
        Some(n) => text_with(
            "explain.broker.kraft_observer",
            &[("hw", n.high_watermark.to_string().as_str())],
        ),
        None => String::new(),
    };
    if let Some(lost) = widgets::quorum::lost_line(snap) {
        out.push(' ');
        out.push_str(&lost);
    }
    out
}

fn min_isr(snap: &LabSnapshot, topic: &str) -> i16 {
    snap.topics
        .iter()
        .find(|t| t.name == topic)
        .map(|t| t.min_insync_replicas)
        .unwrap_or(1)
}

fn unclean_args(snap: &LabSnapshot) -> (&'static str, &'static str) {
    if snap.settings.unclean_leader_election {
        ("true", "explain.event.unclean_rule_on")
    } else {
        ("false", "explain.event.unclean_rule_off")
    }
}

fn partition(snap: &LabSnapshot, tp: &TopicPartition) -> Explanation {
    let Some(p) = snap.partitions.iter().find(|p| &p.tp == tp) else {
        return gone(named("explain.subject.partition", &tp.to_string()));
    };
    let s = &snap.settings;
    let out_of_sync: Vec<BrokerId> = p
        .replica_states
        .iter()
        .filter(|r| r.role == ReplicaRole::OutOfSync)
        .map(|r| r.broker)
        .collect();
    let args = [
        ("tp", tp.to_string()),
        (
            "leader",
            p.leader.map(|l| l.to_string()).unwrap_or_default(),
        ),
        ("epoch", p.leader_epoch.to_string()),
        ("replicas", ids(&p.replicas)),
        ("isr", format!("[{}]", ids(&p.isr))),
        ("hw", p.high_watermark.to_string()),
        ("leo", p.log_end_offset.to_string()),
        (
            "unreplicated",
            (p.log_end_offset - p.high_watermark).max(0).to_string(),
        ),
        ("brokers", ids(&out_of_sync)),
        ("lag", ms(s.replica_lag_time_max_ms)),
        ("min_isr", min_isr(snap, &tp.topic).to_string()),
        ("session", ms(s.broker_session_timeout_ms)),
        ("elr", format!("[{}]", ids(&p.elr))),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.partition.title", &args));
    if crate::ui::widgets::leader_down(p) {
        x.add(text_with("explain.partition.offline", &args));
    } else {
        x.add(text_with("explain.partition.leader", &args));
        x.add(text_with("explain.partition.offsets", &args));
    }
    if !out_of_sync.is_empty() {
        x.add(text_with("explain.partition.out_of_sync", &args));
    }
    if !p.elr.is_empty() {
        x.add(text_with("explain.partition.elr", &args));
    }
    x.add(text_with("explain.partition.acks", &args));
    x.add(text_with("explain.partition.failover", &args));
    x.add(
        text(if s.unclean_leader_election {
            "explain.partition.unclean_on"
        } else {
            "explain.partition.unclean_off"
        })
        .to_string(),
    );
    x
}

fn group(snap: &LabSnapshot, group_id: &str) -> Explanation {
    let Some(g) = snap.groups.iter().find(|g| g.group_id == group_id) else {
        return gone(named("explain.subject.group", group_id));
    };
    let assignor = g
        .assignor
        .clone()
        .unwrap_or_else(|| text("explain.group.no_assignor_yet").to_string());
    let lag: i64 = g.partitions.iter().filter_map(|p| p.lag).sum();
    let args = [
        ("group", g.group_id.clone()),
        ("state", g.state.to_string()),
        ("generation", g.generation.to_string()),
        ("assignor", assignor.clone()),
        (
            "coordinator",
            g.coordinator
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        ("members", g.members.len().to_string()),
        ("delay", ms(snap.settings.group_initial_rebalance_delay_ms)),
        ("lag", lag.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.group.title", &args));
    x.add(text_with("explain.group.state", &args));
    x.add(text_with(
        match g.state {
            GroupState::Stable => "explain.group.stable",
            GroupState::PreparingRebalance => "explain.group.preparing",
            GroupState::CompletingRebalance => "explain.group.completing",
            GroupState::Reconciling => "explain.group.reconciling",
            GroupState::Empty => "explain.group.empty",
            GroupState::Dead => "explain.group.dead",
        },
        &args,
    ));
    x.add(text_with("explain.group.lag", &args));
    if let Some(trend) = lag_trend_sentence(&g.lag_history) {
        x.add(trend);
    }
    if assignor == "cooperative-sticky" {
        x.add(text("explain.group.cooperative").to_string());
    } else if g.assignor.is_some() {
        x.add(text_with("explain.group.eager", &args));
    }
    x.add(text("explain.group.change").to_string());
    x
}

/// The `{session}`, `{heartbeat}` and `{delay}` values of a consumer (Kafka's defaults for a
/// member the lab does not simulate).
fn timers(snap: &LabSnapshot, c: Option<&ConsumerSnapshot>) -> [(&'static str, String); 3] {
    [
        (
            "session",
            ms(c.map(|c| c.session_timeout_ms).unwrap_or(45_000)),
        ),
        (
            "heartbeat",
            ms(c.map(|c| c.heartbeat_interval_ms).unwrap_or(3_000)),
        ),
        ("delay", ms(snap.settings.group_initial_rebalance_delay_ms)),
    ]
}

fn commit_paragraph(c: &ConsumerSnapshot) -> String {
    match c.commit_mode {
        CommitMode::Auto { interval_ms } => text_with(
            "explain.member.auto_commit",
            &[("interval", &interval_ms.to_string())],
        ),
        CommitMode::EveryRecords { records } => text_with(
            "explain.member.every_commit",
            &[("records", &records.to_string())],
        ),
        CommitMode::Never => text("explain.member.never_commit").to_string(),
    }
}

fn member(snap: &LabSnapshot, group_id: &str, member_id: &str) -> Explanation {
    let Some(m) = snap
        .groups
        .iter()
        .find(|g| g.group_id == group_id)
        .and_then(|g| g.members.iter().find(|m| m.member_id == member_id))
    else {
        // A killed member the coordinator has removed since: its consumer tells the rest.
        return match consumer_named(snap, member_id) {
            Some(c) => consumer(snap, c.id),
            None => gone(named("explain.subject.member", member_id)),
        };
    };
    let c = consumer_named(snap, member_id);
    if let Some(c) = c.filter(|c| c.state != ConsumerState::Running) {
        // Killed but not yet removed: the session timeout is the story.
        return consumer(snap, c.id);
    }
    let partitions = m
        .assigned
        .iter()
        .map(|tp| tp.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut args: Vec<(&str, String)> = vec![
        ("client", m.client_id.clone()),
        ("group", group_id.to_string()),
        ("member", m.member_id.clone()),
        ("partitions", partitions),
    ];
    args.extend(timers(snap, c));
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.member.title", &args));
    x.add(text_with(
        if m.assigned.is_empty() {
            "explain.member.nothing"
        } else {
            "explain.member.owns"
        },
        &args,
    ));
    match c {
        Some(c) => {
            x.add(text_with("explain.member.heartbeat", &args));
            x.add(commit_paragraph(c));
            x.add(text_with("explain.member.change", &args));
        }
        None => x.add(text("explain.member.wire").to_string()),
    }
    x
}

fn consumer(snap: &LabSnapshot, id: ClientId) -> Explanation {
    let Some(c) = snap.consumers.iter().find(|c| c.id == id) else {
        return gone(named("explain.subject.consumer", &id.to_string()));
    };
    let mut args: Vec<(&str, String)> = vec![
        ("client", c.client_id.clone()),
        ("group", c.group_id.clone()),
    ];
    args.extend(timers(snap, Some(c)));
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.consumer.title", &args));
    x.add(text_with(
        match c.state {
            ConsumerState::Killed => "explain.consumer.killed",
            ConsumerState::Closed => "explain.consumer.closed",
            ConsumerState::Running => "explain.consumer.joining",
        },
        &args,
    ));
    if c.state == ConsumerState::Running {
        x.add(text_with("explain.member.heartbeat", &args));
    }
    x.add(text_with("explain.consumer.change", &args));
    x
}

fn producer(snap: &LabSnapshot, id: ClientId) -> Explanation {
    let Some(p) = snap.producers.iter().find(|p| p.id == id) else {
        return gone(named("explain.subject.producer", &id.to_string()));
    };
    let keys = match p.key_mode {
        KeyMode::Keyed { distinct_keys } => distinct_keys.to_string(),
        KeyMode::None => String::new(),
    };
    let args = [
        ("client", p.client_id.clone()),
        ("rate", crate::ui::widgets::rate(p.rate_per_sec)),
        ("topic", p.topic.clone()),
        ("acks", p.acks.to_string()),
        ("sent", p.sent.to_string()),
        ("acknowledged", p.acknowledged.to_string()),
        ("retried", p.retried.to_string()),
        ("failed", p.failed.to_string()),
        ("min_isr", min_isr(snap, &p.topic).to_string()),
        ("keys", keys),
        ("batch_size", p.batch_size.to_string()),
        (
            "pid",
            p.producer_id.map(|i| i.to_string()).unwrap_or_default(),
        ),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.producer.title", &args));
    x.add(text_with("explain.producer.sends", &args));
    x.add(text_with(
        match p.acks {
            Acks::All => "explain.producer.acks_all",
            Acks::Leader => "explain.producer.acks_leader",
            Acks::None => "explain.producer.acks_none",
        },
        &args,
    ));
    // Whether a retry can store a record twice or out of order: only acks=all producers retry
    // what they know failed, so only for them does idempotence decide it.
    if p.idempotent {
        x.add(text_with("explain.producer.idempotent", &args));
    } else if p.acks == Acks::All {
        x.add(text("explain.producer.not_idempotent").to_string());
    }
    if p.origin == ClientOrigin::Wire {
        x.add(text("explain.producer.wire").to_string());
    } else {
        x.add(text_with(
            match (p.partitioner, p.key_mode) {
                (Partitioner::RoundRobin, _) => "explain.producer.round_robin",
                (Partitioner::Sticky, KeyMode::None) => "explain.producer.no_key",
                (Partitioner::Sticky, KeyMode::Keyed { .. }) => "explain.producer.keyed",
            },
            &args,
        ));
        x.add(text("explain.producer.change").to_string());
    }
    x
}

/// The consumer of a client id or member id, for its `session.timeout.ms`.
fn consumer_named<'a>(snap: &'a LabSnapshot, name: &str) -> Option<&'a ConsumerSnapshot> {
    snap.consumers
        .iter()
        .find(|c| c.client_id == name || c.member_id.as_deref() == Some(name))
}

mod event;
mod shortened;

#[cfg(test)]
mod tests;

/// How the group's lag moved over the history its header draws: the story behind the number.
fn lag_trend_sentence(history: &[Option<i64>]) -> Option<String> {
    let known: Vec<i64> = history.iter().flatten().copied().collect();
    let (first, last) = (*known.first()?, *known.last()?);
    if known.len() < 2 {
        return None;
    }
    let peak = known.iter().copied().max().unwrap_or(last);
    let key = if last > first {
        "explain.group.lag_rising"
    } else if last < first {
        "explain.group.lag_falling"
    } else {
        "explain.group.lag_steady"
    };
    Some(text_with(
        key,
        &[
            ("secs", &history.len().to_string()),
            ("from", &first.to_string()),
            ("to", &last.to_string()),
            ("peak", &peak.to_string()),
        ],
    ))
}

#[cfg(test)]
mod lag_trend_tests {
    use super::lag_trend_sentence;

    #[test]
    fn the_trend_names_the_direction_from_the_first_to_the_last_known_lag() {
        let rising = lag_trend_sentence(&[None, Some(3), Some(40)]).expect("a sentence");
        assert!(rising.contains("rose from 3 to 40"), "{rising}");
        let falling = lag_trend_sentence(&[Some(90), Some(120), Some(10)]).expect("a sentence");
        assert!(
            falling.contains("fell from 90 to 10 (peak 120)"),
            "{falling}"
        );
        assert!(
            lag_trend_sentence(&[Some(5), Some(5)])
                .expect("a sentence")
                .contains("stayed at 5")
        );
        // One known second is no trend.
        assert_eq!(lag_trend_sentence(&[None, Some(3)]), None);
        assert_eq!(lag_trend_sentence(&[]), None);
    }
}
