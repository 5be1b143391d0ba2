//! Timeline and story lines in the chosen language. `impl Display for EventKind` stays the
//! English line (and `--json` keeps the English event kinds) for scripts; this module gives the
//! dashboard and headless text stories the same line from the catalogue's `[event]` section.
//! Reasons the cluster gives as codes are said in the same language (`text::reason`).

use super::note::{description_in, note_in};
use super::reason::{election_in, produce_error_in, rebalance_in, removal_in, truncation_in};
use super::{Lang, fill, text_in};
use crate::cluster::event::{ElectionSource, EventKind};
use std::fmt::Display;

/// `[a,b,c]`, the compact form lists take in event lines (as in the English Display).
fn list<T: Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    format!("[{}]", parts.join(","))
}

/// `2.4 s`, a simulated duration as the English Display says it.
fn secs(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// The catalogue key of `kind`'s line and the values of its placeholders, reasons in `lang`.
fn key_and_args(lang: Lang, kind: &EventKind) -> (&'static str, Vec<(&'static str, String)>) {
    use EventKind::*;
    let s = |v: &dyn Display| v.to_string();
    match kind {
        LabStarted { brokers, seed } => (
            "event.lab_started",
            vec![("brokers", s(brokers)), ("seed", s(seed))],
        ),
        TopicCreated {
            topic,
            partitions,
            replication_factor,
        } => (
            "event.topic_created",
            vec![
                ("topic", s(topic)),
                ("partitions", s(partitions)),
                ("rf", s(replication_factor)),
            ],
        ),
        BrokerKilled { broker } => ("event.broker_killed", vec![("broker", s(broker))]),
        BrokerShuttingDown { broker } => {
            ("event.broker_shutting_down", vec![("broker", s(broker))])
        }
        BrokerStopped { broker } => ("event.broker_stopped", vec![("broker", s(broker))]),
        BrokerStarted { broker } => ("event.broker_started", vec![("broker", s(broker))]),
        BrokerUnfenced { broker, fenced_ms } => (
            "event.broker_unfenced",
            vec![("broker", s(broker)), ("after", secs(*fenced_ms))],
        ),
        ReplicaCaughtUp {
            tp,
            broker,
            after_ms,
            records,
        } => (
            "event.replica_caught_up",
            vec![
                ("tp", s(tp)),
                ("broker", s(broker)),
                ("after", secs(*after_ms)),
                ("records", s(records)),
            ],
        ),
        BrokerSessionExpired { broker } => {
            ("event.broker_session_expired", vec![("broker", s(broker))])
        }
        BrokerSlow { broker, slow: true } => ("event.broker_slow", vec![("broker", s(broker))]),
        BrokerSlow { broker, .. } => ("event.broker_fast", vec![("broker", s(broker))]),
        Quorum { change } => change.key_and_args(),
        ControllerMoved { to: Some(to), .. } => ("event.controller_moved", vec![("to", s(to))]),
        ControllerMoved { to: None, .. } => ("event.no_controller", vec![]),
        LeaderElected {
            tp,
            leader,
            leader_epoch,
            reason,
            source,
        } => (
            match source {
                ElectionSource::Elr => "event.leader_elected_elr",
                ElectionSource::LastKnownLeader => "event.leader_elected_last_known",
                ElectionSource::Isr | ElectionSource::Unclean => "event.leader_elected",
            },
            vec![
                ("tp", s(tp)),
                ("leader", s(leader)),
                ("epoch", s(leader_epoch)),
                ("reason", election_in(lang, reason)),
            ],
        ),
        PartitionOffline { tp } => ("event.partition_offline", vec![("tp", s(tp))]),
        UncleanLeaderElected {
            tp,
            leader,
            records_lost,
            ..
        } => (
            "event.unclean",
            vec![
                ("tp", s(tp)),
                ("leader", s(leader)),
                ("lost", s(records_lost)),
            ],
        ),
        IsrShrunk { tp, removed, isr } => (
            "event.isr_shrunk",
            vec![
                ("tp", s(tp)),
                ("isr", list(isr)),
                ("removed", list(removed)),
            ],
        ),
        ElrChanged { tp, elr, isr } => (
            if elr.is_empty() {
                "event.elr_cleared"
            } else {
                "event.elr_changed"
            },
            vec![("tp", s(tp)), ("elr", list(elr)), ("isr", list(isr))],
        ),
        IsrExpanded { tp, added, isr } => (
            "event.isr_expanded",
            vec![("tp", s(tp)), ("isr", list(isr)), ("added", list(added))],
        ),
        HighWatermarkAdvanced { tp, high_watermark } => {
            ("event.hw", vec![("tp", s(tp)), ("hw", s(high_watermark))])
        }
        SegmentRolled {
            tp,
            broker,
            base_offset,
        } => (
            "event.segment_rolled",
            vec![
                ("tp", s(tp)),
                ("broker", s(broker)),
                ("offset", s(base_offset)),
            ],
        ),
        SegmentsDeleted {
            tp,
            broker,
            segments,
            log_start_offset,
        } => (
            "event.segments_deleted",
            vec![
                ("tp", s(tp)),
                ("broker", s(broker)),
                ("segments", s(segments)),
                ("start", s(log_start_offset)),
            ],
        ),
        LogTruncated {
            tp,
            broker,
            to_offset,
            records_dropped,
            reason,
        } => (
            "event.truncated",
            vec![
                ("tp", s(tp)),
                ("broker", s(broker)),
                ("offset", s(to_offset)),
                ("dropped", s(records_dropped)),
                ("reason", truncation_in(lang, reason)),
            ],
        ),
        ProduceFailed { client, tp, error } => (
            "event.produce_failed",
            vec![
                ("client", s(client)),
                ("tp", s(tp)),
                ("error", produce_error_in(lang, error)),
            ],
        ),
        ClientSpawned {
            client_id,
            description,
            ..
        } => (
            "event.client_spawned",
            vec![
                ("client", s(client_id)),
                ("description", description_in(lang, description)),
            ],
        ),
        ConsumerKilled { client_id } => ("event.consumer_killed", vec![("client", s(client_id))]),
        ConsumerClosed { client_id } => ("event.consumer_closed", vec![("client", s(client_id))]),
        ProducerStopped { client_id } => ("event.producer_stopped", vec![("client", s(client_id))]),
        MemberJoined {
            group,
            member_id,
            client_id,
        } => (
            "event.member_joined",
            vec![
                ("group", s(group)),
                ("client", s(client_id)),
                ("member", s(member_id)),
            ],
        ),
        MemberRemoved {
            group,
            member_id,
            reason,
        } => (
            "event.member_removed",
            vec![
                ("group", s(group)),
                ("member", s(member_id)),
                ("reason", removal_in(lang, reason)),
            ],
        ),
        RebalanceStarted { group, reason } => (
            "event.rebalance_started",
            vec![("group", s(group)), ("reason", rebalance_in(lang, reason))],
        ),
        GenerationAssigned {
            group,
            generation,
            assignor,
            assignment,
        } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(m, tps)| format!("{m}→{}", list(tps)))
                .collect();
            (
                "event.generation",
                vec![
                    ("group", s(group)),
                    ("generation", s(generation)),
                    ("assignor", s(assignor)),
                    ("assignment", parts.join(" ")),
                ],
            )
        }
        PartitionsRevoked {
            group,
            member_id,
            partitions,
        } => (
            "event.revoked",
            vec![
                ("group", s(group)),
                ("member", s(member_id)),
                ("partitions", list(partitions)),
            ],
        ),
        OffsetCommitted { group, tp, offset } => (
            "event.committed",
            vec![("group", s(group)), ("tp", s(tp)), ("offset", s(offset))],
        ),
        OffsetsExpired {
            group,
            partitions,
            retention_minutes,
        } => (
            "event.offsets_expired",
            vec![
                ("group", s(group)),
                ("partitions", list(partitions)),
                ("minutes", s(retention_minutes)),
            ],
        ),
        OffsetReset {
            group,
            tp,
            offset,
            policy,
        } => (
            "event.reset",
            vec![
                ("group", s(group)),
                ("tp", s(tp)),
                ("offset", s(offset)),
                ("policy", s(policy)),
            ],
        ),
        CoordinatorMoved {
            group,
            broker: Some(b),
        } => (
            "event.coordinator_moved",
            vec![("group", s(group)), ("broker", s(b))],
        ),
        CoordinatorMoved {
            group,
            broker: None,
        } => ("event.no_coordinator", vec![("group", s(group))]),
        Check { passed: true, text } => ("event.check_passed", vec![("text", s(text))]),
        Check {
            passed: false,
            text,
        } => ("event.check_failed", vec![("text", s(text))]),
        Note { text } => ("event.note", vec![("text", note_in(lang, text))]),
    }
}

/// `kind`'s line in `lang`: English is the `Display` line itself (it says "1 partition" and
/// "2 partitions" right), every other language fills its `[event]` template. Pure, for tests.
pub fn event_line_in(lang: Lang, kind: &EventKind) -> String {
    if lang == Lang::En {
        return kind.to_string();
    }
    let (key, args) = key_and_args(lang, kind);
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(text_in(lang, key), &args)
}

/// `kind`'s line in the language in force.
pub fn event_line(kind: &EventKind) -> String {
    event_line_in(super::lang(), kind)
}

#[cfg(test)]
pub(crate) mod tests {
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
}
