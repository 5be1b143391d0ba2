//! Timeline and story lines in the chosen language. `impl Display for EventKind` stays the
//! English line (and `--json` keeps the English event kinds) for scripts; this module gives the
//! dashboard and headless text stories the same line from the catalogue's `[event]` section.
//! Reasons the cluster gives as codes are said in the same language (`text::reason`).

use super::description::description_in;
use super::note::note_in;
use super::reason::{election_in, produce_error_in, rebalance_in, removal_in, truncation_in};
use super::{Lang, fill, text_in};
use crate::cluster::event::{ElectionSource, EventKind, assignment_words, list};
use std::fmt::Display;

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
        TopicDeleted {
            topic,
            partitions,
            offsets_removed,
        } => (
            "event.topic_deleted",
            vec![
                ("topic", s(topic)),
                ("partitions", s(partitions)),
                ("offsets", s(offsets_removed)),
            ],
        ),
        PartitionsAdded { topic, from, to } => (
            "event.partitions_added",
            vec![("topic", s(topic)), ("from", s(from)), ("to", s(to))],
        ),
        TopicConfigChanged {
            topic,
            config,
            value: Some(v),
        } => (
            "event.topic_config_set",
            vec![("topic", s(topic)), ("config", s(config)), ("value", s(v))],
        ),
        TopicConfigChanged {
            topic,
            config,
            value: None,
        } => (
            "event.topic_config_reset",
            vec![("topic", s(topic)), ("config", s(config))],
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
        ProducerEpochBumped { producer_id, epoch } => (
            "event.producer_epoch_bumped",
            vec![("pid", s(producer_id)), ("epoch", s(epoch))],
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
        ProducerKilled { client_id } => ("event.producer_killed", vec![("client", s(client_id))]),
        ProducerPaused { client_id, paused } => (
            if *paused {
                "event.producer_paused"
            } else {
                "event.producer_resumed"
            },
            vec![("client", s(client_id))],
        ),
        ZombieFenced {
            client_id,
            transactional_id,
            epoch,
            error,
        } => (
            "event.zombie_fenced",
            vec![
                ("client", s(client_id)),
                ("id", s(transactional_id)),
                ("epoch", s(epoch)),
                ("error", s(error)),
            ],
        ),
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
        } => (
            "event.generation",
            vec![
                ("group", s(group)),
                ("generation", s(generation)),
                ("assignor", s(assignor)),
                ("assignment", assignment_words(assignment)),
            ],
        ),
        TargetAssignment {
            group,
            group_epoch,
            assignor,
            assignment,
        } => (
            "event.target_assignment",
            vec![
                ("group", s(group)),
                ("epoch", s(group_epoch)),
                ("assignor", s(assignor)),
                ("assignment", assignment_words(assignment)),
            ],
        ),
        MemberEpoch {
            group,
            member_id,
            member_epoch,
            assigned,
            unreleased,
        } => (
            if unreleased.is_empty() {
                "event.member_epoch"
            } else {
                "event.member_epoch_waiting"
            },
            vec![
                ("group", s(group)),
                ("member", s(member_id)),
                ("epoch", s(member_epoch)),
                ("partitions", list(assigned)),
                ("waiting", list(unreleased)),
            ],
        ),
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
        TxnBegan {
            transactional_id,
            producer_id,
        } => (
            "event.txn_began",
            vec![("id", s(transactional_id)), ("pid", s(producer_id))],
        ),
        TxnEnded {
            transactional_id,
            committed,
            partitions,
        } => (
            if *committed {
                "event.txn_committed"
            } else {
                "event.txn_aborted"
            },
            vec![("id", s(transactional_id)), ("partitions", s(partitions))],
        ),
        ProducerFenced {
            transactional_id,
            producer_id,
            epoch,
        } => (
            "event.producer_fenced",
            vec![
                ("id", s(transactional_id)),
                ("pid", s(producer_id)),
                ("epoch", s(epoch)),
            ],
        ),
        TxnTimedOut {
            transactional_id,
            timeout_ms,
        } => (
            "event.txn_timed_out",
            vec![("id", s(transactional_id)), ("timeout", s(timeout_ms))],
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
pub(crate) mod tests;
