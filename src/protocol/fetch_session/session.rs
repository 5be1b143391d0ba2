//! One fetch session (KIP-227): the partitions a client fetches, with what the broker last told
//! it about each, so an incremental fetch names only what changed and its answer leaves out
//! partitions with nothing new.

use super::{Part, PartKey};
use crate::cluster::topic_id::TopicId;

/// What the session remembers of one partition: the fetch parameters the client last sent and
/// the HW and log start offset the broker last answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedPartition {
    /// The partition, by topic id (v13+) or by name.
    pub key: PartKey,
    /// The topic's name when it was added (resolved from the id then, or later once known).
    pub name: Option<String>,
    /// The client's fetch offset.
    pub fetch_offset: i64,
    /// The client's `partition_max_bytes`.
    pub max_bytes: i32,
    /// The HW last sent (-1: none yet, or the last answer was an error).
    pub high_watermark: i64,
    /// The log start offset last sent.
    pub log_start_offset: i64,
}

impl CachedPartition {
    /// A partition first named by a request.
    pub fn new(part: &Part) -> Self {
        Self {
            key: part.key.clone(),
            name: part.name.clone(),
            fetch_offset: part.fetch_offset,
            max_bytes: part.max_bytes,
            high_watermark: -1,
            log_start_offset: -1,
        }
    }

    /// The part to read for the next answer.
    pub fn part(&self) -> Part {
        Part {
            key: self.key.clone(),
            name: self.name.clone(),
            fetch_offset: self.fetch_offset,
            max_bytes: self.max_bytes,
        }
    }

    /// Kafka's rule for an incremental answer: a partition is sent when it has records, its HW
    /// or log start offset changed, or it has an error (after which the HW is forgotten, so the
    /// partition is sent again once the error goes). Records what was sent when `update`.
    pub fn must_respond(&mut self, answer: &Answer, update: bool) -> bool {
        let mut must = answer.records_bytes > 0;
        if self.high_watermark != answer.high_watermark {
            must = true;
            if update {
                self.high_watermark = answer.high_watermark;
            }
        }
        if self.log_start_offset != answer.log_start_offset {
            must = true;
            if update {
                self.log_start_offset = answer.log_start_offset;
            }
        }
        if answer.error_code != 0 {
            must = true;
            if update {
                self.high_watermark = -1;
            }
        }
        must
    }
}

/// The part of one partition's answer the session looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// Bytes of records sent.
    pub records_bytes: usize,
    /// The HW sent.
    pub high_watermark: i64,
    /// The log start offset sent.
    pub log_start_offset: i64,
    /// The partition's error code.
    pub error_code: i16,
}

/// A fetch session on one broker.
#[derive(Clone, Debug)]
pub struct Session {
    /// The session id (positive, unique on the broker).
    pub id: i32,
    /// Created by a follower (replica id ≥ 0): consumers cannot evict it while it is young.
    pub privileged: bool,
    /// Whether it names topics by id (made by Fetch v13+); a request of the other kind gets
    /// FETCH_SESSION_TOPIC_ID_ERROR.
    pub uses_topic_ids: bool,
    /// The partitions, in the order answers read them (one that sent records moves to the end,
    /// so the next answer starts elsewhere, as Kafka's does).
    pub partitions: Vec<CachedPartition>,
    /// Simulated ms of creation.
    pub creation_ms: i64,
    /// Simulated ms of the last request that used it.
    pub last_used_ms: i64,
    /// The epoch the next incremental fetch must carry.
    pub epoch: i32,
}

impl Session {
    /// Applies an incremental request: updates or adds the partitions it names, then removes the
    /// forgotten ones (Kafka's order).
    pub fn update(&mut self, parts: &[Part], forgotten: &[PartKey]) {
        for p in parts {
            match self.partitions.iter_mut().find(|c| c.key == p.key) {
                Some(c) => {
                    c.fetch_offset = p.fetch_offset;
                    c.max_bytes = p.max_bytes;
                }
                None => self.partitions.push(CachedPartition::new(p)),
            }
        }
        self.partitions.retain(|c| !forgotten.contains(&c.key));
    }

    /// The partitions to read, names resolved where an id was unknown when added.
    pub fn parts(&mut self, resolve: &dyn Fn(TopicId) -> Option<String>) -> Vec<Part> {
        for c in &mut self.partitions {
            if c.name.is_none()
                && let PartKey::Id(id, _) = c.key
            {
                c.name = resolve(id);
            }
        }
        self.partitions.iter().map(CachedPartition::part).collect()
    }
}

/// Kafka's `FetchMetadata.nextEpoch`: 1, 2, … wrapping from `i32::MAX` back to 1.
pub fn next_epoch(epoch: i32) -> i32 {
    if epoch < 0 {
        epoch
    } else if epoch == i32::MAX {
        1
    } else {
        epoch + 1
    }
}
