//! Which API versions current real clients negotiate with the lab, read from the run's journal
//! (every wire request frame, as received): kafka-python, confluent-kafka (librdkafka) and the
//! Java client each produce and consume, and the test asserts they used the newest versions both
//! sides have, with topic ids (Fetch 13+, Metadata 10+) and, where the client has them, KIP-227
//! incremental fetch sessions. Without the client (`KAFKA_LAB_PYTHON`,
//! `KAFKA_LAB_JAVA_CLASSPATH`) a test says so and passes, or fails under
//! `KAFKA_LAB_REQUIRE_E2E=1`.

mod common;

use base64::Engine;
use common::live_lab::{LiveLab, env_or_skip, run_bounded};
use kafka_lab::lab::journal::{self, Input};
use kafka_lab::protocol::frame::{Decoded, decode_request};
use kafka_protocol::messages::{ApiKey, RequestKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// What the journal shows of a run's wire traffic.
#[derive(Debug, Default)]
struct Seen {
    /// The highest version of each API.
    max: BTreeMap<i16, i16>,
    /// Fetches that continued a session (epoch > 0).
    incremental_fetches: usize,
    /// Fetch v13+ requests whose topics were named by a non-zero id.
    fetches_by_id: usize,
    /// Topic ids fetches named.
    fetched_ids: std::collections::BTreeSet<u128>,
    /// For each partition index a fetch named, the brokers it was fetched from.
    fetched_from: BTreeMap<i32, std::collections::BTreeSet<i32>>,
}

impl Seen {
    fn max_of(&self, key: ApiKey) -> i16 {
        self.max.get(&(key as i16)).copied().unwrap_or(-1)
    }
}

/// Reads the journal the lab wrote to `path` (after it stopped).
fn seen(path: &Path) -> Seen {
    let j = journal::read(path).expect("journal");

    let mut s = Seen::default();
    for line in j.lines {
        let Input::Wire { frame, broker, .. } = line.input else {
            continue;
        };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(frame)
            .expect("base64 frame");
        let Decoded::Request(r) = decode_request(bytes::Bytes::from(raw)) else {
            continue;
        };
        let v = r.version();
        let e = s.max.entry(r.api_key as i16).or_insert(v);
        *e = (*e).max(v);
        if let RequestKind::Fetch(f) = &r.body {
            if f.session_epoch > 0 {
                s.incremental_fetches += 1;
            }
            if v >= 13 && f.topics.iter().any(|t| !t.topic_id.is_nil()) {
                s.fetches_by_id += 1;
            }
            for t in f.topics.iter().filter(|t| !t.topic_id.is_nil()) {
                s.fetched_ids.insert(t.topic_id.as_u128());
            }
            for p in f.topics.iter().flat_map(|t| &t.partitions) {
                s.fetched_from
                    .entry(p.partition)
                    .or_default()
                    .insert(broker);
            }
        }
    }
    s
}

/// Starts a lab recording to `dir/run.jsonl`, runs `client` against it, stops the lab and reads
/// the journal.
fn run(seed: u64, dir: &Path, client: impl FnOnce(&LiveLab) -> String) -> (String, Seen) {
    run_with(seed, dir, &[], client)
}

/// [`run`] with more lab flags.
fn run_with(
    seed: u64,
    dir: &Path,
    extra: &[&str],
    client: impl FnOnce(&LiveLab) -> String,
) -> (String, Seen) {
    let path = dir.join("run.jsonl");
    let mut args = vec!["--record", path.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let lab = LiveLab::start(seed, 0, &args);
    let out = client(&lab);
    drop(lab);
    // The journal is flushed every driver tick; the lab is stopped, so it is complete.
    std::thread::sleep(Duration::from_millis(300));
    (out, seen(&path))
}

fn python_script(py: &str, name: &str, args: &[String]) -> String {
    let mut cmd = Command::new(py);
    cmd.arg(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/python")
            .join(name),
    )
    .args(args);
    run_bounded(cmd, name, Duration::from_secs(90))
}

#[test]
fn kafka_python_fetches_with_incremental_sessions_at_its_newest_versions() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "real-client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run(21, dir.path(), |lab| {
        python_script(
            &py,
            "session_consumer.py",
            &[lab.bootstrap(), "test".into(), "200".into()],
        )
    });
    assert!(out.contains("OK 200 records, then idle polling"), "{out}");
    // kafka-python 3.0 stops at Fetch 12 (its fetcher has no topic ids yet) and Metadata 8 or
    // newer; it keeps KIP-227 sessions.
    assert_eq!(s.max_of(ApiKey::Fetch), 12, "{s:?}");
    assert!(s.max_of(ApiKey::Metadata) >= 8, "{s:?}");
    assert!(s.incremental_fetches > 0, "no incremental fetch: {s:?}");
}

