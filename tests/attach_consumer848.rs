//! KIP-848 consumers (`group.protocol=consumer`) started from the attached dashboard, against a
//! lab running in another process (its teaching profile: group.consumer.session.timeout.ms
//! 10000, group.consumer.heartbeat.interval.ms 2000). Two members split the partitions with
//! ConsumerGroupHeartbeat, the group shows as a consumer-protocol group with both; a killed
//! member (`k`, nothing sent) loses its partitions to the other only after the session timeout,
//! a closed one (`x`, member epoch -1) at once.

mod common;

use common::attach::{Watch, options};
use common::live_lab::LiveLab;
use kafka_lab::attach::start;
use kafka_lab::clients::spec::{ConsumerSpec, GroupProtocol, KeyMode, OffsetReset, ProducerSpec};
use kafka_lab::clients::view::ConsumerState;
use kafka_lab::cluster::event::EventKind;
use kafka_lab::cluster::snapshot::GroupSnapshot;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::LabSnapshot;
use kafka_lab::lab::command::Command;
use std::time::{Duration, Instant};

const TOPIC: &str = "dash848";
const GROUP: &str = "dash848-g";
/// The lab's teaching `group.consumer.session.timeout.ms`.
const SESSION_MS: u64 = 10_000;

fn member_spec(name: &str) -> ConsumerSpec {
    let mut spec = ConsumerSpec::new(GROUP, TOPIC);
    spec.client_id = Some(name.into());
    spec.auto_offset_reset = OffsetReset::Earliest;
    spec.group_protocol = GroupProtocol::Consumer;
    spec
}

fn owned(s: &LabSnapshot, name: &str) -> Vec<TopicPartition> {
    s.consumers
        .iter()
        .find(|c| c.client_id == name && c.state == ConsumerState::Running)
        .map(|c| c.assigned.clone())
        .unwrap_or_default()
}

fn group(s: &LabSnapshot) -> Option<&GroupSnapshot> {
    s.cluster.groups.iter().find(|g| g.group_id == GROUP)
}

