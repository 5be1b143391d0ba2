//! Events: what happened in the lab, timestamped on the simulated clock, in the order it happened.
//! How each reads as a line of text is in `event/display.rs`.

use super::types::{BrokerId, ClientId, TopicPartition};
use chrono::{DateTime, Utc};
use serde::Serialize;

mod display;
pub use display::{assignment_words, list};
mod importance;
mod io_detail;
mod note;
mod offsets_reset;
mod quorum;
mod reason;
mod undone;

pub use importance::{PinKind, is_internal_topic};
pub use io_detail::{IoDetail, IoKind, ListenerError};
pub use note::{ClientDescription, CommitWords, NoteText, secs_1};
pub use offsets_reset::OffsetsReset;
pub use quorum::QuorumChange;
pub use reason::{ElectionReason, ProduceError, RebalanceReason, RemovalReason, TruncationReason};
pub use undone::UndoneAction;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Simulated milliseconds since the lab started.
    pub at_ms: i64,
    /// The same instant on the lab's calendar (start time + `at_ms`).
    pub time: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The timestamp as `HH:MM:SS.mmm`, the way the timeline and headless output show it.
    pub fn clock(&self) -> String {
        self.time.format("%H:%M:%S%.3f").to_string()
    }
}

/// A broad kind of event, used for colours and filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EventCategory {
    /// Leader elections, controller moves, offline partitions.
    Election,
    /// ISR shrink and expand, HW moves.
    Isr,
    /// Group membership and rebalances.
    Rebalance,
    /// Offset commits and resets.
    Commit,
    /// Broker and client faults.
    Fault,
    /// Segment rolls, retention, truncation.
    Log,
    /// Clients spawned, topics created, settings changed.
    Info,
}

impl EventCategory {
    /// Every category, in the timeline's colour order.
    pub const ALL: [EventCategory; 7] = [
        EventCategory::Election,
        EventCategory::Isr,
        EventCategory::Rebalance,
        EventCategory::Commit,
        EventCategory::Fault,
        EventCategory::Log,
        EventCategory::Info,
    ];

    /// Short English label, as `--json` scripts and English stories see it.
    pub fn label(self) -> &'static str {
        match self {
            EventCategory::Election => "election",
            EventCategory::Isr => "isr",
            EventCategory::Rebalance => "rebalance",
            EventCategory::Commit => "commit",
            EventCategory::Fault => "fault",
            EventCategory::Log => "log",
            EventCategory::Info => "info",
        }
    }
}

/// Where the controller found a partition's new leader (Kafka 4.1's order of preference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ElectionSource {
    /// A live ISR member (clean).
    Isr,
    /// The ISR was empty; an eligible leader replica (KIP-966), clean: it holds every committed
    /// record.
    Elr,
    /// ISR and ELR were empty; the last known leader, unfenced again.
    LastKnownLeader,
    /// An out-of-sync replica (`unclean.leader.election.enable`): records may be lost.
    Unclean,
}

