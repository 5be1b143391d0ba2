//! `KafkaError`: the errors the cluster returns, with Kafka's names and wire codes.

use thiserror::Error;

/// An error as Kafka would return it to a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error, serde::Serialize)]
#[non_exhaustive]
pub enum KafkaError {
    /// The requested offset is outside the log.
    #[error("OFFSET_OUT_OF_RANGE")]
    OffsetOutOfRange,
    /// A batch failed its CRC or was malformed.
    #[error("CORRUPT_MESSAGE")]
    CorruptMessage,
    /// The topic or partition does not exist.
    #[error("UNKNOWN_TOPIC_OR_PARTITION")]
    UnknownTopicOrPartition,
    /// No leader right now (offline partition or election in progress).
    #[error("LEADER_NOT_AVAILABLE")]
    LeaderNotAvailable,
    /// This broker is not the leader: refresh metadata.
    #[error("NOT_LEADER_OR_FOLLOWER")]
    NotLeaderOrFollower,
    /// The request timed out (`request.timeout.ms`).
    #[error("REQUEST_TIMED_OUT")]
    RequestTimedOut,
    /// ISR smaller than `min.insync.replicas` before the append.
    #[error("NOT_ENOUGH_REPLICAS")]
    NotEnoughReplicas,
    /// ISR shrank below `min.insync.replicas` after the append.
    #[error("NOT_ENOUGH_REPLICAS_AFTER_APPEND")]
    NotEnoughReplicasAfterAppend,
    /// The group coordinator is not available.
    #[error("COORDINATOR_NOT_AVAILABLE")]
    CoordinatorNotAvailable,
    /// This broker is not the group's coordinator.
    #[error("NOT_COORDINATOR")]
    NotCoordinator,
    /// A commit's metadata string is longer than `offset.metadata.max.bytes`.
    #[error("OFFSET_METADATA_TOO_LARGE")]
    OffsetMetadataTooLarge,
    /// The topic already exists.
    #[error("TOPIC_ALREADY_EXISTS")]
    TopicAlreadyExists,
    /// Replication factor larger than the live brokers.
    #[error("INVALID_REPLICATION_FACTOR")]
    InvalidReplicationFactor,
    /// Partition count out of range.
    #[error("INVALID_PARTITIONS")]
    InvalidPartitions,
    /// The topic name breaks Kafka's rules.
    #[error("INVALID_TOPIC_EXCEPTION")]
    InvalidTopic,
    /// Producer sequence gap (idempotent producer).
    #[error("OUT_OF_ORDER_SEQUENCE_NUMBER")]
    OutOfOrderSequence,
    /// The producer's epoch is older than the one the broker knows (idempotent producer).
    #[error("INVALID_PRODUCER_EPOCH")]
    InvalidProducerEpoch,
    /// The broker could not write (disk error).
    #[error("KAFKA_STORAGE_ERROR")]
    StorageError,
    /// The coordinator is loading the group's offsets after a move.
    #[error("COORDINATOR_LOAD_IN_PROGRESS")]
    CoordinatorLoadInProgress,
    /// The member's generation is not the group's current one.
    #[error("ILLEGAL_GENERATION")]
    IllegalGeneration,
    /// The member's protocols share none with the group's.
    #[error("INCONSISTENT_GROUP_PROTOCOL")]
    InconsistentGroupProtocol,
    /// The coordinator does not know this member id (it was removed).
    #[error("UNKNOWN_MEMBER_ID")]
    UnknownMemberId,
    /// The session timeout is outside what the broker allows.
    #[error("INVALID_SESSION_TIMEOUT")]
    InvalidSessionTimeout,
    /// The group is rebalancing: rejoin.
    #[error("REBALANCE_IN_PROGRESS")]
    RebalanceInProgress,
    /// Another member took over this `group.instance.id`.
    #[error("FENCED_INSTANCE_ID")]
    FencedInstanceId,
    /// A transactional request from an epoch older than the `transactional.id`'s current one: a
    /// newer producer with the same id took over (zombie fencing).
    #[error("PRODUCER_FENCED")]
    ProducerFenced,
    /// The transaction is completing (or another request changes it): retry shortly.
    #[error("CONCURRENT_TRANSACTIONS")]
    ConcurrentTransactions,
    /// The request does not fit the transaction's state (e.g. EndTxn with nothing begun).
    #[error("INVALID_TXN_STATE")]
    InvalidTxnState,
    /// The producer id does not belong to this `transactional.id`.
    #[error("INVALID_PRODUCER_ID_MAPPING")]
    InvalidProducerIdMapping,
    /// `transaction.timeout.ms` above the broker's `transaction.max.timeout.ms`.
    #[error("INVALID_TRANSACTION_TIMEOUT")]
    InvalidTransactionTimeout,
    /// A config value Kafka refuses (e.g. `segment.bytes` under 1 MiB in the Kafka profile).
    #[error("INVALID_CONFIG")]
    InvalidConfig,
    /// A record batch larger than `message.max.bytes`.
    #[error("MESSAGE_TOO_LARGE")]
    MessageTooLarge,
    /// The coordinator holds as many groups as it may and none can be forgotten.
    #[error("GROUP_MAX_SIZE_REACHED")]
    GroupMaxSizeReached,
    /// No committed offset and `auto.offset.reset=none`.
    #[error("NO_OFFSET_FOR_PARTITION")]
    NoOffsetForPartition,
    /// KIP-848: the member's epoch is not the one the coordinator gave it; it must rejoin
    /// with epoch 0 and give up its partitions.
    #[error("FENCED_MEMBER_EPOCH")]
    FencedMemberEpoch,
    /// KIP-848: an offset commit or fetch carried an older member epoch than the member's.
    #[error("STALE_MEMBER_EPOCH")]
    StaleMemberEpoch,
    /// KIP-848: `group.remote.assignor` names no assignor the broker has.
    #[error("UNSUPPORTED_ASSIGNOR")]
    UnsupportedAssignor,
    /// The group is of the other type (classic or consumer protocol) than the request.
    #[error("GROUP_ID_NOT_FOUND")]
    GroupIdNotFound,
    /// KIP-848: a static member's `group.instance.id` is held by another member that has not
    /// left (with epoch -2) first.
    #[error("UNRELEASED_INSTANCE_ID")]
    UnreleasedInstanceId,
    /// KIP-848: the subscription's regular expression does not compile.
    #[error("INVALID_REGULAR_EXPRESSION")]
    InvalidRegularExpression,
    /// A request whose fields break the API's rules (e.g. a join without a subscription).
    #[error("INVALID_REQUEST")]
    InvalidRequest,
    /// The request's version cannot carry what the group needs (e.g. OffsetCommit below v9 from a
    /// KIP-848 member).
    #[error("UNSUPPORTED_VERSION")]
    UnsupportedVersion,
    /// Anything else.
    #[error("UNKNOWN_SERVER_ERROR")]
    Unknown,
}

