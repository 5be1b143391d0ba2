//! What the coordinator keeps per group and per member, the JoinGroup request and response it
//! trades in, and the broker-side settings it enforces.

use crate::cluster::group::OffsetAndMetadata;
use crate::cluster::snapshot::GroupState;
use crate::cluster::types::TopicPartition;
use std::collections::BTreeMap;

/// A JoinGroup request, with the consumer protocol's subscription already decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinRequest {
    /// Empty for a new member; the coordinator assigns one.
    pub member_id: Option<String>,
    /// `group.instance.id` for static members.
    pub group_instance_id: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// Assignor protocol names in the member's preference order.
    pub protocols: Vec<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions the member owns now (cooperative rebalancing).
    pub owned: Vec<TopicPartition>,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i64,
    /// `rebalance.timeout.ms` (the Java consumer sends `max.poll.interval.ms`).
    pub rebalance_timeout_ms: i64,
}

/// A JoinGroup response.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinResponse {
    /// The generation the member joined.
    pub generation: i32,
    /// The chosen assignor protocol.
    pub protocol: String,
    /// Member id of the leader.
    pub leader: String,
    /// This member's id.
    pub member_id: String,
    /// For the leader only: every member's subscription, to compute the assignment from.
    pub members: Vec<(String, Vec<String>, Vec<TopicPartition>)>,
}

/// One member as the coordinator keeps it.
#[derive(Clone, Debug)]
pub struct Member {
    /// Member id.
    pub member_id: String,
    /// `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// Assignor protocols, in preference order.
    pub protocols: Vec<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Owned partitions it reported at its last join.
    pub owned: Vec<TopicPartition>,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i64,
    /// `rebalance.timeout.ms`.
    pub rebalance_timeout_ms: i64,
    /// Last heartbeat (or join / sync, which count as one).
    pub last_heartbeat_ms: i64,
    /// Whether it has joined the rebalance in progress.
    pub joined: bool,
    /// Its JoinGroup response, once the join phase completed.
    pub join_response: Option<JoinResponse>,
    /// Its assignment in the current generation.
    pub assignment: Vec<TopicPartition>,
}

/// One group.
#[derive(Clone, Debug)]
pub struct Group {
    /// `group.id`.
    pub group_id: String,
    /// Classic-protocol state.
    pub state: GroupState,
    /// Generation id.
    pub generation: i32,
    /// Chosen protocol in the current generation.
    pub protocol: Option<String>,
    /// Leader member id.
    pub leader: Option<String>,
    /// Members by id.
    pub members: BTreeMap<String, Member>,
    /// When the join phase may complete at the earliest (initial rebalance delay).
    pub join_not_before_ms: i64,
    /// While a new group's initial delay runs (Kafka's `InitialDelayedJoin`): the delay being
    /// waited and the rebalance time left after it; each member that joins during a delay adds
    /// another `group.initial.rebalance.delay.ms`, up to the rebalance timeout.
    pub initial_delay: Option<InitialDelay>,
    /// When the join phase completes even if members are missing (rebalance timeout).
    pub join_deadline_ms: i64,
    /// When the current (or last) rebalance started.
    pub rebalance_started_ms: i64,
    /// Committed offsets with their metadata, as loaded from `__consumer_offsets` and updated by
    /// commits.
    pub committed: BTreeMap<TopicPartition, OffsetAndMetadata>,
    /// When each committed offset was committed (simulated ms; a reload counts as a commit):
    /// what a standalone group's offsets expire by. One entry per `committed` entry.
    pub commit_times_ms: BTreeMap<TopicPartition, i64>,
    /// Since when a group that had members has been Empty: its offsets expire
    /// `offsets.retention.minutes` after it (Kafka 2.1+, KIP-211).
    pub empty_since_ms: Option<i64>,
    /// Owner of each partition in the current generation, and when it last changed owner (`None`
    /// while it has had only its first owner: a first assignment is not a move).
    pub owners: BTreeMap<TopicPartition, (String, Option<i64>)>,
    /// A consumer-protocol group's KIP-848 state; `None` for a classic group. A group is one
    /// type or the other: an Empty group takes the type of the next member's protocol.
    pub consumer: Option<crate::cluster::group::consumer_group::ConsumerGroup>,
}

impl Group {
    /// An Empty group with no members, generation 0 and no offsets.
    pub(super) fn new(group_id: &str) -> Self {
        Self {
            group_id: group_id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            join_not_before_ms: 0,
            initial_delay: None,
            join_deadline_ms: 0,
            rebalance_started_ms: 0,
            committed: BTreeMap::new(),
            commit_times_ms: BTreeMap::new(),
            empty_since_ms: None,
            owners: BTreeMap::new(),
            consumer: None,
        }
    }
}

/// A new group's initial rebalance delay in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitialDelay {
    /// The delay now being waited, ms.
    pub delay_ms: i64,
    /// Rebalance time left after it, ms (the rebalance timeout minus the delays so far).
    pub remaining_ms: i64,
    /// Whether a new member joined during this delay (then another one follows).
    pub new_member_added: bool,
}

/// Settings the coordinator enforces (broker-side group configs).
#[derive(Clone, Copy, Debug)]
pub struct CoordinatorConfig {
    /// `group.initial.rebalance.delay.ms`: wait for more members when an empty group gets its first.
    pub initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms`.
    pub min_session_timeout_ms: i64,
    /// `group.max.session.timeout.ms`.
    pub max_session_timeout_ms: i64,
    /// `group.consumer.heartbeat.interval.ms` (KIP-848).
    pub consumer_heartbeat_interval_ms: i64,
    /// `group.consumer.session.timeout.ms` (KIP-848).
    pub consumer_session_timeout_ms: i64,
}