/// What happened, with Kafka's names for things.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum EventKind {
    /// The lab started.
    LabStarted {
        /// Broker count.
        brokers: usize,
        /// The seed.
        seed: u64,
    },
    /// A topic was created.
    TopicCreated {
        /// Name.
        topic: String,
        /// Partition count.
        partitions: i32,
        /// Replication factor.
        replication_factor: i16,
    },
    /// A topic was deleted: its partitions went offline and their logs left every broker's disk.
    TopicDeleted {
        /// Name.
        topic: String,
        /// Partitions it had.
        partitions: i32,
        /// Groups' committed offsets removed with it (one per group and partition).
        offsets_removed: usize,
    },
    /// CreatePartitions grew a topic.
    PartitionsAdded {
        /// Name.
        topic: String,
        /// Partition count before.
        from: i32,
        /// Partition count now.
        to: i32,
    },
    /// A topic config was set (`Some`) or reset to the broker's value (`None`).
    TopicConfigChanged {
        /// Name.
        topic: String,
        /// Kafka's config name.
        config: String,
        /// The new value; `None` when reset to the default.
        value: Option<String>,
    },
    /// A broker crashed (no goodbye).
    BrokerKilled {
        /// Which broker.
        broker: BrokerId,
    },
    /// A broker began a controlled shutdown.
    BrokerShuttingDown {
        /// Which broker.
        broker: BrokerId,
    },
    /// A broker finished a controlled shutdown.
    BrokerStopped {
        /// Which broker.
        broker: BrokerId,
    },
    /// A broker started and recovered its logs.
    BrokerStarted {
        /// Which broker.
        broker: BrokerId,
    },
    /// The controller noticed a broker's session expired.
    BrokerSessionExpired {
        /// Which broker.
        broker: BrokerId,
    },
    /// A restarted broker's first heartbeat: the controller unfences it, its replicas fetch.
    BrokerUnfenced {
        /// Which broker.
        broker: BrokerId,
        /// How long it was fenced (simulated ms).
        fenced_ms: i64,
    },
    /// A restarted broker's replica rejoined the ISR: how long and how many records it took.
    ReplicaCaughtUp {
        /// Which partition.
        tp: TopicPartition,
        /// The restarted broker.
        broker: BrokerId,
        /// Time from its restart to rejoining the ISR (simulated ms).
        after_ms: i64,
        /// Records it fetched meanwhile.
        records: i64,
    },
    /// A follower stopped or resumed fetching (the slow-follower fault).
    BrokerSlow {
        /// Which broker.
        broker: BrokerId,
        /// Slow now?
        slow: bool,
    },
    /// Another broker took the controller role.
    ControllerMoved {
        /// Old controller.
        from: Option<BrokerId>,
        /// New controller.
        to: Option<BrokerId>,
    },
    /// The KRaft controller quorum changed: a vote, a new active controller, a lost majority.
    Quorum {
        /// What changed.
        change: QuorumChange,
    },
    /// A partition got a new leader.
    LeaderElected {
        /// Which partition.
        tp: TopicPartition,
        /// New leader.
        leader: BrokerId,
        /// New leader epoch.
        leader_epoch: i32,
        /// Why (the old leader is unavailable, a new partition, the preferred leader is back).
        reason: ElectionReason,
        /// Whether it came from the ISR, the ELR, the last known leader, or was unclean.
        source: ElectionSource,
    },
    /// No live ISR member: the partition has no leader.
    PartitionOffline {
        /// Which partition.
        tp: TopicPartition,
    },
    /// An out-of-sync replica became leader; records may be lost.
    UncleanLeaderElected {
        /// Which partition.
        tp: TopicPartition,
        /// New leader.
        leader: BrokerId,
        /// Records above the new leader's LEO that the old leader had acknowledged or held.
        records_lost: i64,
        /// The first of them: the old leader's offsets `first_lost_offset..+records_lost` are gone,
        /// so a check can tell which acknowledged records this election lost.
        first_lost_offset: i64,
    },
    /// Followers left the ISR.
    IsrShrunk {
        /// Which partition.
        tp: TopicPartition,
        /// Removed brokers.
        removed: Vec<BrokerId>,
        /// ISR after.
        isr: Vec<BrokerId>,
    },
    /// The eligible leader replicas changed (KIP-966): replicas out of the ISR that may still
    /// lead cleanly, because they left it while it was below `min.insync.replicas`.
    ElrChanged {
        /// Which partition.
        tp: TopicPartition,
        /// ELR after (empty: cleared).
        elr: Vec<BrokerId>,
        /// ISR after.
        isr: Vec<BrokerId>,
    },
    /// Followers rejoined the ISR.
    IsrExpanded {
        /// Which partition.
        tp: TopicPartition,
        /// Added brokers.
        added: Vec<BrokerId>,
        /// ISR after.
        isr: Vec<BrokerId>,
    },
    /// The leader's high watermark moved (rate-limited).
    HighWatermarkAdvanced {
        /// Which partition.
        tp: TopicPartition,
        /// New HW.
        high_watermark: i64,
    },
    /// A replica rolled a new segment.
    SegmentRolled {
        /// Which partition.
        tp: TopicPartition,
        /// On which broker.
        broker: BrokerId,
        /// Base offset of the new segment.
        base_offset: i64,
    },
    /// Retention deleted old segments.
    SegmentsDeleted {
        /// Which partition.
        tp: TopicPartition,
        /// On which broker.
        broker: BrokerId,
        /// Segments removed.
        segments: usize,
        /// The new log start offset.
        log_start_offset: i64,
    },
    /// A replica's log was truncated (recovery of a torn tail, or divergence by leader epoch).
    LogTruncated {
        /// Which partition.
        tp: TopicPartition,
        /// On which broker.
        broker: BrokerId,
        /// New log end offset.
        to_offset: i64,
        /// Records dropped.
        records_dropped: i64,
        /// Why (a divergent tail, or recovery of a torn one).
        reason: TruncationReason,
    },
    /// An idempotent producer got a bumped epoch from InitProducerId (KIP-360): after a lost
    /// sequence its sequences start again at 0 under the new epoch.
    ProducerEpochBumped {
        /// The producer id (unchanged).
        producer_id: i64,
        /// The new epoch.
        epoch: i16,
    },
    /// A produce request failed.
    ProduceFailed {
        /// Which producer.
        client: String,
        /// Which partition.
        tp: TopicPartition,
        /// Kafka's error, and whether the producer retries.
        error: ProduceError,
    },
    /// A client was spawned.
    ClientSpawned {
        /// Lab-wide id.
        id: ClientId,
        /// `client.id`.
        client_id: String,
        /// What the client is ("producer → test at 5/s").
        description: ClientDescription,
    },
    /// A consumer crashed (no LeaveGroup).
    ConsumerKilled {
        /// `client.id`.
        client_id: String,
    },
    /// A consumer closed gracefully.
    ConsumerClosed {
        /// `client.id`.
        client_id: String,
    },
    /// A producer stopped.
    ProducerStopped {
        /// `client.id`.
        client_id: String,
    },
    /// A simulated producer crashed: nothing flushed, no EndTxn; what it left open stays open.
    ProducerKilled {
        /// `client.id`.
        client_id: String,
    },
    /// A simulated producer froze (a long GC pause, a stalled VM) or came back.
    ProducerPaused {
        /// `client.id`.
        client_id: String,
        /// Frozen (true) or back (false).
        paused: bool,
    },
    /// A transactional producer learned it was fenced (a newer producer has its
    /// `transactional.id`): it stops for good, as Kafka's producer does.
    ZombieFenced {
        /// `client.id`.
        client_id: String,
        /// `transactional.id`.
        transactional_id: String,
        /// The epoch it still had.
        epoch: i16,
        /// PRODUCER_FENCED or INVALID_PRODUCER_EPOCH.
        error: crate::cluster::error::KafkaError,
    },
    /// A member joined a group.
    MemberJoined {
        /// `group.id`.
        group: String,
        /// Member id.
        member_id: String,
        /// `client.id`.
        client_id: String,
    },
    /// A member left (LeaveGroup) or was removed (timeout).
    MemberRemoved {
        /// `group.id`.
        group: String,
        /// Member id.
        member_id: String,
        /// Why (LeaveGroup, `session.timeout.ms`, `rebalance.timeout.ms`).
        reason: RemovalReason,
    },
    /// A group began rebalancing.
    RebalanceStarted {
        /// `group.id`.
        group: String,
        /// Why: who joined, left or timed out.
        reason: RebalanceReason,
    },
    /// A generation was assigned.
    GenerationAssigned {
        /// `group.id`.
        group: String,
        /// Generation id.
        generation: i32,
        /// Assignor used.
        assignor: String,
        /// Who got what.
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// KIP-848: a consumer-protocol group's epoch rose and the coordinator computed a new
    /// target assignment.
    TargetAssignment {
        /// `group.id`.
        group: String,
        /// The new group epoch (the target assignment's epoch).
        group_epoch: i32,
        /// The server-side assignor used (`uniform`, `range`).
        assignor: String,
        /// Who should own what.
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// KIP-848: a member reached a member epoch (or was given partitions another released).
    MemberEpoch {
        /// `group.id`.
        group: String,
        /// Member id.
        member_id: String,
        /// Its member epoch now.
        member_epoch: i32,
        /// What it owns now.
        assigned: Vec<TopicPartition>,
        /// Partitions of its target still held by others (it gets them once released).
        unreleased: Vec<TopicPartition>,
    },
    /// Partitions were revoked from a member.
    PartitionsRevoked {
        /// `group.id`.
        group: String,
        /// Member id.
        member_id: String,
        /// Revoked partitions.
        partitions: Vec<TopicPartition>,
    },
    /// A group committed an offset.
    OffsetCommitted {
        /// `group.id`.
        group: String,
        /// Which partition.
        tp: TopicPartition,
        /// Committed offset (next record to read).
        offset: i64,
    },
    /// Committed offsets of an Empty group expired (`offsets.retention.minutes`).
    OffsetsExpired {
        /// `group.id`.
        group: String,
        /// The partitions whose offsets are gone.
        partitions: Vec<TopicPartition>,
        /// `offsets.retention.minutes` applied.
        retention_minutes: i64,
    },
    /// A consumer had no valid committed offset and applied `auto.offset.reset`.
    OffsetReset {
        /// `group.id`.
        group: String,
        /// Which partition.
        tp: TopicPartition,
        /// Offset it starts from.
        offset: i64,
        /// The policy applied.
        policy: String,
    },
    /// A transaction began: its first partitions were added (AddPartitionsToTxn replicated).
    TxnBegan {
        /// `transactional.id`.
        transactional_id: String,
        /// Its producer id.
        producer_id: i64,
    },
    /// Every marker of a transaction is written: it is committed or aborted everywhere.
    TxnEnded {
        /// `transactional.id`.
        transactional_id: String,
        /// COMMIT (true) or ABORT markers.
        committed: bool,
        /// Partitions that received a marker.
        partitions: usize,
    },
    /// A `transactional.id` got a new epoch: every producer with an older one is fenced.
    ProducerFenced {
        /// `transactional.id`.
        transactional_id: String,
        /// Its producer id.
        producer_id: i64,
        /// The new epoch.
        epoch: i16,
    },
    /// A transaction stayed open longer than its `transaction.timeout.ms`: the coordinator aborts it.
    TxnTimedOut {
        /// `transactional.id`.
        transactional_id: String,
        /// `transaction.timeout.ms` it exceeded.
        timeout_ms: i32,
    },
    /// A group's coordinator moved to another broker.
    CoordinatorMoved {
        /// `group.id`.
        group: String,
        /// New coordinator broker.
        broker: Option<BrokerId>,
    },
    /// A lesson expectation checked: `PASS [i/N] …` or `FAIL [i/N] …`.
    Check {
        /// Whether it held.
        passed: bool,
        /// What was expected, its step and, on failure, what was seen instead.
        text: String,
    },
    /// A free-form note (scenario captions, settings changes).
    Note {
        /// A code from the lab, or text already in the chosen language.
        text: NoteText,
    },
}

impl EventKind {
    /// The broad kind, for colours.
    pub fn category(&self) -> EventCategory {
        use EventKind::*;
        match self {
            LeaderElected { .. }
            | PartitionOffline { .. }
            | UncleanLeaderElected { .. }
            | ControllerMoved { .. } => EventCategory::Election,
            Quorum {
                change: QuorumChange::ControllerKilled { .. },
            } => EventCategory::Fault,
            Quorum { .. } => EventCategory::Election,
            IsrShrunk { .. }
            | IsrExpanded { .. }
            | ElrChanged { .. }
            | ReplicaCaughtUp { .. }
            | HighWatermarkAdvanced { .. } => EventCategory::Isr,
            MemberJoined { .. }
            | MemberRemoved { .. }
            | RebalanceStarted { .. }
            | GenerationAssigned { .. }
            | TargetAssignment { .. }
            | MemberEpoch { .. }
            | PartitionsRevoked { .. }
            | CoordinatorMoved { .. } => EventCategory::Rebalance,
            OffsetCommitted { .. }
            | OffsetReset { .. }
            | OffsetsExpired { .. }
            | TxnBegan { .. }
            | TxnEnded { .. }
            | ProducerFenced { .. }
            | ZombieFenced { .. }
            | TxnTimedOut { .. } => EventCategory::Commit,
            BrokerKilled { .. }
            | BrokerShuttingDown { .. }
            | BrokerStopped { .. }
            | BrokerSessionExpired { .. }
            | BrokerSlow { .. }
            | ProduceFailed { .. }
            | ProducerKilled { .. }
            | ProducerPaused { .. }
            | ConsumerKilled { .. } => EventCategory::Fault,
            SegmentRolled { .. } | SegmentsDeleted { .. } | LogTruncated { .. } => {
                EventCategory::Log
            }
            LabStarted { .. }
            | TopicCreated { .. }
            | TopicDeleted { .. }
            | PartitionsAdded { .. }
            | TopicConfigChanged { .. }
            | BrokerStarted { .. }
            | BrokerUnfenced { .. }
            | ClientSpawned { .. }
            | ConsumerClosed { .. }
            | ProducerStopped { .. }
            | ProducerEpochBumped { .. }
            | Check { .. }
            | Note { .. } => EventCategory::Info,
        }
    }
}
