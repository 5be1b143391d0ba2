//! Shared helpers for integration tests: a lab in a temp dir on simulated time.
#![allow(dead_code)]

pub mod attach;
pub mod groups;
pub mod kraft;
pub mod live_lab;
pub mod liveness;
pub mod log_records;
pub mod require;
pub mod secure;
pub mod takeover;
pub mod tansu;
pub mod tmux;

use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::event::{Event, EventKind};
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::Lab;

/// A lab plus the temp dir its logs live in (dropped together).
pub struct TestLab {
    /// The lab: the cluster and its simulated clients.
    pub lab: Lab,
    /// Every event seen so far.
    pub events: Vec<Event>,
    /// Keeps the data dir alive.
    pub dir: tempfile::TempDir,
}

impl TestLab {
    /// A lab of `brokers` brokers, seed `seed`, with `tweak` applied to the config.
    pub fn new(brokers: usize, seed: u64, tweak: impl FnOnce(&mut ClusterConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = ClusterConfig::new(brokers, seed, dir.path());
        tweak(&mut config);
        let mut lab = Lab::new(config).expect("lab starts");
        let events = lab.drain_events();
        Self { lab, events, dir }
    }

    /// Advances simulated time, collecting events.
    pub fn run_for(&mut self, ms: i64) {
        self.lab.advance_by(ms);
        self.events.extend(self.lab.drain_events());
    }

    /// Advances step by step until `cond` holds or `max_ms` passes; returns whether it held.
    pub fn run_until(&mut self, max_ms: i64, mut cond: impl FnMut(&Lab) -> bool) -> bool {
        let end = self.lab.now_ms() + max_ms;
        let step = self.lab.config().step_ms;
        while self.lab.now_ms() < end {
            if cond(&self.lab) {
                return true;
            }
            self.run_for(step);
        }
        cond(&self.lab)
    }

    /// Events matching a predicate.
    pub fn events_where(&self, f: impl Fn(&EventKind) -> bool) -> Vec<&Event> {
        self.events.iter().filter(|e| f(&e.kind)).collect()
    }

    /// The event log as text lines.
    pub fn story(&self) -> String {
        self.events
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `test-N`.
pub fn tp(topic: &str, p: i32) -> TopicPartition {
    TopicPartition::new(topic, p)
}

/// Values of a replica's records in [from, to), decoded from its log.
pub fn replica_values(
    lab: &kafka_lab::cluster::lab::Cluster,
    broker: i32,
    tp: &TopicPartition,
    to: i64,
) -> Vec<(i64, Vec<u8>)> {
    let Some(log) = lab.replica_log(broker, tp) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    while offset < to {
        let records = log.read_records(offset, 1 << 20, to).expect("read");
        if records.is_empty() {
            break;
        }
        for r in records {
            if r.offset >= offset && r.offset < to {
                out.push((r.offset, r.value.map(|v| v.to_vec()).unwrap_or_default()));
            }
            offset = offset.max(r.offset + 1);
        }
    }
    out
}

/// Seeds for a chaos run: `KAFKA_LAB_SEED=<n>` replays one, `KAFKA_LAB_CHAOS_SEEDS=<n>` runs
/// 1..=n, otherwise 1..=`default`.
pub fn chaos_seeds(default: u64) -> Vec<u64> {
    if let Ok(s) = std::env::var("KAFKA_LAB_SEED") {
        return vec![s.parse().expect("KAFKA_LAB_SEED must be a number")];
    }
    let n: u64 = std::env::var("KAFKA_LAB_CHAOS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (1..=n).collect()
}

/// Three consecutive free ports on 127.0.0.1 for a lab's brokers (the OS picks the first; the next
/// two are checked).
pub fn free_ports() -> u16 {
    for _ in 0..100 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let base = l.local_addr().expect("addr").port();
        drop(l);
        if base < 65_000
            && (0..3).all(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).is_ok())
        {
            return base;
        }
    }
    panic!("no three consecutive free ports");
}

/// Stops a lab process the way a user would (SIGTERM), so it removes its `--ephemeral` data dir;
/// kills it if it has not exited within ten seconds.
pub fn stop_lab(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// How many `kafka-lab-*` data dirs (what `--ephemeral` creates) are in `dir`.
pub fn ephemeral_dirs_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("kafka-lab-"))
                .count()
        })
        .unwrap_or(0)
}
