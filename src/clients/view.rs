//! What the dashboard shows of a client: producer and consumer views, built by the clients
//! themselves (real clients' views are built by the lab from what the wire host saw).

use super::spec::{CommitMode, KeyMode, Partitioner};
use crate::cluster::types::{Acks, AssignorKind, ClientId, TopicPartition};
use serde::Serialize;

/// Where a client lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ClientOrigin {
    /// Simulated inside the lab.
    Simulated,
    /// A real client connected over the wire protocol.
    Wire,
    /// A real client the attached dashboard started on a real cluster (`kafka-lab attach`).
    Dashboard,
}

/// One producer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerSnapshot {
    /// Lab-wide client number.
    pub id: ClientId,
    /// `client.id`.
    pub client_id: String,
    /// Simulated or wire.
    pub origin: ClientOrigin,
    /// Target topic.
    pub topic: String,
    /// Target rate in records/s (measured rate for wire clients).
    pub rate_per_sec: f64,
    /// `acks`.
    pub acks: Acks,
    /// Key mode.
    pub key_mode: KeyMode,
    /// `partitioner.class` (a wire client's is unknown: Kafka's default is shown).
    pub partitioner: Partitioner,
    /// `batch.size`: how many bytes the sticky partitioner sends to one partition.
    pub batch_size: usize,
    /// Records sent.
    pub sent: u64,
    /// Records acknowledged.
    pub acknowledged: u64,
    /// Records failed for good.
    pub failed: u64,
    /// Retries made.
    pub retried: u64,
    /// Whether it still runs.
    pub running: bool,
    /// Whether it is idempotent (`enable.idempotence` with `acks=all`; a wire producer that sent
    /// a producer id).
    pub idempotent: bool,
    /// Its producer id from InitProducerId, once it has one.
    pub producer_id: Option<i64>,
    /// `transactional.id`, if it writes in transactions.
    pub transactional_id: Option<String>,
    /// Where its transactions are (simulated transactional producers).
    pub transaction: Option<ProducerTxnState>,
    /// Transactions it committed and aborted with EndTxn.
    pub transactions_ended: (u64, u64),
    /// Frozen (a long GC pause).
    pub paused: bool,
    /// Crashed.
    pub killed: bool,
}

/// A transactional producer's state, as Kafka's `TransactionManager` names its states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProducerTxnState {
    /// InitProducerId not answered yet.
    Initializing,
    /// No transaction open.
    Ready,
    /// A transaction is open: records go out inside it.
    InTransaction,
    /// Flushing, then EndTxn(commit).
    Committing,
    /// Dropping what is unsent, then EndTxn(abort).
    Aborting,
    /// A newer producer has the `transactional.id`: it stopped for good.
    Fenced,
}

impl ProducerTxnState {
    /// Kafka's name for the state.
    pub fn name(self) -> &'static str {
        match self {
            ProducerTxnState::Initializing => "INITIALIZING",
            ProducerTxnState::Ready => "READY",
            ProducerTxnState::InTransaction => "IN_TRANSACTION",
            ProducerTxnState::Committing => "COMMITTING_TRANSACTION",
            ProducerTxnState::Aborting => "ABORTING_TRANSACTION",
            ProducerTxnState::Fenced => "FENCED",
        }
    }
}

/// A consumer's life-cycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ConsumerState {
    /// Polling.
    Running,
    /// Crashed: no LeaveGroup; the group notices at the session timeout.
    Killed,
    /// Closed gracefully with LeaveGroup.
    Closed,
}

impl ConsumerState {
    /// The state in lower case, as messages print it.
    pub fn name(self) -> &'static str {
        match self {
            ConsumerState::Running => "running",
            ConsumerState::Killed => "killed",
            ConsumerState::Closed => "closed",
        }
    }
}

/// One consumer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerSnapshot {
    /// Lab-wide client number.
    pub id: ClientId,
    /// `client.id`.
    pub client_id: String,
    /// Simulated or wire.
    pub origin: ClientOrigin,
    /// `group.id`.
    pub group_id: String,
    /// Member id in its group, once joined.
    pub member_id: Option<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Running, killed or closed.
    pub state: ConsumerState,
    /// Partitions it currently owns.
    pub assigned: Vec<TopicPartition>,
    /// Records consumed since spawn.
    pub consumed: u64,
    /// Commit policy.
    pub commit_mode: CommitMode,
    /// Assignment strategy.
    pub assignor: AssignorKind,
    /// `session.timeout.ms`: how long its group waits for a heartbeat before removing it.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval_ms: u64,
    /// The last record it processed, as `topic-partition@offset`.
    pub last_record: Option<String>,
}
