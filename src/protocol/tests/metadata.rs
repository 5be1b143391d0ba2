//! Metadata, FindCoordinator and the admin requests the lab refuses.

use super::{call, ctx, lab, leader, name};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

#[test]
fn metadata_lists_every_broker_with_its_port_and_each_partitions_leader() {
    let (mut c, mut h, _d) = lab();
    let req = MetadataRequest::default().with_topics(Some(vec![
        MetadataRequestTopic::default().with_name(Some(name("test"))),
    ]));
    let Some(ResponseKind::Metadata(m)) =
        call(&mut c, &mut h, &ctx(1, 9), RequestKind::Metadata(req))
    else {
        panic!("metadata")
    };
    let ports: Vec<i32> = m.brokers.iter().map(|b| b.port).collect();
    assert_eq!(ports, vec![19092, 19093, 19094]);
    assert_eq!(m.controller_id.0, c.controller().expect("controller"));
    let t = &m.topics[0];
    assert_eq!(t.error_code, 0);
    assert_eq!(t.partitions.len(), 2);
    for p in &t.partitions {
        assert_eq!(p.leader_id.0, leader(&c, "test", p.partition_index));
        assert_eq!(p.replica_nodes.len(), 3);
        assert_eq!(p.isr_nodes.len(), 3);
    }
}

#[test]
fn metadata_auto_creates_a_missing_topic_unless_the_client_says_not_to() {
    let (mut c, mut h, _d) = lab();
    let ask = |auto: bool| {
        MetadataRequest::default()
            .with_allow_auto_topic_creation(auto)
            .with_topics(Some(vec![
                MetadataRequestTopic::default().with_name(Some(name("fresh"))),
            ]))
    };
    let Some(ResponseKind::Metadata(m)) = call(
        &mut c,
        &mut h,
        &ctx(1, 9),
        RequestKind::Metadata(ask(false)),
    ) else {
        panic!()
    };
    assert_eq!(m.topics[0].error_code, 3, "UNKNOWN_TOPIC_OR_PARTITION");
    assert!(c.topic("fresh").is_none());
    let Some(ResponseKind::Metadata(m)) =
        call(&mut c, &mut h, &ctx(1, 9), RequestKind::Metadata(ask(true)))
    else {
        panic!()
    };
    assert_eq!(m.topics[0].error_code, 0);
    assert!(c.topic("fresh").is_some());
}

#[test]
fn find_coordinator_names_the_leader_of_the_groups_offsets_partition() {
    let (mut c, mut h, _d) = lab();
    let Some(ResponseKind::FindCoordinator(f)) = call(
        &mut c,
        &mut h,
        &ctx(1, 3),
        RequestKind::FindCoordinator(
            FindCoordinatorRequest::default().with_key(StrBytes::from_static_str("g")),
        ),
    ) else {
        panic!()
    };
    assert_eq!(f.error_code, 0);
    assert_eq!(f.node_id.0, c.coordinator_for("g").expect("coordinator"));
    assert_eq!(f.port, 19092 + f.node_id.0 - 1);
}

#[test]
fn metadata_v12_names_topics_by_id_and_answers_unknown_topic_id_for_an_id_nobody_has() {
    let (mut c, mut h, _d) = lab();
    let id = c.topic_id("test").expect("id");
    let by_id = |raw: u128| {
        MetadataRequest::default().with_topics(Some(vec![
            MetadataRequestTopic::default()
                .with_name(None)
                .with_topic_id(uuid::Uuid::from_u128(raw)),
        ]))
    };
    let Some(ResponseKind::Metadata(m)) = call(
        &mut c,
        &mut h,
        &ctx(1, 12),
        RequestKind::Metadata(by_id(id.0)),
    ) else {
        panic!("metadata")
    };
    assert_eq!(m.topics.len(), 1);
    assert_eq!(m.topics[0].error_code, 0);
    assert_eq!(m.topics[0].name, Some(name("test")));
    assert_eq!(m.topics[0].topic_id.as_u128(), id.0);
    assert_eq!(m.topics[0].partitions.len(), 2);
    let Some(ResponseKind::Metadata(m)) = call(
        &mut c,
        &mut h,
        &ctx(1, 12),
        RequestKind::Metadata(by_id(id.0 ^ 0xff)),
    ) else {
        panic!("metadata")
    };
    assert_eq!(m.topics[0].error_code, 100, "UNKNOWN_TOPIC_ID");
    assert_eq!(m.topics[0].name, None);
    assert_eq!(c.topic_name(crate::cluster::TopicId(id.0 ^ 0xff)), None);
}

#[test]
fn metadata_carries_topic_ids_from_v10_and_none_before() {
    let (mut c, mut h, _d) = lab();
    let id = c.topic_id("test").expect("id");
    for (v, want) in [(9, 0u128), (10, id.0), (13, id.0)] {
        let Some(ResponseKind::Metadata(m)) = call(
            &mut c,
            &mut h,
            &ctx(1, v),
            RequestKind::Metadata(MetadataRequest::default().with_topics(None)),
        ) else {
            panic!("metadata")
        };
        let t = m.topics.iter().find(|t| t.name == Some(name("test")));
        assert_eq!(t.expect("test listed").topic_id.as_u128(), want, "v{v}");
    }
}
