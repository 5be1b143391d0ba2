//! Topics that change while the lab runs, through `Lab::apply` as the dashboard and scenario files
//! send them: added partitions take keyed records (keys move), a deleted topic leaves nothing.

mod common;

use common::TestLab;
use kafka_lab::clients::spec::{KeyMode, ProducerSpec};
use kafka_lab::cluster::event::EventKind;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::command::{Command, CommandError};

#[test]
fn added_partitions_take_keyed_records_and_a_deleted_topic_leaves_nothing() {
    let mut t = TestLab::new(3, 11, |_| {});
    t.lab
        .apply(Command::CreateTopic(TopicSpec::new("keys", 2, 3)))
        .expect("topic");
    let mut p = ProducerSpec::new("keys", 100.0);
    p.key_mode = KeyMode::Keyed { distinct_keys: 20 };
    t.lab.apply(Command::SpawnProducer(p)).expect("producer");
    t.run_for(5_000);
    let hw = |t: &TestLab, p: i32| t.lab.high_watermark(&TopicPartition::new("keys", p));
    assert!(hw(&t, 0).unwrap_or(0) > 0 && hw(&t, 1).unwrap_or(0) > 0);

    t.lab
        .apply(Command::AddPartitions {
            topic: "keys".into(),
            partitions: 4,
        })
        .expect("grow");
    t.run_for(5_000);
    assert!(
        hw(&t, 2).unwrap_or(0) > 0 || hw(&t, 3).unwrap_or(0) > 0,
        "some keys now map to the new partitions"
    );
    assert!(
        !t.events_where(|k| matches!(k, EventKind::PartitionsAdded { from: 2, to: 4, .. }))
            .is_empty()
    );
    let shrink = t.lab.apply(Command::AddPartitions {
        topic: "keys".into(),
        partitions: 3,
    });
    assert!(
        matches!(&shrink, Err(CommandError::ChangeTopic { error, .. }) if error.starts_with("INVALID_PARTITIONS")),
        "{shrink:?}"
    );

    t.lab
        .apply(Command::DeleteTopic("keys".into()))
        .expect("delete");
    t.run_for(1_000);
    assert!(t.lab.topic("keys").is_none());
    for b in 1..=3 {
        let dir = t.dir.path().join(format!("broker-{b}"));
        let left: Vec<_> = std::fs::read_dir(&dir)
            .expect("broker dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("keys-"))
            .collect();
        assert!(left.is_empty(), "broker {b} still has {left:?}");
    }
    assert!(matches!(
        t.lab.apply(Command::DeleteTopic("keys".into())),
        Err(CommandError::ChangeTopic { .. })
    ));
}

/// After every step: each partition belongs to a topic that exists, each topic has exactly its
/// partition count of partitions, replicas are distinct brokers, and no deleted topic has a log
/// directory left on any broker's disk.
fn check_topics(t: &TestLab, deleted: &[String]) -> Result<(), String> {
    for p in t.lab.partitions() {
        let topic = t
            .lab
            .topic(&p.tp.topic)
            .ok_or_else(|| format!("{} outlived its topic", p.tp))?;
        if p.tp.partition >= topic.spec.partitions {
            return Err(format!(
                "{} beyond {} partitions",
                p.tp, topic.spec.partitions
            ));
        }
        let mut r = p.replicas.clone();
        r.sort_unstable();
        r.dedup();
        if r.len() != p.replicas.len() {
            return Err(format!("{} has replicas {:?}", p.tp, p.replicas));
        }
    }
    for name in deleted.iter().filter(|n| t.lab.topic(n).is_none()) {
        for b in 1..=3 {
            let dir = t.dir.path().join(format!("broker-{b}"));
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.filter_map(Result::ok) {
                    let f = e.file_name().to_string_lossy().to_string();
                    if f.rsplit_once('-').is_some_and(|(n, _)| n == name) {
                        return Err(format!("broker {b} still has {f}"));
                    }
                }
            }
        }
    }
    Ok(())
}

#[test]
fn chaos_topics_created_grown_and_deleted_under_broker_faults_keep_their_invariants() {
    use rand::{Rng, SeedableRng};
    for seed in 1..=6u64 {
        let mut t = TestLab::new(3, seed, |_| {});
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut names: Vec<String> = Vec::new();
        let mut deleted: Vec<String> = Vec::new();
        for i in 0..40 {
            // Refusals (a broker down, a count that does not grow) are part of the run.
            let _ = match rng.random_range(0..6) {
                0 | 1 => {
                    let name = format!("t{}", rng.random_range(0..4));
                    let r = t.lab.apply(Command::CreateTopic(TopicSpec::new(
                        name.clone(),
                        rng.random_range(1..4),
                        rng.random_range(1..4),
                    )));
                    if r.is_ok() {
                        names.push(name);
                    }
                    r
                }
                2 if !names.is_empty() => {
                    let name = names[rng.random_range(0..names.len())].clone();
                    let now = t.lab.partition_count(&name).unwrap_or(1);
                    t.lab.apply(Command::AddPartitions {
                        topic: name,
                        partitions: now + rng.random_range(-1..3),
                    })
                }
                3 if !names.is_empty() => {
                    let name = names.swap_remove(rng.random_range(0..names.len()));
                    deleted.push(name.clone());
                    t.lab.apply(Command::DeleteTopic(name))
                }
                4 => t.lab.apply(Command::KillBroker(rng.random_range(1..4))),
                _ => t.lab.apply(Command::RestartBroker(rng.random_range(1..4))),
            };
            t.run_for(500);
            check_topics(&t, &deleted).unwrap_or_else(|e| panic!("seed {seed} step {i}: {e}"));
        }
        for b in 1..=3 {
            let _ = t.lab.apply(Command::RestartBroker(b));
        }
        t.run_for(30_000);
        check_topics(&t, &deleted).unwrap_or_else(|e| panic!("seed {seed} end: {e}"));
        for p in t.lab.partitions() {
            assert!(
                t.lab.leader_of(&p.tp).is_some(),
                "seed {seed}: {} has no leader once every broker is back",
                p.tp
            );
        }
    }
}

