//! Explanations of timeline events: one text per event family, filled with the lab's values.

use super::{Explanation, consumer_named, min_isr, ms, timers, unclean_args};
use crate::cluster::KafkaError;
use crate::cluster::event::{ElectionSource, Event, EventKind, RemovalReason};
use crate::cluster::types::BrokerId;
use crate::lab::LabSnapshot;
use crate::text::lang;
use crate::text::reason::{election_in, produce_error_in, rebalance_in, removal_in, truncation_in};
use crate::ui::text::{text, text_with};
use crate::ui::widgets::ids;

/// What a timeline event means: the rule behind it and the configs, with this lab's values.
pub(super) fn event(snap: &LabSnapshot, e: &Event) -> Explanation {
    use EventKind::*;
    let s = &snap.settings;
    let mut args: Vec<(&str, String)> = vec![
        ("clock", e.clock()),
        ("session", ms(s.broker_session_timeout_ms)),
        ("heartbeat", ms(s.broker_heartbeat_interval_ms)),
        ("lag", ms(s.replica_lag_time_max_ms)),
        ("interval", ms(s.retention_check_interval_ms)),
    ];
    let (unclean, unclean_rule) = unclean_args(snap);
    let mut put = |k: &'static str, v: String| {
        // A later value wins: client timers replace the broker ones of the same name.
        args.retain(|(n, _)| *n != k);
        args.push((k, v));
    };
    let key = match &e.kind {
        LabStarted { brokers, seed } => {
            put("brokers", brokers.to_string());
            put("seed", seed.to_string());
            "explain.event.lab_started"
        }
        TopicCreated {
            topic,
            partitions,
            replication_factor,
        } => {
            put("topic", topic.clone());
            put("partitions", partitions.to_string());
            put("rf", replication_factor.to_string());
            "explain.event.topic_created"
        }
        TopicDeleted {
            topic,
            partitions,
            offsets_removed,
        } => {
            put("topic", topic.clone());
            put("partitions", partitions.to_string());
            put("offsets", offsets_removed.to_string());
            "explain.event.topic_deleted"
        }
        PartitionsAdded { topic, from, to } => {
            put("topic", topic.clone());
            put("from", from.to_string());
            put("to", to.to_string());
            "explain.event.partitions_added"
        }
        TopicConfigChanged {
            topic,
            config,
            value,
        } => {
            put("topic", topic.clone());
            put("config", config.clone());
            match value {
                Some(v) => {
                    put("value", v.clone());
                    "explain.event.topic_config_set"
                }
                None => "explain.event.topic_config_reset",
            }
        }
        BrokerKilled { broker } => {
            put("broker", broker.to_string());
            "explain.event.broker_killed"
        }
        BrokerShuttingDown { broker } => {
            put("broker", broker.to_string());
            "explain.event.broker_shutting_down"
        }
        BrokerStopped { broker } => {
            put("broker", broker.to_string());
            "explain.event.broker_stopped"
        }
        BrokerStarted { broker } => {
            put("broker", broker.to_string());
            "explain.event.broker_started"
        }
        BrokerSessionExpired { broker } => {
            put("broker", broker.to_string());
            "explain.event.session_expired"
        }
        BrokerUnfenced { broker, fenced_ms } => {
            put("broker", broker.to_string());
            put("after", ms(*fenced_ms));
            "explain.event.broker_unfenced"
        }
        ReplicaCaughtUp {
            tp,
            broker,
            after_ms,
            records,
        } => {
            put("tp", tp.to_string());
            put("broker", broker.to_string());
            put("after", ms(*after_ms));
            put("records", records.to_string());
            "explain.event.replica_caught_up"
        }
        BrokerSlow { broker, slow } => {
            put("broker", broker.to_string());
            if *slow {
                "explain.event.broker_slow"
            } else {
                "explain.event.broker_fast"
            }
        }
        Quorum { change } => {
            let (line_key, values) = change.key_and_args();
            for (k, v) in values {
                put(k, v);
            }
            put("election", ms(s.controller_quorum_election_timeout_ms));
            put("fetch", ms(s.controller_quorum_fetch_timeout_ms));
            put("majority", (s.controller_voters / 2 + 1).to_string());
            quorum_explain_key(line_key)
        }
        ControllerMoved { from, to } => {
            let b = |b: &Option<BrokerId>| match b {
                Some(b) => text_with(
                    "explain.event.controller_broker",
                    &[("broker", &b.to_string())],
                ),
                None => text("explain.event.controller_none").to_string(),
            };
            put("from", b(from));
            put("to", b(to));
            "explain.event.controller_moved"
        }
        LeaderElected {
            tp,
            leader,
            leader_epoch,
            reason,
            source,
        } => {
            put("tp", tp.to_string());
            put("leader", leader.to_string());
            put("epoch", leader_epoch.to_string());
            put("reason", election_in(lang(), reason));
            put("min_isr", min_isr(snap, &tp.topic).to_string());
            match source {
                ElectionSource::Elr => "explain.event.leader_elected_elr",
                ElectionSource::LastKnownLeader => "explain.event.leader_elected_last_known",
                ElectionSource::Isr | ElectionSource::Unclean => "explain.event.leader_elected",
            }
        }
        ElrChanged { tp, elr, isr } => {
            put("tp", tp.to_string());
            put("elr", format!("[{}]", ids(elr)));
            put("isr", format!("[{}]", ids(isr)));
            put("min_isr", min_isr(snap, &tp.topic).to_string());
            if elr.is_empty() {
                "explain.event.elr_cleared"
            } else {
                "explain.event.elr_changed"
            }
        }
        PartitionOffline { tp } => {
            put("tp", tp.to_string());
            put("unclean", unclean.into());
            put("unclean_rule", text(unclean_rule).into());
            "explain.event.partition_offline"
        }
        UncleanLeaderElected {
            tp,
            leader,
            records_lost,
            first_lost_offset,
        } => {
            put("tp", tp.to_string());
            put("leader", leader.to_string());
            put("unclean", unclean.into());
            put("lost", records_lost.to_string());
            put("first", first_lost_offset.to_string());
            "explain.event.unclean"
        }
        IsrShrunk { tp, removed, isr } => {
            put("tp", tp.to_string());
            put("brokers", ids(removed));
            put("isr", format!("[{}]", ids(isr)));
            put("min_isr", min_isr(snap, &tp.topic).to_string());
            "explain.event.isr_shrunk"
        }
        IsrExpanded { tp, added, isr } => {
            put("tp", tp.to_string());
            put("brokers", ids(added));
            put("isr", format!("[{}]", ids(isr)));
            "explain.event.isr_expanded"
        }
        HighWatermarkAdvanced { tp, high_watermark } => {
            put("tp", tp.to_string());
            put("hw", high_watermark.to_string());
            "explain.event.hw"
        }
        SegmentRolled {
            tp,
            broker,
            base_offset,
        } => {
            put("tp", tp.to_string());
            put("broker", broker.to_string());
            put("offset", base_offset.to_string());
            "explain.event.segment_rolled"
        }
        SegmentsDeleted {
            tp,
            broker,
            segments,
            log_start_offset,
        } => {
            put("tp", tp.to_string());
            put("broker", broker.to_string());
            put("segments", segments.to_string());
            put("start", log_start_offset.to_string());
            "explain.event.segments_deleted"
        }
        LogTruncated {
            tp,
            broker,
            to_offset,
            records_dropped,
            reason,
        } => {
            put("tp", tp.to_string());
            put("broker", broker.to_string());
            put("offset", to_offset.to_string());
            put("dropped", records_dropped.to_string());
            put("reason", truncation_in(lang(), reason));
            "explain.event.truncated"
        }
        ProducerEpochBumped { producer_id, epoch } => {
            put("pid", producer_id.to_string());
            put("epoch", epoch.to_string());
            "explain.event.producer_epoch_bumped"
        }
        ProduceFailed { client, tp, error } => {
            put("client", client.clone());
            put("tp", tp.to_string());
            let why = match error.error {
                KafkaError::NotEnoughReplicas | KafkaError::NotEnoughReplicasAfterAppend => {
                    "explain.event.error_not_enough"
                }
                KafkaError::NotLeaderOrFollower => "explain.event.error_not_leader",
                _ => "explain.event.error_other",
            };
            put(
                "error",
                format!("{}, {}", produce_error_in(lang(), error), text(why)),
            );
            "explain.event.produce_failed"
        }
        ClientSpawned {
            client_id,
            description,
            ..
        } => {
            put("client", client_id.clone());
            put(
                "description",
                crate::text::description::description(description),
            );
            "explain.event.client_spawned"
        }
        ConsumerKilled { client_id } => {
            put("client", client_id.clone());
            for (k, v) in timers(snap, consumer_named(snap, client_id)) {
                put(k, v);
            }
            "explain.event.consumer_killed"
        }
        ConsumerClosed { client_id } => {
            put("client", client_id.clone());
            "explain.event.consumer_closed"
        }
        ProducerStopped { client_id } => {
            put("client", client_id.clone());
            "explain.event.producer_stopped"
        }
        ProducerKilled { client_id } => {
            put("client", client_id.clone());
            "explain.event.producer_killed"
        }
        ProducerPaused { client_id, paused } => {
            put("client", client_id.clone());
            if *paused {
                "explain.event.producer_paused"
            } else {
                "explain.event.producer_resumed"
            }
        }
        ZombieFenced {
            client_id,
            transactional_id,
            epoch,
            error,
        } => {
            put("client", client_id.clone());
            put("id", transactional_id.clone());
            put("epoch", epoch.to_string());
            put("error", error.to_string());
            "explain.event.zombie_fenced"
        }
        MemberJoined {
            group, client_id, ..
        } => {
            put("client", client_id.clone());
            put("group", group.clone());
            "explain.event.member_joined"
        }
        MemberRemoved {
            group,
            member_id,
            reason,
        } => {
            let c = consumer_named(snap, member_id);
            put(
                "client",
                c.map(|c| c.client_id.clone())
                    .unwrap_or_else(|| member_id.clone()),
            );
            put("group", group.clone());
            put("reason", removal_in(lang(), reason));
            for (k, v) in timers(snap, c) {
                put(k, v);
            }
            match reason {
                RemovalReason::SessionTimeout { session_timeout_ms } => {
                    // The coordinator's own reason names the timeout it applied; prefer its value.
                    put("session", session_timeout_ms.to_string());
                    "explain.event.removed_timeout"
                }
                RemovalReason::LeaveGroup => "explain.event.removed_leave",
                RemovalReason::RebalanceTimeout => "explain.event.removed_rejoin",
                RemovalReason::NoLongerListed => "explain.event.removed_unlisted",
                RemovalReason::ConsumerSessionTimeout { session_timeout_ms } => {
                    put("session", session_timeout_ms.to_string());
                    put(
                        "heartbeat",
                        snap.settings.consumer_heartbeat_interval_ms.to_string(),
                    );
                    "explain.event.removed_consumer_timeout"
                }
                RemovalReason::RevocationTimeout => "explain.event.removed_revocation",
                RemovalReason::Replaced => "explain.event.removed_replaced",
            }
        }
        RebalanceStarted { group, reason } => {
            put("group", group.clone());
            put("reason", rebalance_in(lang(), reason));
            "explain.event.rebalance_started"
        }
        GenerationAssigned {
            group,
            generation,
            assignor,
            ..
        } => {
            put("group", group.clone());
            put("generation", generation.to_string());
            put("assignor", assignor.clone());
            "explain.event.generation"
        }
        TargetAssignment {
            group,
            group_epoch,
            assignor,
            ..
        } => {
            put("group", group.clone());
            put("epoch", group_epoch.to_string());
            put("assignor", assignor.clone());
            put(
                "heartbeat",
                snap.settings.consumer_heartbeat_interval_ms.to_string(),
            );
            "explain.event.target_assignment"
        }
        MemberEpoch {
            member_id,
            member_epoch,
            ..
        } => {
            let who = consumer_named(snap, member_id)
                .map(|c| c.client_id.clone())
                .unwrap_or_else(|| member_id.clone());
            put("member", who);
            put("epoch", member_epoch.to_string());
            "explain.event.member_epoch"
        }
        PartitionsRevoked {
            member_id,
            partitions,
            ..
        } => {
            let who = consumer_named(snap, member_id)
                .map(|c| c.client_id.clone())
                .unwrap_or_else(|| member_id.clone());
            put("member", who);
            let tps: Vec<String> = partitions.iter().map(|t| t.to_string()).collect();
            put("partitions", tps.join(", "));
            "explain.event.revoked"
        }
        OffsetCommitted { group, tp, offset } => {
            put("group", group.clone());
            put("tp", tp.to_string());
            put("offset", offset.to_string());
            "explain.event.committed"
        }
        OffsetsExpired {
            group,
            partitions,
            retention_minutes,
        } => {
            put("group", group.clone());
            let tps: Vec<String> = partitions.iter().map(|t| t.to_string()).collect();
            put("partitions", tps.join(", "));
            put("minutes", retention_minutes.to_string());
            "explain.event.offsets_expired"
        }
        TxnBegan {
            transactional_id,
            producer_id,
        } => {
            put("id", transactional_id.clone());
            put("pid", producer_id.to_string());
            "explain.event.txn_began"
        }
        TxnEnded {
            transactional_id,
            committed,
            partitions,
        } => {
            put("id", transactional_id.clone());
            put("partitions", partitions.to_string());
            if *committed {
                "explain.event.txn_committed"
            } else {
                "explain.event.txn_aborted"
            }
        }
        ProducerFenced {
            transactional_id,
            producer_id,
            epoch,
        } => {
            put("id", transactional_id.clone());
            put("pid", producer_id.to_string());
            put("epoch", epoch.to_string());
            "explain.event.producer_fenced"
        }
        TxnTimedOut {
            transactional_id,
            timeout_ms,
        } => {
            put("id", transactional_id.clone());
            put("timeout", timeout_ms.to_string());
            "explain.event.txn_timed_out"
        }
        OffsetReset {
            group,
            tp,
            offset,
            policy,
        } => {
            put("group", group.clone());
            put("tp", tp.to_string());
            put("offset", offset.to_string());
            put("policy", policy.clone());
            "explain.event.reset"
        }
        CoordinatorMoved { group, broker } => {
            put("group", group.clone());
            put(
                "broker",
                broker.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
            );
            put("offsets_partitions", s.offsets_topic_partitions.to_string());
            "explain.event.coordinator_moved"
        }
        Check { passed, text } => {
            put("text", text.clone());
            if *passed {
                "explain.event.check_passed"
            } else {
                "explain.event.check_failed"
            }
        }
        Note { text } => {
            put("text", crate::text::note::note(text));
            "explain.event.note"
        }
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut x = Explanation::new(text_with("explain.event.title", &args));
    x.add(crate::text::event::event_line(&e.kind));
    x.add(text_with(key, &args));
    x
}

/// The `[explain.event]` key of a quorum line's `[event]` key.
fn quorum_explain_key(line_key: &str) -> &'static str {
    match line_key {
        "event.quorum_election_started" => "explain.event.quorum_election_started",
        "event.quorum_elected" => "explain.event.quorum_elected",
        "event.quorum_resigned" => "explain.event.quorum_resigned",
        "event.quorum_lost" => "explain.event.quorum_lost",
        "event.quorum_regained" => "explain.event.quorum_regained",
        "event.quorum_controller_killed" => "explain.event.quorum_controller_killed",
        _ => "explain.event.quorum_controller_started",
    }
}
