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

#[test]
fn find_coordinator_v4_answers_each_key_of_a_batch() {
    let (mut c, mut h, _d) = lab();
    let keys = ["g1", "g2"].map(StrBytes::from_static_str).to_vec();
    let Some(ResponseKind::FindCoordinator(f)) = call(
        &mut c,
        &mut h,
        &ctx(1, 4),
        RequestKind::FindCoordinator(FindCoordinatorRequest::default().with_coordinator_keys(keys)),
    ) else {
        panic!()
    };
    assert_eq!(f.coordinators.len(), 2);
    for (k, co) in ["g1", "g2"].iter().zip(&f.coordinators) {
        assert_eq!(co.key.as_str(), *k);
        assert_eq!(co.error_code, 0);
        assert_eq!(co.node_id.0, c.coordinator_for(k).expect("coordinator"));
        assert_eq!(co.port, 19092 + co.node_id.0 - 1);
    }
}

#[test]
fn describe_topic_partitions_pages_by_the_partition_limit_with_a_cursor() {
    use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
    let (mut c, mut h, _d) = lab();
    c.create_topic(crate::cluster::topic::TopicSpec::new("another", 3, 3))
        .expect("topic");
    c.advance_by(100);
    let ask = |cursor: Option<(&str, i32)>| {
        DescribeTopicPartitionsRequest::default()
            .with_topics(vec![
                TopicRequest::default().with_name(name("test")),
                TopicRequest::default().with_name(name("another")),
                TopicRequest::default().with_name(name("missing")),
            ])
            .with_response_partition_limit(2)
            .with_cursor(cursor.map(|(t, p)| {
                Cursor::default()
                    .with_topic_name(name(t))
                    .with_partition_index(p)
            }))
    };
    let mut pages = Vec::new();
    let mut cursor: Option<(String, i32)> = None;
    for _ in 0..10 {
        let req = ask(cursor.as_ref().map(|(t, p)| (t.as_str(), *p)));
        let Some(ResponseKind::DescribeTopicPartitions(r)) = call(
            &mut c,
            &mut h,
            &ctx(1, 0),
            RequestKind::DescribeTopicPartitions(req),
        ) else {
            panic!()
        };
        for t in &r.topics {
            let n = t.name.as_ref().expect("name").0.to_string();
            if t.error_code != 0 {
                pages.push((n, -1, t.error_code));
                continue;
            }
            assert_eq!(t.topic_id.as_u128(), c.topic_id(&n).expect("id").0);
            for p in &t.partitions {
                assert_eq!(p.leader_id.0, leader(&c, &n, p.partition_index));
                assert_eq!(p.eligible_leader_replicas.as_deref(), Some(&[][..]));
                pages.push((n.clone(), p.partition_index, 0));
            }
        }
        match r.next_cursor {
            Some(n) => cursor = Some((n.topic_name.0.to_string(), n.partition_index)),
            None => break,
        }
    }
    // Topics by name, two partitions a page, the unknown topic with its error at the end.
    let want = vec![
        ("another".to_string(), 0, 0),
        ("another".into(), 1, 0),
        ("another".into(), 2, 0),
        ("missing".into(), -1, 3),
        ("test".into(), 0, 0),
        ("test".into(), 1, 0),
    ];
    assert_eq!(pages, want);
}
