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