/// KIP-516: a topic keeps its id across a restart on the same data dir, a seed gives the same ids
/// again, and a topic deleted and created again under its name gets a new id.
#[test]
fn topic_ids_persist_replay_and_change_on_recreate() {
    use kafka_lab::cluster::{ClusterConfig, TopicId};
    use kafka_lab::lab::Lab;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ClusterConfig::new(3, 5, dir.path());
    let mut lab = Lab::new(config.clone()).expect("lab");
    lab.apply(Command::CreateTopic(TopicSpec::new("orders", 3, 3)))
        .expect("topic");
    lab.advance_by(1_000);
    let id = lab.topic_id("orders").expect("an id");
    assert_ne!(id, TopicId::ZERO);
    assert_eq!(lab.topic_name(id), Some("orders"));
    assert_ne!(lab.topic_id("__consumer_offsets"), Some(id));
    drop(lab);

    // A restart on the same data dir finds the id in topics.json.
    let restarted = Lab::new(config).expect("restart");
    assert_eq!(restarted.topic_id("orders"), Some(id));
    drop(restarted);

    // The same seed and inputs give the same id; deleted and created again, a new one.
    let mut t = TestLab::new(3, 5, |_| {});
    t.lab
        .apply(Command::CreateTopic(TopicSpec::new("orders", 3, 3)))
        .expect("topic");
    assert_eq!(t.lab.topic_id("orders"), Some(id));
    t.run_for(500);
    t.lab
        .apply(Command::DeleteTopic("orders".into()))
        .expect("delete");
    t.run_for(500);
    t.lab
        .apply(Command::CreateTopic(TopicSpec::new("orders", 3, 3)))
        .expect("topic again");
    let new_id = t.lab.topic_id("orders").expect("an id");
    assert_ne!(new_id, id);
    assert_eq!(t.lab.topic_name(id), None);
    assert_eq!(t.lab.topic_name(new_id), Some("orders"));
}

/// Partitions added to a subscribed topic reach the group: the classic leader sees the new count,
/// rejoins, and the rebalance assigns the new partitions (the KIP-848 coordinator does it
/// server-side); records produced to them are consumed.
#[test]
fn groups_take_up_partitions_added_to_their_topic() {
    use kafka_lab::clients::spec::{ConsumerSpec, GroupProtocol};
    for protocol in [GroupProtocol::Classic, GroupProtocol::Consumer] {
        let mut t = TestLab::new(3, 21, |_| {});
        t.lab
            .apply(Command::CreateTopic(TopicSpec::new("grow", 2, 3)))
            .expect("topic");
        let mut p = ProducerSpec::new("grow", 50.0);
        p.key_mode = KeyMode::Keyed { distinct_keys: 40 };
        t.lab.apply(Command::SpawnProducer(p)).expect("producer");
        for _ in 0..2 {
            let mut c = ConsumerSpec::new("grow-group", "grow");
            c.group_protocol = protocol;
            t.lab.apply(Command::SpawnConsumer(c)).expect("consumer");
        }
        let all_owned = |t: &TestLab, n: i32| {
            let owned: std::collections::BTreeSet<i32> = t
                .lab
                .consumers()
                .flat_map(|c| c.assignment.iter().map(|tp| tp.partition))
                .collect();
            owned == (0..n).collect()
        };
        t.run_for(20_000);
        assert!(all_owned(&t, 2), "{protocol:?}: the group never settled");
        t.lab
            .apply(Command::AddPartitions {
                topic: "grow".into(),
                partitions: 4,
            })
            .expect("grow");
        let took_up = t.run_until(60_000, |lab| {
            let owned: std::collections::BTreeSet<i32> = lab
                .consumers()
                .flat_map(|c| c.assignment.iter().map(|tp| tp.partition))
                .collect();
            owned.len() == 4
        });
        assert!(
            took_up,
            "{protocol:?}: new partitions never assigned\n{}",
            t.story()
        );
        t.run_for(10_000);
        for p in 2..4 {
            let tp = TopicPartition::new("grow", p);
            let consumed = t
                .lab
                .consumers()
                .any(|c| c.positions.get(&tp).is_some_and(|&o| o > 0));
            assert!(consumed, "{protocol:?}: nothing consumed from {tp}");
        }
        if protocol == GroupProtocol::Classic {
            assert!(
                t.story().contains("now has 4 partitions (was 2)"),
                "{}",
                t.story()
            );
        }
    }
}
