//! Producers and consumers started from the attached dashboard, against a lab running in another
//! process: the attach runner runs in-process with `--allow-writes` and takes the dashboard's
//! commands on its channel. Its producer's records are acknowledged and read back by
//! kafka-python with their keys where murmur2 puts them; its two consumers split the partitions
//! of their group, and the one left takes over when the other is killed (no LeaveGroup: after
//! the session timeout). Without `--allow-writes` the spawn is refused on the timeline. The
//! kafka-python half needs `KAFKA_LAB_PYTHON` (without it the test says so and passes, or fails
//! under `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::attach::{Watch, options};
use common::live_lab::{LiveLab, env_or_skip, run_bounded};
use kafka_lab::attach::start;
use kafka_lab::clients::partitioner::partition_for_key;
use kafka_lab::clients::spec::{ConsumerSpec, KeyMode, OffsetReset, ProducerSpec};
use kafka_lab::clients::view::{ClientOrigin, ConsumerState};
use kafka_lab::cluster::event::{EventKind, NoteText};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::LabSnapshot;
use kafka_lab::lab::command::Command;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TOPIC: &str = "dash";
const GROUP: &str = "dash-g";

fn consumer_spec(name: &str) -> ConsumerSpec {
    let mut spec = ConsumerSpec::new(GROUP, TOPIC);
    spec.client_id = Some(name.into());
    spec.auto_offset_reset = OffsetReset::Earliest;
    // The lab's group.min.session.timeout.ms: a killed member is noticed in 6 s.
    spec.session_timeout_ms = 6_000;
    spec.heartbeat_interval_ms = 1_000;
    spec
}

fn owned(s: &LabSnapshot, name: &str) -> Vec<TopicPartition> {
    s.consumers
        .iter()
        .find(|c| c.client_id == name && c.state == ConsumerState::Running)
        .map(|c| c.assigned.clone())
        .unwrap_or_default()
}

/// Members the poller sees in the group (DescribeGroups), with what each owns.
fn members(s: &LabSnapshot) -> Vec<(String, usize)> {
    s.cluster
        .groups
        .iter()
        .filter(|g| g.group_id == GROUP)
        .flat_map(|g| &g.members)
        .map(|m| (m.client_id.clone(), m.assigned.len()))
        .collect()
}