impl KafkaError {
    /// Kafka's numeric error code.
    pub fn code(self) -> i16 {
        match self {
            KafkaError::Unknown => -1,
            KafkaError::OffsetOutOfRange => 1,
            KafkaError::CorruptMessage => 2,
            KafkaError::OffsetMetadataTooLarge => 12,
            KafkaError::UnknownTopicOrPartition => 3,
            KafkaError::LeaderNotAvailable => 5,
            KafkaError::NotLeaderOrFollower => 6,
            KafkaError::RequestTimedOut => 7,
            KafkaError::CoordinatorNotAvailable => 15,
            KafkaError::NotCoordinator => 16,
            KafkaError::InvalidTopic => 17,
            KafkaError::NotEnoughReplicas => 19,
            KafkaError::NotEnoughReplicasAfterAppend => 20,
            KafkaError::InvalidPartitions => 37,
            KafkaError::InvalidReplicationFactor => 38,
            KafkaError::TopicAlreadyExists => 36,
            KafkaError::OutOfOrderSequence => 45,
            KafkaError::InvalidProducerEpoch => 47,
            KafkaError::StorageError => 56,
            KafkaError::CoordinatorLoadInProgress => 14,
            KafkaError::IllegalGeneration => 22,
            KafkaError::InconsistentGroupProtocol => 23,
            KafkaError::UnknownMemberId => 25,
            KafkaError::InvalidSessionTimeout => 26,
            KafkaError::RebalanceInProgress => 27,
            KafkaError::FencedInstanceId => 82,
            KafkaError::ProducerFenced => 90,
            KafkaError::ConcurrentTransactions => 51,
            KafkaError::InvalidTxnState => 48,
            KafkaError::InvalidProducerIdMapping => 49,
            KafkaError::InvalidTransactionTimeout => 50,
            KafkaError::InvalidConfig => 40,
            KafkaError::MessageTooLarge => 10,
            KafkaError::GroupMaxSizeReached => 81,
            KafkaError::GroupIdNotFound => 69,
            KafkaError::FencedMemberEpoch => 110,
            KafkaError::UnsupportedAssignor => 112,
            KafkaError::StaleMemberEpoch => 113,
            KafkaError::UnreleasedInstanceId => 111,
            KafkaError::InvalidRegularExpression => 128,
            KafkaError::InvalidRequest => 42,
            KafkaError::UnsupportedVersion => 35,
            // A client-side error in Kafka (NoOffsetForPartitionException); never on the wire.
            KafkaError::NoOffsetForPartition => -1,
        }
    }

    /// Whether a client retries after refreshing metadata, as Kafka's clients do.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            KafkaError::NotLeaderOrFollower
                | KafkaError::LeaderNotAvailable
                | KafkaError::RequestTimedOut
                | KafkaError::NotEnoughReplicas
                | KafkaError::NotEnoughReplicasAfterAppend
                | KafkaError::CoordinatorNotAvailable
                | KafkaError::CoordinatorLoadInProgress
                | KafkaError::NotCoordinator
                | KafkaError::StorageError
                | KafkaError::ConcurrentTransactions
        )
    }
}

/// Why a fault injected into a broker (kill, shutdown, restart, slow) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FaultError {
    /// No broker has this id.
    #[error("no broker {0}")]
    NoBroker(crate::cluster::types::BrokerId),
    /// The broker is not running.
    #[error("broker {0} is already down")]
    AlreadyDown(crate::cluster::types::BrokerId),
    /// A controlled shutdown needs a broker that is up (not down or already shutting down).
    #[error("broker {0} is not up")]
    NotUp(crate::cluster::types::BrokerId),
    /// Restart needs a stopped broker.
    #[error("broker {0} is running; kill or shut it down first")]
    StillRunning(crate::cluster::types::BrokerId),
    /// No controller has this id.
    #[error("no controller {0}")]
    NoController(crate::cluster::types::BrokerId),
    /// The controller is not running.
    #[error("controller {0} is already down")]
    ControllerDown(crate::cluster::types::BrokerId),
    /// Restart needs a stopped controller.
    #[error("controller {0} is running; kill it first")]
    ControllerRunning(crate::cluster::types::BrokerId),
}
