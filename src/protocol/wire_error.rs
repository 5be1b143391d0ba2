//! Error codes only the wire layer answers: topic ids the metadata does not know and fetch
//! sessions (KIP-227), which live in the protocol layer, not in the cluster.

/// A Kafka error that only a wire request can get, with Kafka's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// An incremental fetch named a session this broker does not have (evicted, closed, or the
    /// broker restarted): the client starts a full fetch.
    #[error("FETCH_SESSION_ID_NOT_FOUND")]
    FetchSessionIdNotFound,
    /// An incremental fetch's epoch is not the one the session expects next.
    #[error("INVALID_FETCH_SESSION_EPOCH")]
    InvalidFetchSessionEpoch,
    /// A topic id no topic has (deleted, or recreated under a new id).
    #[error("UNKNOWN_TOPIC_ID")]
    UnknownTopicId,
    /// A session's topic id is not the id of the partition's topic now (it was recreated).
    #[error("INCONSISTENT_TOPIC_ID")]
    InconsistentTopicId,
    /// An incremental fetch switched between topic names (v12 and below) and ids (v13+).
    #[error("FETCH_SESSION_TOPIC_ID_ERROR")]
    FetchSessionTopicIdError,
}

impl WireError {
    /// Kafka's numeric error code.
    pub fn code(self) -> i16 {
        match self {
            WireError::FetchSessionIdNotFound => 70,
            WireError::InvalidFetchSessionEpoch => 71,
            WireError::UnknownTopicId => 100,
            WireError::InconsistentTopicId => 103,
            WireError::FetchSessionTopicIdError => 106,
        }
    }
}
