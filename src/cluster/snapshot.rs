//! `ClusterSnapshot`: everything observable about the brokers at one instant: brokers, topics,
//! partitions and groups. The lab adds its clients to it in its own snapshot.

use super::types::{BrokerId, TopicPartition};
use serde::Serialize;

/// The whole cluster at one simulated instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterSnapshot {
    /// Simulated milliseconds since the lab started.
    pub now_ms: i64,
    /// The seed that drives every random choice.
    pub seed: u64,
    /// The broker holding the controller role, if any broker is up.
    pub controller: Option<BrokerId>,
    /// Brokers in id order.
    pub brokers: Vec<BrokerSnapshot>,
    /// The KRaft quorum's nodes: controllers (voters) first, then broker-only observers.
    pub quorum: Vec<crate::cluster::kraft::ControllerSnapshot>,
    /// Topics in name order (internal ones included, flagged).
    pub topics: Vec<TopicSnapshot>,
    /// Partitions in topic-partition order.
    pub partitions: Vec<PartitionSnapshot>,
    /// Consumer groups in id order.
    pub groups: Vec<GroupSnapshot>,
    /// The broker-side timers and limits in force, for countdowns and explanations.
    pub settings: ClusterSettings,
    /// When retention next runs (`log.retention.check.interval.ms` after the last run).
    pub next_retention_check_ms: i64,
    /// Transactions open or completing, oldest first (at most [`TRANSACTIONS_SHOWN_MAX`]).
    pub transactions: Vec<TransactionSnapshot>,
}

/// Open transactions a snapshot carries at most.
pub const TRANSACTIONS_SHOWN_MAX: usize = 64;

/// One transaction open or completing, as its coordinator sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TransactionSnapshot {
    /// `transactional.id`.
    pub transactional_id: String,
    /// Its producer id and epoch.
    pub producer_id: i64,
    /// The current epoch.
    pub producer_epoch: i16,
    /// Kafka's state name (`Ongoing`, `PrepareCommit`, ...).
    pub state: &'static str,
    /// Partitions in the transaction.
    pub partitions: Vec<TopicPartition>,
    /// When it began (simulated ms): its age counts against `timeout_ms`.
    pub started_ms: i64,
    /// `transaction.timeout.ms`.
    pub timeout_ms: i32,
}

