//! Event lines in every language: one sample of every kind, checked against `Display` and the
//! catalogue.

use super::*;
use crate::cluster::types::TopicPartition;

/// One event of every kind, counts above one so English plurals match the templates.
pub(crate) fn samples() -> Vec<EventKind> {
    use EventKind::*;
    let tp = TopicPartition::new("test", 0);
    vec![
        LabStarted {
            brokers: 3,
            seed: 42,
        },
        TopicCreated {
            topic: "test".into(),
            partitions: 2,
            replication_factor: 3,
        },
        TopicDeleted {
            topic: "old".into(),
            partitions: 2,
            offsets_removed: 3,
        },
        PartitionsAdded {
            topic: "test".into(),
            from: 2,
            to: 4,
        },
        TopicConfigChanged {
            topic: "test".into(),
            config: "retention.ms".into(),
            value: Some("60000".into()),
        },
        TopicConfigChanged {
            topic: "test".into(),
            config: "retention.ms".into(),
            value: None,
        },
        BrokerKilled { broker: 3 },
        BrokerShuttingDown { broker: 2 },
        BrokerStopped { broker: 2 },
        BrokerStarted { broker: 3 },
        BrokerUnfenced {
            broker: 3,
            fenced_ms: 2_000,
        },
        ReplicaCaughtUp {
            tp: tp.clone(),
            broker: 3,
            after_ms: 2_430,
            records: 48,
        },
        BrokerSessionExpired { broker: 3 },
        BrokerSlow {
            broker: 2,
            slow: true,
        },
        BrokerSlow {
            broker: 2,
            slow: false,
        },
        ControllerMoved {
            from: Some(1),
            to: Some(2),
        },
        ControllerMoved {
            from: Some(1),
            to: None,
        },
        LeaderElected {
            tp: tp.clone(),
            leader: 2,
            leader_epoch: 4,
            reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 3 },
            source: ElectionSource::Isr,
        },
        LeaderElected {
            tp: tp.clone(),
            leader: 3,
            leader_epoch: 5,
            reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 2 },
            source: ElectionSource::Elr,
        },
        LeaderElected {
            tp: tp.clone(),
            leader: 1,
            leader_epoch: 6,
            reason: crate::cluster::event::ElectionReason::BackOnline,
            source: ElectionSource::LastKnownLeader,
        },
        ElrChanged {
            tp: tp.clone(),
            elr: vec![2, 3],
            isr: vec![1],
        },
        ElrChanged {
            tp: tp.clone(),
            elr: vec![],
            isr: vec![1, 2],
        },
        PartitionOffline { tp: tp.clone() },
        UncleanLeaderElected {
            tp: tp.clone(),
            leader: 3,
            records_lost: 12,
            first_lost_offset: 400,
        },
        IsrShrunk {
            tp: tp.clone(),
            removed: vec![3],
            isr: vec![1, 2],
        },
        IsrExpanded {
            tp: tp.clone(),
            added: vec![3],
            isr: vec![1, 2, 3],
        },
        HighWatermarkAdvanced {
            tp: tp.clone(),
            high_watermark: 409,
        },
        SegmentRolled {
            tp: tp.clone(),
            broker: 1,
            base_offset: 1000,
        },
        SegmentsDeleted {
            tp: tp.clone(),
            broker: 1,
            segments: 2,
            log_start_offset: 1000,
        },
        LogTruncated {
            tp: tp.clone(),
            broker: 3,
            to_offset: 377,
            records_dropped: 5,
            reason: crate::cluster::event::TruncationReason::DivergentTail { leader_epoch: 4 },
        },
        ProducerEpochBumped {
            producer_id: 3,
            epoch: 1,
        },
        ProduceFailed {
            client: "producer-1".into(),
            tp: tp.clone(),
            error: crate::cluster::event::ProduceError {
                error: crate::cluster::KafkaError::NotEnoughReplicas,
                retrying: true,
                expired_after_ms: None,
            },
        },
        ClientSpawned {
            id: 1,
            client_id: "consumer-A".into(),
            description: crate::cluster::event::ClientDescription::WireProducer {
                topic: "test".into(),
                acks: "all".into(),
            },
        },
        ConsumerKilled {
            client_id: "consumer-A".into(),
        },
        ConsumerClosed {
            client_id: "consumer-B".into(),
        },
        ProducerStopped {
            client_id: "producer-1".into(),
        },
        ProducerKilled {
            client_id: "producer-1".into(),
        },
        ProducerPaused {
            client_id: "producer-1".into(),
            paused: true,
        },
        ProducerPaused {
            client_id: "producer-1".into(),
            paused: false,
        },
        ZombieFenced {
            client_id: "producer-1".into(),
            transactional_id: "copy-job".into(),
            epoch: 0,
            error: crate::cluster::error::KafkaError::InvalidProducerEpoch,
        },
        MemberJoined {
            group: "lab-group".into(),
            member_id: "consumer-A-1".into(),
            client_id: "consumer-A".into(),
        },
        MemberRemoved {
            group: "lab-group".into(),
            member_id: "consumer-A-1".into(),
            reason: crate::cluster::event::RemovalReason::SessionTimeout {
                session_timeout_ms: 10_000,
            },
        },
        RebalanceStarted {
            group: "lab-group".into(),
            reason: crate::cluster::event::RebalanceReason::Joined {
                member: "consumer-A-1".into(),
            },
        },
        GenerationAssigned {
            group: "lab-group".into(),
            generation: 3,
            assignor: "range".into(),
            assignment: vec![("consumer-A-1".into(), vec![tp.clone()])],
        },
        TargetAssignment {
            group: "kip848".into(),
            group_epoch: 3,
            assignor: "uniform".into(),
            assignment: vec![("N2-4".into(), vec![tp.clone()])],
        },
        MemberEpoch {
            group: "kip848".into(),
            member_id: "N2-4".into(),
            member_epoch: 3,
            assigned: vec![tp.clone()],
            unreleased: vec![],
        },
        MemberEpoch {
            group: "kip848".into(),
            member_id: "N2-4".into(),
            member_epoch: 3,
            assigned: vec![],
            unreleased: vec![tp.clone()],
        },
        PartitionsRevoked {
            group: "lab-group".into(),
            member_id: "consumer-A-1".into(),
            partitions: vec![tp.clone()],
        },
        OffsetCommitted {
            group: "lab-group".into(),
            tp: tp.clone(),
            offset: 400,
        },
        OffsetsExpired {
            group: "lab-group".into(),
            partitions: vec![tp.clone()],
            retention_minutes: 10_080,
        },
        OffsetReset {
            group: "lab-group".into(),
            tp: tp.clone(),
            offset: 0,
            policy: "earliest".into(),
        },
        TxnBegan {
            transactional_id: "copy-job".into(),
            producer_id: 3,
        },
        TxnEnded {
            transactional_id: "copy-job".into(),
            committed: true,
            partitions: 2,
        },
        TxnEnded {
            transactional_id: "copy-job".into(),
            committed: false,
            partitions: 2,
        },
        ProducerFenced {
            transactional_id: "copy-job".into(),
            producer_id: 3,
            epoch: 1,
        },
        TxnTimedOut {
            transactional_id: "copy-job".into(),
            timeout_ms: 60_000,
        },
        CoordinatorMoved {
            group: "lab-group".into(),
            broker: Some(1),
        },
        CoordinatorMoved {
            group: "lab-group".into(),
            broker: None,
        },
        Check {
            passed: true,
            text: "consumer-B owns test-0".into(),
        },
        Check {
            passed: false,
            text: "consumer-B owns test-0".into(),
        },
        Note {
            text: "hello".into(),
        },
    ]
}

#[test]
fn english_templates_say_what_display_says() {
    // en.toml's [event] is what translators work from: it must match the English line.
    for kind in samples() {
        let (key, args) = key_and_args(Lang::En, &kind);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            fill(text_in(Lang::En, key), &args),
            kind.to_string(),
            "{key}"
        );
        assert_eq!(event_line_in(Lang::En, &kind), kind.to_string());
    }
}

#[test]
fn every_event_has_a_chinese_line_with_every_value_filled() {
    for kind in samples() {
        let line = event_line_in(Lang::Zh, &kind);
        assert!(!line.contains('{'), "{line}");
        // A note is the lesson's own text, shown as written.
        if !matches!(kind, EventKind::Note { .. }) {
            assert_ne!(line, kind.to_string(), "{line} is not translated");
        }
    }
    let line = event_line_in(
        Lang::Zh,
        &EventKind::LeaderElected {
            tp: TopicPartition::new("test", 0),
            leader: 2,
            leader_epoch: 4,
            reason: crate::cluster::event::ElectionReason::NewPartition,
            source: ElectionSource::Isr,
        },
    );
    assert!(
        line.contains("test-0") && line.contains("leader") && line.contains('4'),
        "{line}"
    );
}
