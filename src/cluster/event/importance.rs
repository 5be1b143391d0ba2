//! Which events tell the story of a lab (faults, elections, ISR changes, rebalances, lesson
//! checks) and which are routine bookkeeping (HW advances, commits, segment rolls, anything about
//! an internal topic): the timeline shows the story by default so a room sees what matters.

use super::EventKind;
use crate::cluster::lab::OFFSETS_TOPIC;
use crate::cluster::types::TopicPartition;

/// The kinds of event that stay pinned on the timeline until a newer one of the same kind
/// happens, so the cause of what a room is watching never scrolls away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinKind {
    /// A leader election (clean or unclean) or a partition going offline.
    Election,
    /// A broker or consumer killed or shut down: a fault someone injected.
    Kill,
}

impl PinKind {
    /// Both kinds, in the order their pinned rows are drawn.
    pub const ALL: [PinKind; 2] = [PinKind::Kill, PinKind::Election];
}

/// Whether a topic is internal to Kafka (`__consumer_offsets`, or any `__`-prefixed name).
pub fn is_internal_topic(topic: &str) -> bool {
    topic == OFFSETS_TOPIC || topic.starts_with("__")
}

impl EventKind {
    /// The partition the event is about, if it is about one.
    pub fn topic_partition(&self) -> Option<&TopicPartition> {
        use EventKind::*;
        match self {
            LeaderElected { tp, .. }
            | PartitionOffline { tp }
            | UncleanLeaderElected { tp, .. }
            | IsrShrunk { tp, .. }
            | IsrExpanded { tp, .. }
            | ElrChanged { tp, .. }
            | ReplicaCaughtUp { tp, .. }
            | HighWatermarkAdvanced { tp, .. }
            | SegmentRolled { tp, .. }
            | SegmentsDeleted { tp, .. }
            | LogTruncated { tp, .. }
            | ProduceFailed { tp, .. }
            | OffsetCommitted { tp, .. }
            | OffsetReset { tp, .. } => Some(tp),
            _ => None,
        }
    }

    /// Routine bookkeeping a room does not need to see: HW advances, offset commits (periodic
    /// auto-commits), segment rolls, a new partition's first leader (epoch 0: "topic created"
    /// already says it) and anything about an internal topic. The rest is the story.
    pub fn is_routine(&self) -> bool {
        use EventKind::*;
        let internal = match self {
            TopicCreated { topic, .. } => is_internal_topic(topic),
            other => other
                .topic_partition()
                .is_some_and(|tp| is_internal_topic(&tp.topic)),
        };
        internal
            || matches!(
                self,
                HighWatermarkAdvanced { .. }
                    | OffsetCommitted { .. }
                    | SegmentRolled { .. }
                    | LeaderElected {
                        leader_epoch: 0,
                        ..
                    }
            )
    }

    /// The pinned kind this event belongs to, if any (routine events are never pinned).
    pub fn pin_kind(&self) -> Option<PinKind> {
        use EventKind::*;
        if self.is_routine() {
            return None;
        }
        match self {
            LeaderElected { .. } | UncleanLeaderElected { .. } | PartitionOffline { .. } => {
                Some(PinKind::Election)
            }
            BrokerKilled { .. } | BrokerShuttingDown { .. } | ConsumerKilled { .. } => {
                Some(PinKind::Kill)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(topic: &str) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition: 0,
        }
    }

    #[test]
    fn hw_advances_commits_and_segment_rolls_are_routine() {
        let routine = [
            EventKind::HighWatermarkAdvanced {
                tp: tp("test"),
                high_watermark: 5,
            },
            EventKind::OffsetCommitted {
                group: "g".into(),
                tp: tp("test"),
                offset: 5,
            },
            EventKind::SegmentRolled {
                tp: tp("test"),
                broker: 1,
                base_offset: 100,
            },
        ];
        for e in routine {
            assert!(e.is_routine(), "{e:?}");
        }
    }

    #[test]
    fn a_new_partitions_first_leader_is_routine_a_failover_is_not() {
        let elected = |epoch| EventKind::LeaderElected {
            tp: tp("test"),
            leader: 1,
            leader_epoch: epoch,
            reason: crate::cluster::event::ElectionReason::NewPartition,
            source: crate::cluster::event::ElectionSource::Isr,
        };
        assert!(elected(0).is_routine());
        assert_eq!(elected(0).pin_kind(), None);
        assert!(!elected(1).is_routine());
        assert_eq!(elected(1).pin_kind(), Some(PinKind::Election));
    }

    #[test]
    fn events_about_internal_topics_are_routine_even_elections() {
        let election = EventKind::LeaderElected {
            tp: tp(OFFSETS_TOPIC),
            leader: 2,
            leader_epoch: 1,
            reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 1 },
            source: crate::cluster::event::ElectionSource::Isr,
        };
        assert!(election.is_routine());
        assert_eq!(election.pin_kind(), None);
        let created = EventKind::TopicCreated {
            topic: OFFSETS_TOPIC.into(),
            partitions: 1,
            replication_factor: 3,
        };
        assert!(created.is_routine());
    }

    #[test]
    fn faults_elections_isr_rebalances_and_checks_are_the_story() {
        let story = [
            EventKind::BrokerKilled { broker: 1 },
            EventKind::LeaderElected {
                tp: tp("test"),
                leader: 2,
                leader_epoch: 1,
                reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 1 },
                source: crate::cluster::event::ElectionSource::Isr,
            },
            EventKind::IsrShrunk {
                tp: tp("test"),
                removed: vec![1],
                isr: vec![2, 3],
            },
            EventKind::RebalanceStarted {
                group: "g".into(),
                reason: crate::cluster::event::RebalanceReason::Joined { member: "m".into() },
            },
            EventKind::Check {
                passed: true,
                text: "PASS".into(),
            },
            EventKind::TopicCreated {
                topic: "test".into(),
                partitions: 3,
                replication_factor: 3,
            },
            EventKind::ConsumerKilled {
                client_id: "consumer-A".into(),
            },
        ];
        for e in story {
            assert!(!e.is_routine(), "{e:?}");
        }
    }

    #[test]
    fn kills_and_elections_are_pinned_kinds() {
        assert_eq!(
            EventKind::BrokerKilled { broker: 1 }.pin_kind(),
            Some(PinKind::Kill)
        );
        assert_eq!(
            EventKind::ConsumerKilled {
                client_id: "c".into()
            }
            .pin_kind(),
            Some(PinKind::Kill)
        );
        assert_eq!(
            EventKind::PartitionOffline { tp: tp("test") }.pin_kind(),
            Some(PinKind::Election)
        );
        assert_eq!(
            EventKind::MemberJoined {
                group: "g".into(),
                member_id: "m".into(),
                client_id: "c".into()
            }
            .pin_kind(),
            None
        );
    }
}
