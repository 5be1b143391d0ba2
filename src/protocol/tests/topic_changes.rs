//! DeleteTopics, CreatePartitions, IncrementalAlterConfigs and AlterConfigs over the wire.

use super::offsets::commit_and_wait;
use super::{batch, call, ctx, lab, leader, name, produce_req};
use crate::cluster::lab::Cluster;
use crate::cluster::types::TopicPartition;
use crate::protocol::host::WireHost;
use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

fn delete(c: &mut Cluster, h: &mut WireHost, topic: &str) -> i16 {
    let req = DeleteTopicsRequest::default().with_topic_names(vec![name(topic)]);
    let Some(ResponseKind::DeleteTopics(d)) =
        call(c, h, &ctx(1, 5), RequestKind::DeleteTopics(req))
    else {
        panic!("delete topics")
    };
    d.responses[0].error_code
}

fn grow(c: &mut Cluster, h: &mut WireHost, topic: &str, count: i32) -> (i16, String) {
    let req = CreatePartitionsRequest::default().with_topics(vec![
        CreatePartitionsTopic::default()
            .with_name(name(topic))
            .with_count(count),
    ]);
    let Some(ResponseKind::CreatePartitions(r)) =
        call(c, h, &ctx(1, 3), RequestKind::CreatePartitions(req))
    else {
        panic!("create partitions")
    };
    let msg = r.results[0]
        .error_message
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_default();
    (r.results[0].error_code, msg)
}

/// IncrementalAlterConfigs of topic `test`: `(name, op, value)`; (code, message).
fn alter(c: &mut Cluster, h: &mut WireHost, ops: &[(&str, i8, Option<&str>)]) -> (i16, String) {
    let configs = ops
        .iter()
        .map(|(n, op, v)| {
            AlterableConfig::default()
                .with_name(StrBytes::from_string((*n).into()))
                .with_config_operation(*op)
                .with_value(v.map(|v| StrBytes::from_string(v.into())))
        })
        .collect();
    let req = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(2)
            .with_resource_name(StrBytes::from_static_str("test"))
            .with_configs(configs),
    ]);
    let Some(ResponseKind::IncrementalAlterConfigs(r)) =
        call(c, h, &ctx(1, 1), RequestKind::IncrementalAlterConfigs(req))
    else {
        panic!("incremental alter configs")
    };
    let msg = r.responses[0]
        .error_message
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_default();
    (r.responses[0].error_code, msg)
}

#[test]
fn delete_topics_deletes_the_logs_and_the_groups_offsets_for_them() {
    let (mut c, mut h, dir) = lab();
    let l = leader(&c, "test", 0);
    call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(5, -1, 0))),
    );
    let coord = c.coordinator_for("g").expect("coordinator");
    let commit = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("g")))
        .with_generation_id_or_member_epoch(-1)
        .with_topics(vec![
            offset_commit_request::OffsetCommitRequestTopic::default()
                .with_name(name("test"))
                .with_partitions(vec![
                    offset_commit_request::OffsetCommitRequestPartition::default()
                        .with_partition_index(0)
                        .with_committed_offset(5),
                ]),
        ]);
    assert!(commit_and_wait(&mut c, &mut h, coord, commit).is_some());
    let tp = TopicPartition::new("test", 0);
    assert!(
        c.committed_offset(coord, "g", &tp)
            .expect("coord")
            .is_some()
    );
    let log_dir = dir.path().join(format!("broker-{l}")).join("test-0");
    assert!(log_dir.exists(), "{log_dir:?}");

    assert_eq!(delete(&mut c, &mut h, "test"), 0);
    assert!(c.topic("test").is_none() && c.partition(&tp).is_none());
    assert!(!log_dir.exists(), "the log left the disk");
    assert_eq!(c.committed_offset(coord, "g", &tp), Ok(None));
    assert_eq!(
        delete(&mut c, &mut h, "test"),
        3,
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    assert_eq!(delete(&mut c, &mut h, "__consumer_offsets"), 17);
    // A produce to it now finds no topic; a new topic of the same name starts empty.
    let Some(ResponseKind::Produce(p)) = call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(1, -1, 0))),
    ) else {
        panic!("produce")
    };
    assert_eq!(p.responses[0].partition_responses[0].error_code, 3);
    c.create_topic(crate::cluster::topic::TopicSpec::new("test", 1, 3))
        .expect("recreated");
    c.advance_by(100);
    assert_eq!(c.high_watermark(&tp), Some(0));
}

#[test]
fn create_partitions_places_and_leads_new_partitions_and_refuses_shrinking() {
    let (mut c, mut h, _d) = lab();
    assert_eq!(grow(&mut c, &mut h, "test", 4), (0, String::new()));
    c.advance_by(100);
    for p in 0..4 {
        let tp = TopicPartition::new("test", p);
        let meta = c.partition(&tp).expect("partition");
        assert_eq!(meta.replicas.len(), 3);
        assert!(c.leader_of(&tp).is_some(), "{tp} has a leader");
    }
    assert_eq!(c.partition_count("test"), Some(4));
    assert_eq!(
        grow(&mut c, &mut h, "test", 3),
        (
            37,
            "Topic currently has 4 partitions, which is higher than the requested 3.".into()
        )
    );
    assert_eq!(grow(&mut c, &mut h, "test", 4).0, 37, "INVALID_PARTITIONS");
    assert_eq!(grow(&mut c, &mut h, "nope", 4).0, 3);
    c.kill_broker(3).expect("kill");
    c.advance_by(20_000);
    assert_eq!(
        grow(&mut c, &mut h, "test", 5).0,
        38,
        "INVALID_REPLICATION_FACTOR"
    );
}

#[test]
fn incremental_alter_configs_sets_and_deletes_with_kafkas_checks() {
    let (mut c, mut h, _d) = lab();
    assert_eq!(
        alter(&mut c, &mut h, &[("min.insync.replicas", 0, Some("2"))]),
        (0, String::new())
    );
    assert_eq!(c.topic("test").expect("t").spec.min_insync_replicas, 2);
    let tp = TopicPartition::new("test", 1);
    assert_eq!(c.partition(&tp).expect("p").min_insync_replicas, 2);
    assert_eq!(
        alter(&mut c, &mut h, &[("retention.ms", 0, Some("-5"))]),
        (
            40,
            "Invalid value -5 for configuration retention.ms: Value must be at least -1".into()
        )
    );
    assert_eq!(
        alter(&mut c, &mut h, &[("retention.ms", 2, Some("5"))]).0,
        40,
        "APPEND on a non-list config"
    );
    assert_eq!(
        alter(&mut c, &mut h, &[("retention.ms", 0, Some("60000"))]).0,
        0
    );
    assert_eq!(c.topic("test").expect("t").log_config.retention_ms, 60_000);
    assert_eq!(
        alter(&mut c, &mut h, &[("min.insync.replicas", 1, None)]).0,
        0
    );
    assert_eq!(c.topic("test").expect("t").spec.min_insync_replicas, 1);
    // A refused change applies nothing, not even the valid ones before it.
    assert_eq!(
        alter(
            &mut c,
            &mut h,
            &[
                ("max.message.bytes", 0, Some("100")),
                ("segment.ms", 0, Some("1"))
            ]
        )
        .0,
        40
    );
    assert_eq!(c.topic("test").expect("t").spec.max_message_bytes, None);
}
