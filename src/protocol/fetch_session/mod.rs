//! Fetch sessions (KIP-227), per broker: a consumer's fetch names its partitions once (a full
//! fetch creating a session), then only what changed (incremental fetches), and the broker leaves
//! unchanged partitions out of its answers. Sessions live in the listener's memory, on simulated
//! time: a broker restart forgets them, as a Kafka broker's restart does.
//!
//! The cache follows Kafka's `FetchSessionCache` (one shard of
//! `max.incremental.fetch.session.cache.slots` = 1000): a full fetch gets a session while a slot
//! is free, or by evicting a stale session (unused for 120 s), or one less valuable than itself
//! (a consumer's session with fewer partitions, created over 120 s ago; a follower's session may
//! also evict any consumer's). Ids come from the lab's seed, so a replayed run hands out the same.

mod cache;
mod session;
#[cfg(test)]
mod tests;

pub use cache::SessionCache;
pub use session::{Answer, CachedPartition, Session, next_epoch};

use crate::cluster::topic_id::TopicId;
use crate::cluster::types::BrokerId;
use std::collections::BTreeMap;

/// `max.incremental.fetch.session.cache.slots`: sessions one broker keeps.
pub const SESSION_SLOTS: usize = 1000;
/// Kafka's `MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS`: a session unused this long may be
/// evicted by anyone, and one younger than this only by a follower's.
pub const EVICTION_MS: i64 = 120_000;
/// Partitions one session caches at most (the lab's `PARTITIONS_TOTAL_MAX`): an incremental fetch
/// that would grow a session past it ends the session (FETCH_SESSION_ID_NOT_FOUND, the client
/// then fetches in full), and a larger full fetch gets no session.
pub const SESSION_PARTITIONS_MAX: usize = 10_000;
/// Kafka's `INVALID_SESSION_ID`: no session.
pub const NO_SESSION: i32 = 0;
/// Kafka's `INITIAL_EPOCH`: a full fetch asking for a new session.
pub const INITIAL_EPOCH: i32 = 0;
/// Kafka's `FINAL_EPOCH`: a full fetch without a session (closing `session_id` if set).
pub const FINAL_EPOCH: i32 = -1;

/// A partition as a fetch names it: by topic id from v13, by name before.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PartKey {
    /// Fetch v13+.
    Id(TopicId, i32),
    /// Fetch v12 and below.
    Name(String, i32),
}

impl PartKey {
    /// The partition index.
    pub fn partition(&self) -> i32 {
        match self {
            PartKey::Id(_, p) | PartKey::Name(_, p) => *p,
        }
    }
}

/// One partition to read: how the request named it, its topic's name if known, and the fetch
/// parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// How the request named it.
    pub key: PartKey,
    /// The topic's name (None: an id no topic has).
    pub name: Option<String>,
    /// Where to read from.
    pub fetch_offset: i64,
    /// `partition_max_bytes`.
    pub max_bytes: i32,
}

/// What a fetch request is, once its session fields are read (Kafka's `FetchContext`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// The session cannot serve it: answer this error, no partitions, no session.
    SessionError(crate::protocol::wire_error::WireError),
    /// No session (epoch -1, or the last partition was forgotten): answer what it names.
    Sessionless(Vec<Part>),
    /// A full fetch: answer what it names, then create a session if the cache takes one.
    Full {
        /// The partitions named.
        parts: Vec<Part>,
        /// From a follower.
        privileged: bool,
        /// Fetch v13+.
        uses_topic_ids: bool,
    },
    /// An incremental fetch: read every partition of the session, answer only those that
    /// changed.
    Incremental {
        /// The session.
        session_id: i32,
        /// The session's epoch after this request (the next request must carry it).
        epoch: i32,
        /// Every partition of the session.
        parts: Vec<Part>,
    },
}

impl Context {
    /// The partitions to read.
    pub fn parts(&self) -> &[Part] {
        match self {
            Context::SessionError(_) => &[],
            Context::Sessionless(p) | Context::Full { parts: p, .. } => p,
            Context::Incremental { parts, .. } => parts,
        }
    }
}

/// Every broker's session cache, each tied to one start of its broker.
#[derive(Clone, Debug, Default)]
pub struct FetchSessions {
    brokers: BTreeMap<BrokerId, (u64, SessionCache)>,
}

impl FetchSessions {
    /// Broker `broker`'s cache for its `starts`-th start: a broker that restarted since starts
    /// with an empty cache. `seed` makes its session ids.
    pub fn cache(&mut self, broker: BrokerId, starts: u64, seed: u64) -> &mut SessionCache {
        let salt = seed ^ (broker as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ starts;
        let entry = self
            .brokers
            .entry(broker)
            .or_insert_with(|| (starts, SessionCache::new(SESSION_SLOTS, EVICTION_MS, salt)));
        if entry.0 != starts {
            *entry = (starts, SessionCache::new(SESSION_SLOTS, EVICTION_MS, salt));
        }
        &mut entry.1
    }

    /// Sessions broker `broker` holds now (0 when it restarted since they were made).
    pub fn count(&self, broker: BrokerId, starts: u64) -> usize {
        self.brokers
            .get(&broker)
            .filter(|(s, _)| *s == starts)
            .map_or(0, |(_, c)| c.len())
    }
}
