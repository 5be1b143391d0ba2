//! The records of `__consumer_offsets`, in Kafka's own layout: an offset commit is a record whose
//! key is (version 1, group, topic, partition) and whose value is (version 3, offset, leader epoch,
//! metadata, commit timestamp), all big-endian with int16-length strings.

use crate::cluster::types::TopicPartition;
use bytes::{BufMut, Bytes, BytesMut};

/// `offset.metadata.max.bytes`: the longest metadata string a commit may carry (Kafka's default).
pub const OFFSET_METADATA_MAX_BYTES: usize = 4096;

/// A committed offset with the string a client may commit beside it (Kafka's `OffsetAndMetadata`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    /// The committed offset (the next record to read).
    pub offset: i64,
    /// The client's metadata string, handed back verbatim by OffsetFetch (usually empty).
    pub metadata: String,
}

impl OffsetAndMetadata {
    /// An offset with empty metadata, as the lab's simulated consumers commit.
    pub fn new(offset: i64) -> Self {
        Self {
            offset,
            metadata: String::new(),
        }
    }
}

/// One committed offset, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetCommitRecord {
    /// `group.id`.
    pub group: String,
    /// Which partition.
    pub tp: TopicPartition,
    /// The committed offset and its metadata.
    pub committed: OffsetAndMetadata,
    /// When it was committed (simulated ms).
    pub commit_timestamp: i64,
}

fn put_str(buf: &mut BytesMut, s: &str) {
    buf.put_i16(s.len() as i16);
    buf.put_slice(s.as_bytes());
}

fn get_i16(b: &[u8], at: &mut usize) -> Option<i16> {
    let v = i16::from_be_bytes(b.get(*at..*at + 2)?.try_into().ok()?);
    *at += 2;
    Some(v)
}

fn get_i32(b: &[u8], at: &mut usize) -> Option<i32> {
    let v = i32::from_be_bytes(b.get(*at..*at + 4)?.try_into().ok()?);
    *at += 4;
    Some(v)
}

fn get_i64(b: &[u8], at: &mut usize) -> Option<i64> {
    let v = i64::from_be_bytes(b.get(*at..*at + 8)?.try_into().ok()?);
    *at += 8;
    Some(v)
}

fn get_str(b: &[u8], at: &mut usize) -> Option<String> {
    let len = get_i16(b, at)?;
    if len < 0 {
        return Some(String::new());
    }
    let s = std::str::from_utf8(b.get(*at..*at + len as usize)?).ok()?;
    *at += len as usize;
    Some(s.to_string())
}

impl OffsetCommitRecord {
    /// The record key: version 1, group, topic, partition.
    pub fn key(&self) -> Bytes {
        let mut b = BytesMut::new();
        b.put_i16(1);
        put_str(&mut b, &self.group);
        put_str(&mut b, &self.tp.topic);
        b.put_i32(self.tp.partition);
        b.freeze()
    }

    /// The record value: version 3, offset, leader epoch (-1), metadata, timestamp.
    pub fn value(&self) -> Bytes {
        let mut b = BytesMut::new();
        b.put_i16(3);
        b.put_i64(self.committed.offset);
        b.put_i32(-1);
        put_str(&mut b, &self.committed.metadata);
        b.put_i64(self.commit_timestamp);
        b.freeze()
    }

    /// The group and partition an offset record's key names (a tombstone has only a key);
    /// `None` for other record kinds or malformed bytes.
    pub fn parse_key(key: &[u8]) -> Option<(String, TopicPartition)> {
        let mut at = 0;
        let version = get_i16(key, &mut at)?;
        if version > 1 {
            return None;
        }
        let group = get_str(key, &mut at)?;
        let topic = get_str(key, &mut at)?;
        let partition = get_i32(key, &mut at)?;
        Some((group, TopicPartition::new(topic, partition)))
    }

    /// Parses a record of `__consumer_offsets`; `None` for other record kinds (group metadata,
    /// tombstones) or malformed bytes.
    pub fn parse(key: &[u8], value: Option<&[u8]>) -> Option<Self> {
        let (group, TopicPartition { topic, partition }) = Self::parse_key(key)?;
        let value = value?;
        let mut at = 0;
        let v = get_i16(value, &mut at)?;
        let offset = get_i64(value, &mut at)?;
        if v >= 3 {
            get_i32(value, &mut at)?;
        }
        let metadata = get_str(value, &mut at)?;
        let commit_timestamp = get_i64(value, &mut at)?;
        Some(Self {
            group,
            tp: TopicPartition::new(topic, partition),
            committed: OffsetAndMetadata { offset, metadata },
            commit_timestamp,
        })
    }
}

/// The `__consumer_offsets` partition of a group: `abs(group.hashCode()) % partitions`, with
/// Java's `String.hashCode` so the lab picks the same partition Kafka would.
pub fn offsets_partition_for(group: &str, partitions: i32) -> i32 {
    let mut h: i32 = 0;
    for unit in group.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(unit as i32);
    }
    // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0, not to itself.
    let abs = if h == i32::MIN { 0 } else { h.abs() };
    abs % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_record_round_trips() {
        let r = OffsetCommitRecord {
            group: "lab-group".into(),
            tp: TopicPartition::new("test", 1),
            committed: OffsetAndMetadata {
                offset: 42,
                metadata: "checkpoint 7 µs".into(),
            },
            commit_timestamp: 1234,
        };
        assert_eq!(
            OffsetCommitRecord::parse(&r.key(), Some(&r.value())),
            Some(r.clone())
        );
        assert_eq!(OffsetCommitRecord::parse(&r.key(), None), None, "tombstone");
        assert_eq!(
            OffsetCommitRecord::parse_key(&r.key()),
            Some(("lab-group".into(), TopicPartition::new("test", 1)))
        );
        assert_eq!(
            OffsetCommitRecord::parse(&[0, 2, 0, 1, b'g'], Some(&[])),
            None
        );
    }

    #[test]
    fn group_partition_matches_java_string_hashcode() {
        // "lab-group".hashCode() = 2080280127 in Java; 50 partitions is Kafka's default.
        assert_eq!(offsets_partition_for("lab-group", 50), 2080280127 % 50);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Kafka's abs maps it to 0.
        assert_eq!(offsets_partition_for("polygenelubricants", 50), 0);
        assert_eq!(offsets_partition_for("", 3), 0);
    }
}
