//! The settings of simulated clients, as Kafka's client configs name them, and the one place
//! each setting's rules are checked.

use crate::cluster::event::{ClientDescription, CommitWords};
pub use crate::cluster::refusal::{SpecError, VALUE_BYTES_MAX};
use crate::cluster::types::{Acks, AssignorKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a simulated producer keys its records, which decides the partitioner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyMode {
    /// No key: the partitioner alone decides (Kafka's uniform sticky one by default).
    None,
    /// Keys `key-0` .. `key-(n-1)`: murmur2(key) mod partitions, like Java's default partitioner.
    Keyed {
        /// How many distinct keys the producer cycles through.
        distinct_keys: u32,
    },
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMode::None => f.write_str("no key"),
            KeyMode::Keyed { distinct_keys } => write!(f, "{distinct_keys} keys"),
        }
    }
}

/// Which partitioner places a simulated producer's records (Kafka's `partitioner.class`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Partitioner {
    /// Kafka's built-in default: murmur2 for keys, uniform sticky (KIP-794) without one.
    #[default]
    Sticky,
    /// `RoundRobinPartitioner`: every record to the next partition in turn, keys ignored. The
    /// source article's producer behaves like this.
    RoundRobin,
}

impl fmt::Display for Partitioner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Partitioner::Sticky => "sticky",
            Partitioner::RoundRobin => "round-robin",
        })
    }
}

impl std::str::FromStr for Partitioner {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sticky" => Ok(Partitioner::Sticky),
            "round-robin" => Ok(Partitioner::RoundRobin),
            other => Err(format!(
                "partitioner must be sticky or round-robin, not {other:?}"
            )),
        }
    }
}

/// A consumer's `group.protocol`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupProtocol {
    /// The classic protocol: JoinGroup / SyncGroup, a client-side assignor, generations.
    #[default]
    Classic,
    /// KIP-848's consumer protocol: ConsumerGroupHeartbeat, a server-side assignor, member
    /// epochs and incremental reconciliation.
    Consumer,
}

impl fmt::Display for GroupProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupProtocol::Classic => "classic",
            GroupProtocol::Consumer => "consumer",
        })
    }
}

impl std::str::FromStr for GroupProtocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "classic" => Ok(GroupProtocol::Classic),
            "consumer" => Ok(GroupProtocol::Consumer),
            other => Err(format!(
                "group.protocol must be classic or consumer, not {other:?}"
            )),
        }
    }
}

/// The consumer's `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OffsetReset {
    /// Start from the log start offset.
    Earliest,
    /// Start from the high watermark (Kafka's default).
    Latest,
    /// Fail when there is no committed offset.
    None,
}

impl fmt::Display for OffsetReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        })
    }
}

impl std::str::FromStr for OffsetReset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "earliest" => Ok(OffsetReset::Earliest),
            "latest" => Ok(OffsetReset::Latest),
            "none" => Ok(OffsetReset::None),
            other => Err(format!(
                "auto.offset.reset must be earliest, latest or none, not {other:?}"
            )),
        }
    }
}

impl std::str::FromStr for IsolationLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read_uncommitted" => Ok(IsolationLevel::ReadUncommitted),
            "read_committed" => Ok(IsolationLevel::ReadCommitted),
            other => Err(format!(
                "isolation.level must be read_uncommitted or read_committed, not {other:?}"
            )),
        }
    }
}

/// How a simulated consumer commits its offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CommitMode {
    /// `enable.auto.commit=true`: commit positions every `auto.commit.interval.ms`.
    Auto {
        /// `auto.commit.interval.ms` (Kafka default 5000).
        interval_ms: u64,
    },
    /// `enable.auto.commit=false` with a commit after every N processed records.
    EveryRecords {
        /// N: commit after this many records (1 = after each record).
        records: u32,
    },
    /// `enable.auto.commit=false` and never commit (the article's "no commit" run).
    Never,
}

impl fmt::Display for CommitMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitMode::Auto { interval_ms } => write!(f, "auto/{interval_ms}ms"),
            CommitMode::EveryRecords { records: 1 } => f.write_str("each record"),
            CommitMode::EveryRecords { records } => write!(f, "every {records}"),
            CommitMode::Never => f.write_str("never"),
        }
    }
}