#[test]
fn confluent_kafka_fetches_by_topic_id_at_fetch_13_or_newer() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "real-client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run(22, dir.path(), |lab| {
        python_script(
            &py,
            "confluent_flow.py",
            &[
                lab.bootstrap(),
                "test".into(),
                "versions-group".into(),
                "100".into(),
            ],
        )
    });
    assert!(out.contains("OK confluent 100 records"), "{out}");
    eprintln!("librdkafka used {s:?}");
    assert!(s.max_of(ApiKey::Fetch) >= 13, "{s:?}");
    assert!(s.fetches_by_id > 0, "no fetch named a topic by id: {s:?}");
    assert!(s.max_of(ApiKey::Metadata) >= 12, "{s:?}");
    // librdkafka has no KIP-227 sessions: every fetch is sessionless (epoch -1).
    assert_eq!(s.incremental_fetches, 0, "{s:?}");
}

#[test]
fn java_client_uses_fetch_17_metadata_13_and_incremental_sessions() {
    let Some(cp) = env_or_skip("KAFKA_LAB_JAVA_CLASSPATH", "Java client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run(23, dir.path(), |lab| {
        let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/java/LabClient.java");
        let mut cmd = Command::new("java");
        cmd.arg("-cp")
            .arg(&cp)
            .arg(program)
            .args([
                "produce-consume",
                &lab.bootstrap(),
                "test",
                "2000",
                "versions-java",
            ])
            .stdin(Stdio::null());
        run_bounded(cmd, "LabClient produce-consume", Duration::from_secs(120))
    });
    assert!(out.contains("OK "), "{out}");
    eprintln!("kafka-clients used {s:?}");
    assert_eq!(s.max_of(ApiKey::Fetch), 17, "{s:?}");
    assert_eq!(s.max_of(ApiKey::Metadata), 13, "{s:?}");
    assert!(s.fetches_by_id > 0, "{s:?}");
    assert!(s.incremental_fetches > 0, "no incremental fetch: {s:?}");
}

#[test]
fn kafka_python_sessions_survive_a_leader_change_and_read_every_acknowledged_record_once() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "real-client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run_with(5, dir.path(), &["--kill-broker", "1@6s"], |lab| {
        let mut cmd = Command::new(&py);
        cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/session_failover.py"))
            .args([lab.all_brokers(), "test".into(), "14".into()]);
        run_bounded(cmd, "session_failover.py", Duration::from_secs(120))
    });
    assert!(out.contains("all read once in order"), "{out}");
    assert!(s.incremental_fetches > 0, "no incremental fetch: {s:?}");
    // Broker 1 led a partition of `test` under this seed: after its death that partition was
    // fetched from its new leader, in a new session there.
    assert!(
        s.fetched_from.values().any(|brokers| brokers.len() >= 2),
        "no partition changed leader mid-run: {s:?}"
    );
}

#[test]
fn confluent_kafka_recovers_from_a_topic_recreated_under_its_name() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "real-client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run(24, dir.path(), |lab| {
        python_script(
            &py,
            "confluent_recreate.py",
            &[lab.bootstrap(), "recreated".into()],
        )
    });
    assert!(out.contains("OK read the recreated topic"), "{out}");
    // The consumer fetched by the old id, then by the new one; never read old records from the
    // new topic.
    assert!(s.fetched_ids.len() >= 2, "{s:?}");
}

#[test]
fn java_admin_describe_topics_uses_describe_topic_partitions() {
    let Some(cp) = env_or_skip("KAFKA_LAB_JAVA_CLASSPATH", "Java client") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, s) = run(25, dir.path(), |lab| {
        let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/java/LabClient.java");
        let mut cmd = Command::new("java");
        cmd.arg("-cp")
            .arg(&cp)
            .arg(program)
            .args(["admin", &lab.bootstrap(), "described-by-dtp"])
            .stdin(Stdio::null());
        run_bounded(cmd, "LabClient admin", Duration::from_secs(90))
    });
    // The describe came back right (two partitions, each with its three in-sync replicas) ...
    let described = out
        .lines()
        .find(|l| l.starts_with("DESCRIBED described-by-dtp "))
        .unwrap_or_else(|| panic!("no DESCRIBED line in:\n{out}"));
    assert_eq!(described.matches(",isr=3").count(), 2, "{out}");
    // ... through DescribeTopicPartitions (API 75), which the client prefers when served.
    assert_eq!(s.max_of(ApiKey::DescribeTopicPartitions), 0, "{s:?}");
}