/// The broker-side configs a room needs to read the clock: every timer the cluster waits on,
/// with Kafka's config names.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterSettings {
    /// The profile the lab started from (Kafka's defaults, or the teaching one's shortened timers).
    pub profile: crate::cluster::config::Profile,
    /// `broker.session.timeout.ms`.
    pub broker_session_timeout_ms: i64,
    /// `broker.heartbeat.interval.ms`.
    pub broker_heartbeat_interval_ms: i64,
    /// `controller.quorum.election.timeout.ms`.
    pub controller_quorum_election_timeout_ms: i64,
    /// `controller.quorum.fetch.timeout.ms`.
    pub controller_quorum_fetch_timeout_ms: i64,
    /// Controllers in the quorum (`controller.quorum.voters`).
    pub controller_voters: usize,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_time_max_ms: i64,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: bool,
    /// `auto.leader.rebalance.enable`.
    pub auto_leader_rebalance: bool,
    /// `leader.imbalance.check.interval.seconds`, in ms.
    pub leader_imbalance_check_interval_ms: i64,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms`.
    pub group_min_session_timeout_ms: i64,
    /// `group.max.session.timeout.ms`.
    pub group_max_session_timeout_ms: i64,
    /// `group.consumer.heartbeat.interval.ms` (KIP-848 groups).
    pub consumer_heartbeat_interval_ms: i64,
    /// `group.consumer.session.timeout.ms` (KIP-848 groups).
    pub consumer_session_timeout_ms: i64,
    /// `log.retention.check.interval.ms`.
    pub retention_check_interval_ms: i64,
    /// `offsets.topic.num.partitions`.
    pub offsets_topic_partitions: i32,
}

/// A broker's life-cycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BrokerState {
    /// Running and registered with the controller.
    Up,
    /// Controlled shutdown in progress: leadership is moving away.
    ShuttingDown,
    /// Crashed or stopped.
    Down,
}

/// One broker.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokerSnapshot {
    /// `broker.id`.
    pub id: BrokerId,
    /// Up, shutting down or down.
    pub state: BrokerState,
    /// Whether this broker is the active controller.
    pub is_controller: bool,
    /// Whether its followers have stopped fetching (the "slow follower" fault).
    pub slow: bool,
    /// Partitions this running broker leads (0 while it is down).
    pub partitions_led: usize,
    /// Partitions the controller still records this stopped broker as leading: nobody serves
    /// them until its session expires and the controller elects new leaders.
    pub leaderless: usize,
    /// A stopped broker the controller still counts as alive: its last heartbeat. Its session
    /// expires `broker.session.timeout.ms` after it; `None` once expired, or while it runs.
    pub silent_since_ms: Option<i64>,
    /// A restarted broker the controller keeps fenced: since when. Its next heartbeat
    /// (`broker.heartbeat.interval.ms` after its start) unfences it; `None` once it did.
    pub fenced_since_ms: Option<i64>,
    /// Replicas hosted (led or followed).
    pub replicas: usize,
    /// Bytes of segment files on disk under `broker-<id>/` (while down: as it stopped, stale).
    pub bytes_on_disk: u64,
    /// Wire-protocol port, when the listener is on.
    pub port: Option<u16>,
    /// The committed `__cluster_metadata` offset this broker has applied (None while down).
    pub metadata_offset: Option<i64>,
}

/// One topic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicSnapshot {
    /// Topic name.
    pub name: String,
    /// Partition count.
    pub partitions: i32,
    /// Replication factor.
    pub replication_factor: i16,
    /// `min.insync.replicas`.
    pub min_insync_replicas: i16,
    /// Internal topics such as `__consumer_offsets`.
    pub internal: bool,
    /// The topic's id (KIP-516); ZERO where none is known.
    pub topic_id: super::topic_id::TopicId,
}

/// Leader-epoch boundaries sent per replica: the newest this many (the log view marks them).
pub const EPOCH_STARTS_MAX: usize = 16;
/// Segment base offsets sent per replica: the newest this many (older ones are summarised by
/// the log start offset).
pub const SEGMENT_BASES_MAX: usize = 32;

/// The role one replica plays for its partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum ReplicaRole {
    /// Serves reads and writes.
    Leader,
    /// Follower in the ISR.
    InSync,
    /// Follower that fell out of the ISR.
    OutOfSync,
    /// Its broker is down.
    #[default]
    Offline,
}

/// One replica of a partition, on one broker: a compact summary of its log, cheap enough to send
/// for every partition (two short bounded lists), from which the log view draws its strip.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReplicaSnapshot {
    /// Broker hosting it.
    pub broker: BrokerId,
    /// Leader, in-sync, out-of-sync or offline.
    pub role: ReplicaRole,
    /// This replica's log end offset (LEO).
    pub log_end_offset: i64,
    /// This replica's high watermark (followers lag one fetch).
    pub high_watermark: i64,
    /// This replica's log start offset (retention moves it; last known while offline).
    pub log_start_offset: i64,
    /// Its leader-epoch cache (KIP-101): `(epoch, start offset)` ascending, the newest
    /// [`EPOCH_STARTS_MAX`]; empty while its broker is down (the log is closed).
    pub epoch_starts: Vec<(i32, i64)>,
    /// Base offsets of its segments ascending, the newest [`SEGMENT_BASES_MAX`]; empty while
    /// its broker is down.
    pub segment_bases: Vec<i64>,
    /// The newest COMMIT/ABORT markers in its log: (offset, whether it is a COMMIT), at most 32.
    pub markers: Vec<(i64, bool)>,
    /// An in-sync follower not caught up with the leader's LEO: since when
    /// (`lastCaughtUpTimeMs`); it leaves the ISR `replica.lag.time.max.ms` after that.
    pub behind_since_ms: Option<i64>,
}

/// One partition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionSnapshot {
    /// Which partition.
    pub tp: TopicPartition,
    /// Current leader, `None` when offline.
    pub leader: Option<BrokerId>,
    /// Leader epoch, bumped at every election.
    pub leader_epoch: i32,
    /// Assigned replicas in preference order (the first is the preferred leader).
    pub replicas: Vec<BrokerId>,
    /// In-sync replicas.
    pub isr: Vec<BrokerId>,
    /// Eligible leader replicas (KIP-966): out of the ISR, yet able to lead cleanly.
    pub elr: Vec<BrokerId>,
    /// No running leader serves it: the offsets and size below are the last known (stale), or
    /// -1 and 0 when never known.
    pub leader_down: bool,
    /// Per-replica detail, in `replicas` order (an offline replica's offsets are its last known).
    pub replica_states: Vec<ReplicaSnapshot>,
    /// The leader's high watermark (HW): consumers read below it.
    pub high_watermark: i64,
    /// The leader's last stable offset (LSO): the HW, or the first offset of the oldest open
    /// transaction when lower; `read_committed` consumers read below it.
    pub last_stable_offset: i64,
    /// The leader's log start offset.
    pub log_start_offset: i64,
    /// The leader's log end offset (LEO).
    pub log_end_offset: i64,
    /// Segment files in the leader's log.
    pub segments: usize,
    /// Bytes of the leader's log.
    pub size_bytes: u64,
}

/// A consumer group's state in the classic protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum GroupState {
    /// No members.
    Empty,
    /// Waiting for members to (re)join.
    PreparingRebalance,
    /// Waiting for the leader's assignment (SyncGroup).
    CompletingRebalance,
    /// KIP-848 only: some member has not reached the target assignment yet (it still has to
    /// revoke, or waits for partitions others release). Members keep consuming meanwhile.
    Reconciling,
    /// Every member has its assignment.
    Stable,
    /// Removed.
    Dead,
}

impl std::fmt::Display for GroupState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Reconciling => "Reconciling",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        })
    }
}

/// One consumer group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSnapshot {
    /// `group.id`.
    pub group_id: String,
    /// Classic-protocol state.
    pub state: GroupState,
    /// Generation id, bumped at every completed join.
    pub generation: i32,
    /// The chosen assignor (protocol name), once a generation exists.
    pub assignor: Option<String>,
    /// Broker acting as this group's coordinator.
    pub coordinator: Option<BrokerId>,
    /// Member id of the group leader (the member that computes assignments).
    pub leader_member: Option<String>,
    /// Members in member-id order.
    pub members: Vec<MemberSnapshot>,
    /// Per-partition offsets of the subscribed topics.
    pub partitions: Vec<GroupPartitionSnapshot>,
    /// While PreparingRebalance: what the join phase waits for, and until when.
    pub rebalance: Option<RebalanceWait>,
    /// `classic` or `consumer` (KIP-848; then `generation` is the group epoch).
    pub protocol: String,
    /// Total lag once a second, oldest first (`None`: nothing committed then). The brokers keep
    /// no history: the lab (simulated seconds) or attach (polls) fills it in.
    pub lag_history: Vec<Option<i64>>,
}

/// A join phase in progress and its timers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RebalanceWait {
    /// When the rebalance started.
    pub started_ms: i64,
    /// While an empty group waits `group.initial.rebalance.delay.ms` for more members: until when.
    pub initial_delay_until_ms: Option<i64>,
    /// When the join phase ends without the members that have not rejoined (the start plus the
    /// slowest member's `rebalance.timeout.ms`).
    pub deadline_ms: i64,
    /// Members that have (re)joined so far.
    pub joined: usize,
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberSnapshot {
    /// Member id given by the coordinator.
    pub member_id: String,
    /// The client's `client.id`.
    pub client_id: String,
    /// `group.instance.id` for static members.
    pub group_instance_id: Option<String>,
    /// Partitions assigned in the current generation.
    pub assigned: Vec<TopicPartition>,
    /// Last heartbeat the coordinator received (a join or sync counts as one).
    pub last_heartbeat_ms: i64,
    /// Its `session.timeout.ms`: removed when no heartbeat arrives for that long.
    pub session_timeout_ms: i64,
    /// Its `rebalance.timeout.ms`: how long a rebalance waits for it to rejoin.
    pub rebalance_timeout_ms: i64,
    /// KIP-848 members only: the member epoch.
    pub member_epoch: Option<i32>,
    /// KIP-848 members only: partitions it was told to give up and has not confirmed yet.
    pub revoking: Vec<TopicPartition>,
}

/// Offsets of one partition as seen by one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupPartitionSnapshot {
    /// Which partition.
    pub tp: TopicPartition,
    /// Member id owning it in the current generation.
    pub owner: Option<String>,
    /// Committed offset (the next record to read).
    pub committed: Option<i64>,
    /// The owner's fetch position, when a simulated consumer owns it.
    pub position: Option<i64>,
    /// The partition's high watermark.
    pub high_watermark: i64,
    /// Lag = HW − committed; `None` with nothing committed (`kafka-consumer-groups.sh` shows
    /// `-` for both offset and lag then).
    pub lag: Option<i64>,
    /// The partition's leader is down: HW and lag are the last known.
    pub stale: bool,
    /// Simulated time when it last changed owner, so the UI can highlight moves (`None` until a
    /// second owner takes it: a first assignment is not a move).
    pub moved_at_ms: Option<i64>,
}
