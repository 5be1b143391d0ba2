//! A forked lab (a checkpoint of time travel) is the same lab: stepped and commanded the same way
//! as its original it gives the same snapshots, yet the two are independent, and the fork writes
//! nothing into the original's data dir.

use kafka_lab::clients::spec::{ConsumerSpec, ProducerSpec};
use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::lab::{Command, Lab};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` with its size (what a fork must not change).
fn listing(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                todo.push(e.path());
            } else {
                out.insert(e.path(), meta.len());
            }
        }
    }
    out
}

fn json(lab: &Lab) -> serde_json::Value {
    serde_json::to_value(lab.snapshot()).unwrap()
}

/// The default lab's shape with small segments, so logs roll and sealed segments get shared.
fn busy_lab(dir: &Path) -> Lab {
    let mut config = ClusterConfig::new(3, 11, dir);
    config.log.segment_bytes = 16 * 1024;
    let mut lab = Lab::new(config).unwrap();
    let mut setup = vec![
        Command::CreateTopic(TopicSpec::new("test", 2, 3)),
        Command::SpawnProducer(ProducerSpec::new("test", 200.0)),
    ];
    for _ in 0..2 {
        setup.push(Command::SpawnConsumer(ConsumerSpec::new(
            "lab-group",
            "test",
        )));
    }
    lab.set_up(&setup).unwrap();
    lab
}

/// The same story for both: a broker killed and restarted (its logs reopened and truncated to
/// the new leader's), a controller failing over.
fn story(lab: &mut Lab) {
    lab.advance_by(4_000);
    lab.apply(Command::RestartBroker(2)).unwrap();
    lab.advance_by(3_000);
    lab.apply(Command::KillBroker(1)).unwrap();
    lab.advance_by(6_000);
    lab.apply(Command::RestartBroker(1)).unwrap();
    lab.advance_by(8_000);
}

#[test]
fn a_fork_steps_like_its_original_and_writes_only_its_own_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut live = busy_lab(&dir.path().join("live"));
    live.advance_by(10_000);
    live.apply(Command::KillBroker(2)).unwrap();
    live.advance_by(3_000);
    let _ = live.drain_events();
    let mut fork = live.fork(&dir.path().join("fork")).unwrap();
    assert_eq!(json(&fork), json(&live), "equal at once");
    let before = listing(&dir.path().join("live"));
    story(&mut fork);
    assert_eq!(
        listing(&dir.path().join("live")),
        before,
        "the fork wrote into the original's dir"
    );
    story(&mut live);
    assert!(live.snapshot().producers[0].acknowledged > 1_000);
    assert_eq!(
        json(&fork),
        json(&live),
        "the same story gives the same lab"
    );
    assert_eq!(fork.drain_events(), live.drain_events());
    // Independent: what one is told, the other never hears.
    fork.apply(Command::KillBroker(3)).unwrap();
    fork.advance_by(2_000);
    live.advance_by(2_000);
    assert_ne!(json(&fork), json(&live));
    let stopped = |lab: &Lab| {
        lab.snapshot()
            .cluster
            .brokers
            .iter()
            .filter(|b| b.state == kafka_lab::cluster::snapshot::BrokerState::Down)
            .count()
    };
    assert_eq!((stopped(&fork), stopped(&live)), (1, 0));
}
