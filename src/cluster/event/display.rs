//! Events as text: the one-line sentences the timeline and headless output show.

use super::{ElectionSource, Event, EventKind};
use std::fmt;

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:<9} {}",
            self.clock(),
            self.kind.category().label(),
            self.kind
        )
    }
}

/// `[a,b,c]`, the compact form partition and replica lists take in event text.
pub fn list<T: fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    format!("[{}]", parts.join(","))
}

/// `m1→[t-0] m2→[t-1]`, an assignment as event lines say it (in every language).
pub fn assignment_words(
    assignment: &[(String, Vec<super::super::types::TopicPartition>)],
) -> String {
    let parts: Vec<String> = assignment
        .iter()
        .map(|(m, tps)| format!("{m}→{}", list(tps)))
        .collect();
    parts.join(" ")
}

/// `2.4 s`: a simulated duration as the timeline says it.
pub(crate) fn seconds(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// `1 partition`, `3 partitions`: a count with its noun in the right number.
fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventKind::*;
        match self {
            LabStarted { brokers, seed } => {
                write!(
                    f,
                    "lab started: {}, seed {seed}",
                    count(*brokers as i64, "broker")
                )
            }
            TopicCreated {
                topic,
                partitions,
                replication_factor,
            } => write!(
                f,
                "topic {topic} created: {}, replication factor {replication_factor}",
                count(i64::from(*partitions), "partition")
            ),
            TopicDeleted {
                topic,
                partitions,
                offsets_removed,
            } => write!(
                f,
                "topic {topic} deleted: {} offline, logs deleted, {} removed",
                count(i64::from(*partitions), "partition"),
                count(*offsets_removed as i64, "committed offset")
            ),
            PartitionsAdded { topic, from, to } => write!(
                f,
                "topic {topic} grew from {from} to {}; keys may now map to other partitions",
                count(i64::from(*to), "partition")
            ),
            TopicConfigChanged {
                topic,
                config,
                value: Some(v),
            } => write!(f, "topic {topic}: {config} set to {v}"),
            TopicConfigChanged {
                topic,
                config,
                value: None,
            } => write!(f, "topic {topic}: {config} reset to the broker's value"),
            BrokerKilled { broker } => write!(f, "broker {broker} killed (crash, no goodbye)"),
            BrokerShuttingDown { broker } => {
                write!(
                    f,
                    "broker {broker} controlled shutdown: moving leadership away"
                )
            }
            BrokerStopped { broker } => write!(f, "broker {broker} stopped"),
            BrokerStarted { broker } => write!(f, "broker {broker} started, logs recovered"),
            BrokerUnfenced { broker, fenced_ms } => write!(
                f,
                "controller: broker {broker} unfenced at its first heartbeat after {}: its replicas fetch now",
                seconds(*fenced_ms)
            ),
            ReplicaCaughtUp {
                tp,
                broker,
                after_ms,
                records,
            } => write!(
                f,
                "{tp}@{broker} rejoined the ISR {} after restarting, caught up {records} records",
                seconds(*after_ms)
            ),
            BrokerSessionExpired { broker } => {
                write!(
                    f,
                    "controller: broker {broker} session expired, marked dead"
                )
            }
            BrokerSlow { broker, slow: true } => {
                write!(f, "broker {broker} is slow: its followers stopped fetching")
            }
            BrokerSlow {
                broker,
                slow: false,
            } => {
                write!(f, "broker {broker} fetches again")
            }
            Quorum { change } => write!(f, "{change}"),
            ControllerMoved { from, to } => match (from, to) {
                (_, Some(to)) => write!(f, "broker {to} is now the controller"),
                (_, None) => write!(f, "no controller: every broker is down"),
            },
            LeaderElected {
                tp,
                leader,
                leader_epoch,
                reason,
                source: ElectionSource::Elr,
            } => write!(
                f,
                "{tp}: broker {leader} elected leader from the ELR, a clean election (epoch \
                 {leader_epoch}) — {reason}"
            ),
            LeaderElected {
                tp,
                leader,
                leader_epoch,
                reason,
                source: ElectionSource::LastKnownLeader,
            } => write!(
                f,
                "{tp}: last known leader, broker {leader}, elected again (epoch {leader_epoch}) \
                 — {reason}"
            ),
            LeaderElected {
                tp,
                leader,
                leader_epoch,
                reason,
                ..
            } => write!(
                f,
                "{tp}: broker {leader} elected leader (epoch {leader_epoch}) — {reason}"
            ),
            PartitionOffline { tp } => {
                write!(f, "{tp}: OFFLINE, no live in-sync replica to elect")
            }
            UncleanLeaderElected {
                tp,
                leader,
                records_lost,
                ..
            } => write!(
                f,
                "{tp}: UNCLEAN election of out-of-sync broker {leader}, {} lost",
                count(*records_lost, "record")
            ),
            IsrShrunk { tp, removed, isr } => {
                write!(
                    f,
                    "{tp}: ISR shrank to {} (removed {})",
                    list(isr),
                    list(removed)
                )
            }
            ElrChanged { tp, elr, isr } if elr.is_empty() => {
                write!(f, "{tp}: ELR now empty (ISR {})", list(isr))
            }
            ElrChanged { tp, elr, isr } => write!(
                f,
                "{tp}: ELR now {}: out of the ISR but eligible to lead (ISR {} below \
                 min.insync.replicas)",
                list(elr),
                list(isr)
            ),
            IsrExpanded { tp, added, isr } => {
                write!(
                    f,
                    "{tp}: ISR expanded to {} (added {})",
                    list(isr),
                    list(added)
                )
            }
            HighWatermarkAdvanced { tp, high_watermark } => {
                write!(f, "{tp}: HW advanced to {high_watermark}")
            }
            SegmentRolled {
                tp,
                broker,
                base_offset,
            } => write!(
                f,
                "{tp}@{broker}: rolled new segment at offset {base_offset}"
            ),
            SegmentsDeleted {
                tp,
                broker,
                segments,
                log_start_offset,
            } => write!(
                f,
                "{tp}@{broker}: retention deleted {}, log start offset now {log_start_offset}",
                count(*segments as i64, "segment")
            ),
            LogTruncated {
                tp,
                broker,
                to_offset,
                records_dropped,
                reason,
            } => write!(
                f,
                "{tp}@{broker}: truncated to offset {to_offset}, {} dropped: {reason}",
                count(*records_dropped, "record")
            ),
            ProduceFailed { client, tp, error } => {
                write!(f, "{client}: produce to {tp} failed: {error}")
            }
            ProducerEpochBumped { producer_id, epoch } => write!(
                f,
                "producer id {producer_id} bumped its epoch to {epoch} (KIP-360): its sequences start again at 0"
            ),
            ClientSpawned {
                client_id,
                description,
                ..
            } => write!(f, "{client_id} started: {description}"),
            ConsumerKilled { client_id } => {
                write!(
                    f,
                    "{client_id} killed (no LeaveGroup: the group waits for session.timeout.ms)"
                )
            }
            ConsumerClosed { client_id } => write!(f, "{client_id} closed (LeaveGroup sent)"),
            ProducerStopped { client_id } => write!(f, "{client_id} stopped"),
            ProducerKilled { client_id } => {
                write!(
                    f,
                    "{client_id} killed: nothing flushed, its transaction left open"
                )
            }
            ProducerPaused {
                client_id,
                paused: true,
            } => write!(f, "{client_id} frozen: it sends nothing"),
            ProducerPaused {
                client_id,
                paused: false,
            } => write!(f, "{client_id} resumed"),
            ZombieFenced {
                client_id,
                transactional_id,
                epoch,
                error,
            } => write!(
                f,
                "{client_id} ({transactional_id}, epoch {epoch}) fenced: {error}; it stops"
            ),
            MemberJoined {
                group,
                member_id,
                client_id,
            } => write!(f, "{group}: {client_id} joined as {member_id}"),
            MemberRemoved {
                group,
                member_id,
                reason,
            } => write!(f, "{group}: member {member_id} removed: {reason}"),
            RebalanceStarted { group, reason } => {
                write!(f, "{group}: rebalance started ({reason})")
            }
            GenerationAssigned {
                group,
                generation,
                assignor,
                assignment,
            } => {
                write!(
                    f,
                    "{group}: generation {generation} ({assignor}): {}",
                    assignment_words(assignment)
                )
            }
            PartitionsRevoked {
                group,
                member_id,
                partitions,
            } => write!(f, "{group}: {member_id} revoked {}", list(partitions)),
            TargetAssignment {
                group,
                group_epoch,
                assignor,
                assignment,
            } => {
                write!(
                    f,
                    "{group}: group epoch {group_epoch} ({assignor}), target {}",
                    assignment_words(assignment)
                )
            }
            MemberEpoch {
                group,
                member_id,
                member_epoch,
                assigned,
                unreleased,
            } => {
                write!(
                    f,
                    "{group}: {member_id} at member epoch {member_epoch} owns {}",
                    list(assigned)
                )?;
                if !unreleased.is_empty() {
                    write!(f, ", waiting for {}", list(unreleased))?;
                }
                Ok(())
            }
            OffsetCommitted { group, tp, offset } => {
                write!(f, "{group}: committed {tp} offset {offset}")
            }
            OffsetsExpired {
                group,
                partitions,
                retention_minutes,
            } => write!(
                f,
                "{group}: committed offsets of {} expired (offsets.retention.minutes={retention_minutes})",
                list(partitions)
            ),
            TxnBegan {
                transactional_id,
                producer_id,
            } => write!(
                f,
                "transaction {transactional_id} (producer id {producer_id}) began"
            ),
            TxnEnded {
                transactional_id,
                committed,
                partitions,
            } => write!(
                f,
                "transaction {transactional_id} {}: {} markers written to {partitions} partitions",
                if *committed { "committed" } else { "aborted" },
                if *committed { "COMMIT" } else { "ABORT" }
            ),
            ProducerFenced {
                transactional_id,
                producer_id,
                epoch,
            } => write!(
                f,
                "{transactional_id}: producer id {producer_id} now at epoch {epoch}, older epochs fenced (PRODUCER_FENCED)"
            ),
            TxnTimedOut {
                transactional_id,
                timeout_ms,
            } => write!(
                f,
                "transaction {transactional_id} open longer than transaction.timeout.ms={timeout_ms}: aborting"
            ),
            OffsetReset {
                group,
                tp,
                offset,
                policy,
            } => write!(
                f,
                "{group}: no valid committed offset for {tp}, auto.offset.reset={policy} → {offset}"
            ),
            CoordinatorMoved { group, broker } => match broker {
                Some(b) => write!(f, "{group}: coordinator is now broker {b}"),
                None => write!(f, "{group}: coordinator not available"),
            },
            Check { passed, text } => {
                write!(f, "{} {text}", if *passed { "PASS" } else { "FAIL" })
            }
            Note { text } => write!(f, "{text}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn one_partition_topic_reads_as_one_partition() {
        let kind = EventKind::TopicCreated {
            topic: "orders".into(),
            partitions: 1,
            replication_factor: 1,
        };
        assert_eq!(
            kind.to_string(),
            "topic orders created: 1 partition, replication factor 1"
        );
        let kind = EventKind::LabStarted {
            brokers: 1,
            seed: 7,
        };
        assert_eq!(kind.to_string(), "lab started: 1 broker, seed 7");
    }

    #[test]
    fn member_removed_by_leave_group_has_one_pair_of_parentheses() {
        let kind = EventKind::MemberRemoved {
            group: "g".into(),
            member_id: "m-1".into(),
            reason: crate::cluster::event::RemovalReason::LeaveGroup,
        };
        let text = kind.to_string();
        assert_eq!(text, "g: member m-1 removed: left the group (LeaveGroup)");
        assert!(!text.contains("))"), "{text}");
    }
}