/// Settings of a simulated producer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducerSpec {
    /// `client.id`; the lab picks `producer-N` when empty.
    pub client_id: Option<String>,
    /// Target topic.
    pub topic: String,
    /// Records per simulated second.
    pub rate_per_sec: f64,
    /// Key mode: keyed records go by murmur2 under the default partitioner.
    pub key_mode: KeyMode,
    /// `partitioner.class`: Kafka's built-in (sticky) or round robin.
    pub partitioner: Partitioner,
    /// Value size in bytes.
    pub value_bytes: usize,
    /// `acks`.
    pub acks: Acks,
    /// `linger.ms`.
    pub linger_ms: u64,
    /// `batch.size` in bytes.
    pub batch_size: usize,
    /// `retries` before a record fails for good.
    pub retries: u32,
    /// `retry.backoff.ms`: the first retry's backoff, doubled per retry (±20% jitter).
    pub retry_backoff_ms: u64,
    /// `retry.backoff.max.ms`: the most a retry backs off.
    pub retry_backoff_max_ms: u64,
    /// `request.timeout.ms`.
    pub request_timeout_ms: u64,
    /// `delivery.timeout.ms`: a record not acknowledged this long after it was made fails for good.
    pub delivery_timeout_ms: u64,
    /// `enable.idempotence` (Kafka's default true; in effect only with `acks=all`, as in Kafka).
    pub enable_idempotence: bool,
    /// `max.in.flight.requests.per.connection`: batches sent and not answered, per partition.
    pub max_in_flight: u32,
    /// `transactional.id`: with one, the producer writes in transactions (InitProducerId with the
    /// id, AddPartitionsToTxn, EndTxn) and fences every older producer with the same id.
    #[serde(default)]
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms`: how long the coordinator lets a transaction stay open before
    /// aborting it (Kafka's default 60000; the brokers' `transaction.max.timeout.ms` caps it).
    #[serde(default = "default_transaction_timeout_ms")]
    pub transaction_timeout_ms: u64,
    /// How often a transactional producer commits: Kafka Streams' `commit.interval.ms` (100 ms
    /// under `exactly_once_v2`), the loop a plain producer's application writes by hand.
    #[serde(default = "default_commit_interval_ms")]
    pub commit_interval_ms: u64,
}

/// `transaction.timeout.ms`'s default.
fn default_transaction_timeout_ms() -> u64 {
    60_000
}

/// `commit.interval.ms`'s default under `exactly_once_v2`.
fn default_commit_interval_ms() -> u64 {
    100
}

impl ProducerSpec {
    /// A producer with Kafka's defaults (`acks=all`, `linger.ms=5`, no key) at `rate_per_sec`.
    pub fn new(topic: impl Into<String>, rate_per_sec: f64) -> Self {
        Self {
            client_id: None,
            topic: topic.into(),
            rate_per_sec,
            key_mode: KeyMode::None,
            partitioner: Partitioner::Sticky,
            value_bytes: 100,
            acks: Acks::All,
            linger_ms: 5,
            batch_size: 16_384,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            enable_idempotence: true,
            max_in_flight: 5,
            transactional_id: None,
            transaction_timeout_ms: default_transaction_timeout_ms(),
            commit_interval_ms: default_commit_interval_ms(),
        }
    }

    /// Its `transactional.id`, if it writes in transactions.
    pub fn transactional(&self) -> Option<&str> {
        self.transactional_id.as_deref()
    }

    /// Whether the producer runs idempotent: `enable.idempotence` with `acks=all`, as Kafka's
    /// producer does when the user did not ask for idempotence with weaker acks.
    pub fn idempotent(&self) -> bool {
        self.enable_idempotence && self.acks == Acks::All
    }
}

/// Settings of a simulated consumer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    /// `client.id`; the lab picks `consumer-N` when empty.
    pub client_id: Option<String>,
    /// `group.id`.
    pub group_id: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// How offsets are committed.
    pub commit_mode: CommitMode,
    /// `auto.offset.reset`.
    pub auto_offset_reset: OffsetReset,
    /// `partition.assignment.strategy`.
    pub assignor: AssignorKind,
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval_ms: u64,
    /// `max.poll.interval.ms`.
    pub max_poll_interval_ms: u64,
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// Simulated processing time per record, to make lag visible.
    pub processing_ms_per_record: u64,
    /// `group.instance.id` (static membership).
    pub group_instance_id: Option<String>,
    /// `group.protocol`: classic or consumer (KIP-848).
    pub group_protocol: GroupProtocol,
    /// `group.remote.assignor` (consumer protocol only): `uniform` or `range`, else the broker's
    /// default.
    pub remote_assignor: Option<crate::cluster::group::consumer_group::ServerAssignor>,
    /// `isolation.level`: `read_uncommitted` (Kafka's default) reads up to the HW, aborted
    /// transactions included; `read_committed` reads up to the LSO and skips aborted records.
    #[serde(default)]
    pub isolation_level: IsolationLevel,
}

/// A consumer's `isolation.level`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    /// `read_uncommitted`, Kafka's default.
    #[default]
    ReadUncommitted,
    /// `read_committed`.
    ReadCommitted,
}

impl ConsumerSpec {
    /// Whether it reads with `isolation.level=read_committed`.
    pub fn read_committed(&self) -> bool {
        self.isolation_level == IsolationLevel::ReadCommitted
    }

    /// A consumer with Kafka's defaults in `group_id`, subscribed to `topic`.
    pub fn new(group_id: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            client_id: None,
            group_id: group_id.into(),
            topics: vec![topic.into()],
            commit_mode: CommitMode::Auto { interval_ms: 5_000 },
            auto_offset_reset: OffsetReset::Latest,
            assignor: AssignorKind::Range,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            processing_ms_per_record: 0,
            group_instance_id: None,
            isolation_level: IsolationLevel::ReadUncommitted,
            group_protocol: GroupProtocol::Classic,
            remote_assignor: None,
        }
    }
}

impl ProducerSpec {
    /// What the timeline says a producer with these settings is.
    pub fn description(&self) -> ClientDescription {
        ClientDescription::Producer {
            topic: self.topic.clone(),
            rate: self.rate_per_sec.to_string(),
            acks: self.acks.to_string(),
            keys: match self.key_mode {
                KeyMode::None => None,
                KeyMode::Keyed { distinct_keys } => Some(distinct_keys),
            },
        }
    }
}

impl ConsumerSpec {
    /// What the timeline says a consumer with these settings is.
    pub fn description(&self) -> ClientDescription {
        ClientDescription::Consumer {
            group: self.group_id.clone(),
            topics: self.topics.join(","),
            assignor: self.assignor.to_string(),
            commit: match self.commit_mode {
                CommitMode::Auto { interval_ms } => CommitWords::Auto(interval_ms),
                CommitMode::EveryRecords { records: 1 } => CommitWords::EachRecord,
                CommitMode::EveryRecords { records } => CommitWords::Every(records),
                CommitMode::Never => CommitWords::Never,
            },
            reset: self.auto_offset_reset.to_string(),
        }
    }
}

/// The highest producer rate the lab accepts, in records per simulated second.
pub const RATE_MAX_PER_SEC: f64 = 1_000_000.0;
/// The most distinct keys a keyed producer cycles through.
pub const DISTINCT_KEYS_MAX: u32 = 1_000_000;

/// Checks a producer rate (records/s): the one rule the CLI, the dialogs, scenario files and
/// `set_config` all apply.
pub fn validate_rate(rate_per_sec: f64) -> Result<(), SpecError> {
    if rate_per_sec > 0.0 && rate_per_sec <= RATE_MAX_PER_SEC {
        Ok(())
    } else {
        Err(SpecError::Rate(rate_per_sec))
    }
}

impl ProducerSpec {
    /// Checks every setting against Kafka's rules and the lab's limits.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.topic.is_empty() {
            return Err(SpecError::NoTopic);
        }
        validate_rate(self.rate_per_sec)?;
        if let KeyMode::Keyed { distinct_keys } = self.key_mode
            && !(1..=DISTINCT_KEYS_MAX).contains(&distinct_keys)
        {
            return Err(SpecError::Keys(distinct_keys));
        }
        if self.value_bytes > VALUE_BYTES_MAX {
            return Err(SpecError::ValueBytes(self.value_bytes));
        }
        if self.batch_size == 0 {
            return Err(SpecError::BatchSize);
        }
        if self.request_timeout_ms == 0 {
            return Err(SpecError::RequestTimeout);
        }
        let least = self.linger_ms.saturating_add(self.request_timeout_ms);
        if self.delivery_timeout_ms < least {
            return Err(SpecError::DeliveryTimeout(least));
        }
        if self.max_in_flight == 0 || (self.enable_idempotence && self.max_in_flight > 5) {
            return Err(SpecError::MaxInFlight(self.max_in_flight));
        }
        if let Some(tid) = &self.transactional_id {
            if tid.is_empty() {
                return Err(SpecError::EmptyTransactionalId);
            }
            // As Kafka's producer: a transactional.id needs idempotence, so acks=all.
            if !self.idempotent() {
                return Err(SpecError::TransactionalNeedsIdempotence);
            }
            if self.transaction_timeout_ms == 0 || self.transaction_timeout_ms > i32::MAX as u64 {
                return Err(SpecError::TransactionTimeout(self.transaction_timeout_ms));
            }
            if self.commit_interval_ms == 0 {
                return Err(SpecError::CommitInterval);
            }
        }
        Ok(())
    }
}

impl ConsumerSpec {
    /// Checks every client-side setting against Kafka's rules (the session timeout's range is the
    /// broker's to check, at JoinGroup).
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.group_id.is_empty() {
            return Err(SpecError::EmptyGroup);
        }
        if self.topics.is_empty() || self.topics.iter().any(String::is_empty) {
            return Err(SpecError::NoTopic);
        }
        if self.heartbeat_interval_ms == 0 || self.heartbeat_interval_ms >= self.session_timeout_ms
        {
            return Err(SpecError::HeartbeatInterval(self.heartbeat_interval_ms));
        }
        if self.max_poll_records == 0 {
            return Err(SpecError::MaxPollRecords);
        }
        match self.commit_mode {
            CommitMode::Auto { interval_ms: 0 } | CommitMode::EveryRecords { records: 0 } => {
                Err(SpecError::CommitInterval)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_rate_must_be_positive_and_bounded() {
        assert_eq!(validate_rate(5.0), Ok(()));
        assert_eq!(validate_rate(RATE_MAX_PER_SEC), Ok(()));
        assert_eq!(validate_rate(0.0), Err(SpecError::Rate(0.0)));
        assert!(validate_rate(f64::NAN).is_err());
        assert!(validate_rate(RATE_MAX_PER_SEC * 2.0).is_err());
        let mut p = ProducerSpec::new("t", 10.0);
        assert_eq!(p.validate(), Ok(()));
        p.key_mode = KeyMode::Keyed { distinct_keys: 0 };
        assert_eq!(p.validate(), Err(SpecError::Keys(0)));
    }

    #[test]
    fn idempotence_is_the_default_with_acks_all_and_bounds_in_flight() {
        let mut p = ProducerSpec::new("t", 10.0);
        assert!(p.idempotent());
        p.max_in_flight = 6;
        assert_eq!(p.validate(), Err(SpecError::MaxInFlight(6)));
        p.enable_idempotence = false;
        assert_eq!(
            p.validate(),
            Ok(()),
            "without idempotence more may be in flight"
        );
        assert!(!p.idempotent());
        let mut p = ProducerSpec::new("t", 10.0);
        p.acks = Acks::Leader;
        assert!(!p.idempotent(), "acks=1 turns the default idempotence off");
        p.delivery_timeout_ms = 30_000;
        assert_eq!(p.validate(), Err(SpecError::DeliveryTimeout(30_005)));
    }

    #[test]
    fn a_transactional_id_needs_idempotence_and_a_positive_timeout() {
        let mut p = ProducerSpec::new("t", 10.0);
        p.transactional_id = Some("copy-job".into());
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.transactional(), Some("copy-job"));
        p.acks = Acks::Leader;
        assert_eq!(p.validate(), Err(SpecError::TransactionalNeedsIdempotence));
        p.acks = Acks::All;
        p.transaction_timeout_ms = 0;
        assert_eq!(p.validate(), Err(SpecError::TransactionTimeout(0)));
        p.transaction_timeout_ms = 60_000;
        p.commit_interval_ms = 0;
        assert_eq!(p.validate(), Err(SpecError::CommitInterval));
        p.transactional_id = Some(String::new());
        assert_eq!(p.validate(), Err(SpecError::EmptyTransactionalId));
    }

    #[test]
    fn consumer_heartbeat_must_be_below_session_timeout() {
        let mut c = ConsumerSpec::new("g", "t");
        assert_eq!(c.validate(), Ok(()));
        c.heartbeat_interval_ms = c.session_timeout_ms;
        assert_eq!(
            c.validate(),
            Err(SpecError::HeartbeatInterval(c.session_timeout_ms))
        );
        let mut c = ConsumerSpec::new("", "t");
        assert_eq!(c.validate(), Err(SpecError::EmptyGroup));
        c.group_id = "g".into();
        c.commit_mode = CommitMode::EveryRecords { records: 0 };
        assert_eq!(c.validate(), Err(SpecError::CommitInterval));
    }
}