/// Members of the group in the snapshot, with their epoch and how many partitions each owns.
fn members(s: &LabSnapshot) -> Vec<(String, Option<i32>, usize)> {
    let mut out: Vec<_> = group(s)
        .map(|g| {
            g.members
                .iter()
                .map(|m| (m.client_id.clone(), m.member_epoch, m.assigned.len()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Whether `a` and `b` each own one partition, different ones, and the group shows both.
fn split(s: &LabSnapshot, a: &str, b: &str) -> bool {
    let (pa, pb) = (owned(s, a), owned(s, b));
    let seen = members(s);
    pa.len() == 1
        && pb.len() == 1
        && pa != pb
        && group(s).is_some_and(|g| g.protocol == "consumer")
        && seen.len() == 2
        && seen
            .iter()
            .all(|(_, e, n)| e.is_some_and(|e| e > 0) && *n == 1)
}

fn id_of(s: &LabSnapshot, name: &str) -> u32 {
    s.consumers
        .iter()
        .find(|c| c.client_id == name)
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("no consumer {name}"))
}

#[test]
fn kip848_members_split_a_topic_and_a_kill_waits_for_the_session_a_leave_does_not() {
    let lab = LiveLab::start(21, 1, &[]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _in_rt = rt.enter();
    let (_task, ch) = start(options(&lab, true));
    let mut w = Watch::new(ch);
    w.create_topic(TopicSpec::new(TOPIC, 2, 3));
    // Keyed, so both partitions get records: a sticky producer may keep to one partition for
    // the whole test, and its other member would never consume.
    let mut producer = ProducerSpec::new(TOPIC, 20.0);
    producer.key_mode = KeyMode::Keyed { distinct_keys: 8 };
    w.send(Command::SpawnProducer(producer));

    let joining = Instant::now();
    w.send(Command::SpawnConsumer(member_spec("k-a")));
    w.send(Command::SpawnConsumer(member_spec("k-b")));
    w.until(
        "two KIP-848 members splitting the partitions",
        Duration::from_secs(40),
        |s| {
            split(s, "k-a", "k-b")
                && s.consumers
                    .iter()
                    .filter(|c| c.client_id.starts_with("k-"))
                    .all(|c| c.consumed > 0)
        },
    );
    eprintln!(
        "measured: two KIP-848 members split the partitions {:?} after SpawnConsumer",
        joining.elapsed()
    );
    let s = w.snap.clone().expect("a snapshot");
    for c in s.consumers.iter().filter(|c| c.client_id.starts_with("k-")) {
        // Kafka 4 clients make their member id: a UUID in Kafka's 22-character text form.
        let id = c.member_id.clone().unwrap_or_default();
        assert_eq!(id.len(), 22, "{id}");
    }

    // `k` on k-a: nothing is sent, so k-b gets its partition only once its session expires.
    w.send(Command::KillConsumer(id_of(&s, "k-a")));
    w.event(
        "the kill",
        Duration::from_secs(5),
        |k| matches!(k, EventKind::ConsumerKilled { client_id } if client_id == "k-a"),
    );
    let killed_at = Instant::now();
    w.until(
        "k-b owning both partitions",
        Duration::from_secs(SESSION_MS / 1000 + 30),
        |s| owned(s, "k-b").len() == 2 && members(s).iter().any(|(c, _, n)| c == "k-b" && *n == 2),
    );
    let took_over = killed_at.elapsed();
    eprintln!(
        "measured: k-b took over {took_over:?} after the kill (group.consumer.session.timeout.ms={SESSION_MS})"
    );
    assert!(
        took_over >= Duration::from_millis(SESSION_MS / 2),
        "the partition moved at once ({took_over:?}): a kill must send nothing"
    );

    // A third member takes one partition from k-b; `x` on it hands it back at once.
    w.send(Command::SpawnConsumer(member_spec("k-c")));
    w.until(
        "k-b and k-c splitting the partitions",
        Duration::from_secs(40),
        |s| split(s, "k-b", "k-c"),
    );
    let s = w.snap.clone().expect("a snapshot");
    w.send(Command::CloseConsumer(id_of(&s, "k-c")));
    let closed_at = Instant::now();
    w.until(
        "k-b owning both partitions again",
        Duration::from_secs(SESSION_MS / 1000 + 30),
        |s| owned(s, "k-b").len() == 2 && members(s).iter().any(|(c, _, n)| c == "k-b" && *n == 2),
    );
    let handed_back = closed_at.elapsed();
    eprintln!("measured: k-b took k-c's partition {handed_back:?} after the leave (epoch -1)");
    assert!(
        handed_back < Duration::from_millis(SESSION_MS / 2),
        "the leave waited for the session ({handed_back:?}): x must send member epoch -1"
    );
}

/// The lab's own two KIP-848 consumers (`--group-protocol consumer`), attached read-only: the
/// poller alone (ListGroups v5's type, then ConsumerGroupDescribe; no dashboard client to stamp
/// the group) shows a consumer-protocol group with both members, their epochs and the partitions
/// split between them.
#[test]
fn the_poller_describes_a_kip848_group_it_did_not_start() {
    let lab = LiveLab::start(
        21,
        10,
        &["--consumers", "2", "--group-protocol", "consumer"],
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _in_rt = rt.enter();
    let (_task, ch) = start(options(&lab, false));
    let mut w = Watch::new(ch);
    w.until(
        "lab-group as a KIP-848 group with two members splitting test",
        Duration::from_secs(60),
        |s| {
            let Some(g) = s.cluster.groups.iter().find(|g| g.group_id == "lab-group") else {
                return false;
            };
            let mut owned: Vec<TopicPartition> =
                g.members.iter().flat_map(|m| m.assigned.clone()).collect();
            owned.sort();
            g.protocol == "consumer"
                && g.generation > 0
                && g.members.len() == 2
                && g.members
                    .iter()
                    .all(|m| m.member_epoch.is_some_and(|e| e > 0) && m.assigned.len() == 1)
                && owned
                    == vec![
                        TopicPartition::new("test", 0),
                        TopicPartition::new("test", 1),
                    ]
        },
    );
    let snap = w.snap.as_ref().expect("a snapshot");
    assert!(snap.consumers.is_empty(), "no dashboard clients here");
}