#[test]
fn dashboard_clients_produce_and_share_a_group_on_a_real_cluster() {
    let lab = LiveLab::start(11, 1, &[]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _in_rt = rt.enter();
    let (_task, ch) = start(options(&lab, true));
    let mut w = Watch::new(ch);
    w.create_topic(TopicSpec::new(TOPIC, 2, 3));

    let producing = Instant::now();
    let mut spec = ProducerSpec::new(TOPIC, 40.0);
    spec.key_mode = KeyMode::Keyed { distinct_keys: 8 };
    w.send(Command::SpawnProducer(spec));
    w.event(
        "the producer's start",
        Duration::from_secs(5),
        |k| matches!(k, EventKind::ClientSpawned { client_id, .. } if client_id == "producer-1"),
    );
    w.until("60 acknowledged records", Duration::from_secs(30), |s| {
        s.producers.first().is_some_and(|p| {
            p.origin == ClientOrigin::Dashboard && p.acknowledged >= 60 && p.idempotent
        })
    });

    eprintln!(
        "measured: 60 records acknowledged {:?} after SpawnProducer at 40/s",
        producing.elapsed()
    );
    w.send(Command::SpawnConsumer(consumer_spec("dash-a")));
    w.send(Command::SpawnConsumer(consumer_spec("dash-b")));
    w.until(
        "the two members splitting the partitions",
        Duration::from_secs(40),
        |s| {
            let (a, b) = (owned(s, "dash-a"), owned(s, "dash-b"));
            let mut seen = members(s);
            seen.sort();
            a.len() == 1
                && b.len() == 1
                && a != b
                && seen == vec![("dash-a".to_string(), 1), ("dash-b".to_string(), 1)]
                && s.consumers.iter().all(|c| c.consumed > 0)
        },
    );
    let generation = |s: &LabSnapshot| {
        s.cluster
            .groups
            .iter()
            .find(|g| g.group_id == GROUP)
            .map_or(0, |g| g.generation)
    };
    let before = generation(w.snap.as_ref().expect("a snapshot"));
    assert!(before > 0, "the group's generation comes from SyncGroup");

    // `k` on dash-a: no LeaveGroup, so dash-b takes both partitions after session.timeout.ms.
    let killed = w.snap.as_ref().expect("a snapshot").consumers[0].id;
    w.send(Command::KillConsumer(killed));
    w.event(
        "the kill",
        Duration::from_secs(5),
        |k| matches!(k, EventKind::ConsumerKilled { client_id } if client_id == "dash-a"),
    );
    let killed_at = Instant::now();
    w.until(
        "dash-b owning both partitions",
        Duration::from_secs(40),
        |s| owned(s, "dash-b").len() == 2 && members(s) == vec![("dash-b".to_string(), 2)],
    );
    eprintln!(
        "measured: dash-b took over {:?} after the kill (session.timeout.ms=6000)",
        killed_at.elapsed()
    );
    assert!(
        killed_at.elapsed() >= Duration::from_secs(3),
        "the partitions moved at once ({:?}): a kill must not send LeaveGroup",
        killed_at.elapsed()
    );
    assert!(generation(w.snap.as_ref().expect("a snapshot")) > before);
    // Lag over time: one sample a poll (at most one a second) per group, for the header's trend.
    w.until("the group's lag history", Duration::from_secs(10), |s| {
        s.cluster
            .groups
            .iter()
            .find(|g| g.group_id == GROUP)
            .is_some_and(|g| g.lag_history.iter().flatten().count() >= 3)
    });

    // A real client reads what the dashboard's producer wrote, keys where murmur2 puts them.
    if let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "attach_clients (kafka-python)") {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/read_keys.py");
        let mut cmd = std::process::Command::new(py);
        cmd.arg(script)
            .args([&lab.all_brokers(), TOPIC, "producer-1#", "50"]);
        let out = run_bounded(cmd, "read_keys.py", Duration::from_secs(60));
        let done = out
            .lines()
            .find_map(|l| l.strip_prefix("DONE "))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no DONE line: {out}"));
        assert!(done >= 50, "read {done} of at least 50 records: {out}");
        let mut keys = std::collections::BTreeSet::new();
        for line in out.lines().filter(|l| l.starts_with("RECORD ")) {
            let f: Vec<&str> = line.split(' ').collect();
            let (partition, key) = (f[1].parse::<i32>().expect("partition"), f[3]);
            assert_eq!(partition, partition_for_key(key.as_bytes(), 2), "{line}");
            keys.insert(key.to_string());
        }
        assert_eq!(keys.len(), 8, "the eight keys: {keys:?}");
    }
}

#[test]
fn without_allow_writes_a_spawn_is_refused_on_the_timeline() {
    let lab = LiveLab::start(12, 1, &[]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _in_rt = rt.enter();
    let (_task, ch) = start(options(&lab, false));
    let mut w = Watch::new(ch);
    w.until("the first poll", Duration::from_secs(20), |s| {
        s.attached.is_some()
    });
    w.send(Command::SpawnProducer(ProducerSpec::new("test", 5.0)));
    w.send(Command::SpawnConsumer(ConsumerSpec::new(GROUP, "test")));
    let read_only = |k: &EventKind| {
        matches!(
            k,
            EventKind::Note {
                text: NoteText::AttachReadOnly
            }
        )
    };
    w.events_n("both refusals", Duration::from_secs(5), 2, read_only);
    w.until("another poll", Duration::from_secs(10), |_| true);
    assert!(
        w.events
            .iter()
            .all(|e| !matches!(e.kind, EventKind::ClientSpawned { .. })),
        "{}",
        w.story()
    );
    let s = w.snap.as_ref().expect("a snapshot");
    assert!(s.producers.is_empty() && s.consumers.is_empty());
}
