//! Transactions: the transaction coordinator hosted on the leaders of `__transaction_state`
//! partitions, its records there, the COMMIT/ABORT markers it writes to every partition a
//! transaction touched, and `transaction.timeout.ms`.
//!
//! A `transactional.id` lives on the partition `abs(hashCode(id)) % transaction.state.log.num.partitions`
//! (the same hash as groups). Every state change is a record appended there with `acks=all` and
//! takes effect once replicated; when that partition's leader changes, the new coordinator
//! reloads the ids from its log and finishes what was being prepared.

mod codec;
mod host;
mod markers;
mod offsets;

pub use codec::TxnRecord;
pub use host::{TxnOutcome, TxnReply, TxnView};

use super::types::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// The name of Kafka's internal transaction state topic.
pub const TRANSACTION_STATE_TOPIC: &str = "__transaction_state";
/// `transaction.timeout.ms`'s default (the producer's setting; Kafka 60000).
pub const DEFAULT_TRANSACTION_TIMEOUT_MS: i32 = 60_000;
/// `transactional.id`s kept at most; beyond it the longest idle finished ones are forgotten (Kafka
/// expires ids idle for `transactional.id.expiration.ms`).
pub const TRANSACTIONAL_IDS_MAX: usize = 100_000;
/// Answers to transactional requests kept for requesters that have not asked yet.
pub const TXN_RESULTS_MAX: usize = 10_000;

/// A transaction's state, as Kafka's `TransactionState` (the byte is what the log stores).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum TransactionState {
    /// No transaction open (a fresh id, or a new epoch).
    Empty,
    /// Partitions added: the transaction is open.
    Ongoing,
    /// EndTxn(commit) accepted: COMMIT markers are being written.
    PrepareCommit,
    /// EndTxn(abort), a timeout or a fencing InitProducerId: ABORT markers are being written.
    PrepareAbort,
    /// Every COMMIT marker is written.
    CompleteCommit,
    /// Every ABORT marker is written.
    CompleteAbort,
}

impl TransactionState {
    /// The byte Kafka stores for the state.
    pub fn code(self) -> i8 {
        match self {
            TransactionState::Empty => 0,
            TransactionState::Ongoing => 1,
            TransactionState::PrepareCommit => 2,
            TransactionState::PrepareAbort => 3,
            TransactionState::CompleteCommit => 4,
            TransactionState::CompleteAbort => 5,
        }
    }

    /// The state a stored byte names.
    pub fn from_code(code: i8) -> Option<Self> {
        Some(match code {
            0 => TransactionState::Empty,
            1 => TransactionState::Ongoing,
            2 => TransactionState::PrepareCommit,
            3 => TransactionState::PrepareAbort,
            4 => TransactionState::CompleteCommit,
            5 => TransactionState::CompleteAbort,
            _ => return None,
        })
    }

    /// Kafka's name, as `kafka-transactions.sh describe` prints it.
    pub fn name(self) -> &'static str {
        match self {
            TransactionState::Empty => "Empty",
            TransactionState::Ongoing => "Ongoing",
            TransactionState::PrepareCommit => "PrepareCommit",
            TransactionState::PrepareAbort => "PrepareAbort",
            TransactionState::CompleteCommit => "CompleteCommit",
            TransactionState::CompleteAbort => "CompleteAbort",
        }
    }

    /// Whether markers are being written.
    pub fn is_preparing(self) -> bool {
        matches!(
            self,
            TransactionState::PrepareCommit | TransactionState::PrepareAbort
        )
    }
}

/// What the coordinator knows about one `transactional.id`: Kafka's `TransactionMetadata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnMetadata {
    /// The producer id it was given.
    pub producer_id: i64,
    /// The current epoch: older ones are fenced.
    pub producer_epoch: i16,
    /// `transaction.timeout.ms` the producer asked for.
    pub timeout_ms: i32,
    /// Where the transaction is.
    pub state: TransactionState,
    /// Partitions the open (or completing) transaction wrote to or will write to.
    pub partitions: BTreeSet<TopicPartition>,
    /// When the transaction became Ongoing (simulated ms; −1 when none is open).
    pub started_ms: i64,
    /// The last state change (simulated ms).
    pub updated_ms: i64,
}

/// Per `transactional.id`: its metadata, a state change being replicated, and the markers of a
/// transaction being completed.
#[derive(Clone, Debug)]
struct Txn {
    meta: TxnMetadata,
    pending: Option<PendingWrite>,
    /// Partition → the marker's `acks=all` ticket while it is in flight (`None`: not sent yet).
    /// Written markers leave the map; empty in every state but Prepare*.
    markers: BTreeMap<TopicPartition, Option<u64>>,
}

/// A state change appended to `__transaction_state` and not yet replicated.
#[derive(Clone, Debug)]
struct PendingWrite {
    produce_ticket: u64,
    target: TxnMetadata,
    /// The requester's ticket and what it is answered once the change is replicated.
    reply: Option<(u64, TxnReply)>,
    /// The id was new: a failed append forgets it again.
    fresh: bool,
}

/// A TxnOffsetCommit appended to `__consumer_offsets`, waiting for replication.
#[derive(Clone, Debug)]
struct PendingOffsets {
    produce_ticket: u64,
    reply: u64,
    producer_id: i64,
    group: String,
    offsets: Vec<(TopicPartition, super::group::OffsetAndMetadata)>,
}

/// The transaction coordinator as the brokers host it. Only `cluster/txn/` changes it.
#[derive(Clone, Default)]
pub(crate) struct TxnHosting {
    /// Bounded by [`TRANSACTIONAL_IDS_MAX`].
    txns: BTreeMap<String, Txn>,
    /// Producer id → its `transactional.id`, for the produce path's check.
    by_producer: BTreeMap<i64, String>,
    /// Per `__transaction_state` partition: the (leader, epoch) its ids were loaded from.
    loaded: BTreeMap<i32, (super::types::BrokerId, i32)>,
    /// Bounded by [`TXN_RESULTS_MAX`].
    results: BTreeMap<u64, Result<TxnReply, super::error::KafkaError>>,
    next_reply: u64,
    pending_offsets: Vec<PendingOffsets>,
    /// Offsets committed inside open transactions, per producer id: applied by its COMMIT
    /// marker, dropped by its ABORT (one entry per producer with an open transaction).
    txn_offsets: BTreeMap<i64, Vec<(String, TopicPartition, super::group::OffsetAndMetadata)>>,
}

/// The `__transaction_state` partition of `transactional_id`.
pub fn partition_for(transactional_id: &str, partitions: i32) -> i32 {
    super::group::offsets_partition_for(transactional_id, partitions)
}
#[cfg(test)]
mod tests;
