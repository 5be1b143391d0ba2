//! `kafka-lab attach` on a peer that is not the lab: tansu (a Kafka-compatible broker in Rust),
//! one broker with in-memory storage. The attach runner runs in-process with `--allow-writes`,
//! creates a topic through tansu (CreateTopics), kafka-python produces to it and a kafka-python
//! consumer commits part of it in a group; the published snapshots must show the broker and the
//! controller, the topic with its id and its partitions (leader, replicas, ISR), high watermarks
//! equal to what was produced, and the group's committed offsets and lag. What tansu does not
//! serve is named once on the timeline, not every poll. Needs `KAFKA_LAB_TANSU` and
//! `KAFKA_LAB_PYTHON` (without them the test says so and passes, or fails under
//! `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::attach::Watch;
use common::live_lab::{env_or_skip, run_bounded};
use common::tansu::Tansu;
use kafka_lab::attach::{AttachOptions, start};
use kafka_lab::cluster::event::{EventKind, NoteText};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::LabSnapshot;
use kafka_lab::protocol::client_transport::ClientSecurity;
use std::path::PathBuf;
use std::time::Duration;

const TOPIC: &str = "peer";
const GROUP: &str = "peer-g";
/// Records kafka-python produces to partition 0 and to partition 1.
const PRODUCED: [i64; 2] = [20, 15];
/// Records the group's consumer reads and commits, one by one: more than partition 0 holds, so
/// it commits on both partitions.
const CONSUMED: i64 = 30;

fn python(script: &str, args: &[&str], what: &str, py: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let mut cmd = std::process::Command::new(py);
    cmd.arg(path).args(args);
    run_bounded(cmd, what, Duration::from_secs(60))
}

fn hw(s: &LabSnapshot, partition: i32) -> i64 {
    s.cluster
        .partitions
        .iter()
        .find(|p| p.tp == TopicPartition::new(TOPIC, partition))
        .map_or(-1, |p| p.high_watermark)
}

#[test]
fn attach_shows_a_tansu_broker_its_topic_and_a_committed_group() {
    let Some(tansu) = Tansu::start("attach_tansu") else {
        return;
    };
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "attach_tansu (kafka-python)") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _in_rt = rt.enter();
    let (_task, ch) = start(AttachOptions {
        bootstrap: vec![tansu.bootstrap()],
        security: ClientSecurity::plaintext(),
        interval: Duration::from_millis(200),
        allow_writes: true,
    });
    let mut w = Watch::new(ch);
    w.create_topic(TopicSpec::new(TOPIC, 2, 1));

    let boot = tansu.bootstrap();
    // One record a batch: tansu 0.6 answers ListOffsets LATEST with the last batch's base
    // offset + 1, which is the high watermark only when every batch holds one record.
    for (partition, n) in PRODUCED.iter().enumerate() {
        let out = python(
            "produce_n.py",
            &[
                &boot,
                TOPIC,
                &n.to_string(),
                &partition.to_string(),
                "one-per-batch",
            ],
            "produce_n.py",
            &py,
        );
        assert!(out.contains(&format!("PRODUCED {n}")), "{out}");
    }
    let out = python(
        "commit_consumer.py",
        &[&boot, TOPIC, GROUP, "commit", &CONSUMED.to_string()],
        "commit_consumer.py",
        &py,
    );
    assert!(out.contains("OFFSETS "), "{out}");

    w.until(
        "the produced high watermarks",
        Duration::from_secs(20),
        |s| hw(s, 0) == PRODUCED[0] && hw(s, 1) == PRODUCED[1],
    );
    w.until("the group's commits", Duration::from_secs(20), |s| {
        s.cluster.groups.iter().any(|g| {
            g.group_id == GROUP
                && g.partitions.iter().filter_map(|p| p.committed).sum::<i64>() == CONSUMED
        })
    });
    let s = w.snap.clone().expect("a snapshot");
    let story = w.story();
    // The broker, and tansu's controller (itself: one broker).
    assert_eq!(s.cluster.brokers.len(), 1, "{:?}", s.cluster.brokers);
    let broker = s.cluster.brokers[0].id;
    assert_eq!(s.cluster.controller, Some(broker), "{story}");
    assert!(s.cluster.brokers[0].is_controller);
    assert_eq!(s.cluster.brokers[0].partitions_led, 2);
    // The topic, with the id Metadata v10+ gives it, and its partitions.
    let topic = s
        .cluster
        .topics
        .iter()
        .find(|t| t.name == TOPIC)
        .expect("the topic");
    assert_eq!((topic.partitions, topic.replication_factor), (2, 1));
    assert_ne!(topic.topic_id.0, 0, "a topic id from Metadata v10+");
    for p in s.cluster.partitions.iter().filter(|p| p.tp.topic == TOPIC) {
        assert_eq!(p.leader, Some(broker), "{p:?}");
        assert_eq!(
            (p.replicas.clone(), p.isr.clone()),
            (vec![broker], vec![broker])
        );
        assert_eq!(p.log_start_offset, 0, "{p:?}");
        assert!(!p.leader_down, "{p:?}");
    }
    // The group: its commits, and lag = HW - committed on each partition.
    let g = s
        .cluster
        .groups
        .iter()
        .find(|g| g.group_id == GROUP)
        .expect("the group");
    assert_eq!(g.partitions.len(), 2, "{g:?}");
    for gp in &g.partitions {
        let committed = gp.committed.expect("a committed offset");
        assert_eq!(gp.high_watermark, hw(&s, gp.tp.partition), "{gp:?}");
        assert_eq!(gp.lag, Some(gp.high_watermark - committed), "{gp:?}");
    }
    let lag: i64 = g.partitions.iter().filter_map(|p| p.lag).sum();
    assert_eq!(lag, PRODUCED.iter().sum::<i64>() - CONSUMED, "{g:?}");
    // tansu serves no DescribeLogDirs: sizes read "-", said once on the timeline.
    assert!(s.sizes_unknown(), "{:?}", s.attached);
    let missing = |k: &EventKind| {
        matches!(k, EventKind::Note { text: NoteText::AttachMissing { api, error } }
            if api == "DescribeLogDirs" && error == "UNSUPPORTED_VERSION")
    };
    // Ten more polls (200 ms apart) must not say it again.
    let t0 = s.cluster.now_ms;
    w.until("ten more polls", Duration::from_secs(20), |n| {
        n.cluster.now_ms >= t0 + 2_000
    });
    let told = w.events.iter().filter(|e| missing(&e.kind)).count();
    assert_eq!(told, 1, "{}", w.story());
    eprintln!(
        "measured: a poll of tansu took {} ms",
        s.attached.as_ref().map_or(0, |a| a.last_poll_ms)
    );
}
