//! Records of `__transaction_state`, laid out as Kafka's (key and value version 0):
//!
//! key: `version i16 (0)`, `transactional_id string`;
//! value: `version i16 (0)`, `producer_id i64`, `producer_epoch i16`, `timeout_ms i32`,
//! `state i8`, `partitions [topic string, [partition i32]]`, `last_update_ms i64`, `start_ms i64`.
//! Strings are an i16 length and UTF-8 bytes.

use super::{TransactionState, TxnMetadata};
use crate::cluster::types::TopicPartition;
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::{BTreeMap, BTreeSet};

/// One `transactional.id`'s metadata as a `__transaction_state` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnRecord {
    /// The id.
    pub transactional_id: String,
    /// Its metadata.
    pub meta: TxnMetadata,
}

fn put_str(b: &mut BytesMut, s: &str) {
    let bytes = s.as_bytes();
    b.put_i16(bytes.len().min(i16::MAX as usize) as i16);
    b.put_slice(&bytes[..bytes.len().min(i16::MAX as usize)]);
}

/// A cursor that fails instead of panicking on short input.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn i8(&mut self) -> Option<i8> {
        Some(self.take(1)?[0] as i8)
    }
    fn i16(&mut self) -> Option<i16> {
        let b = self.take(2)?;
        Some(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.i16()?).ok()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

impl TxnRecord {
    /// The record's key.
    pub fn key(&self) -> Bytes {
        let mut b = BytesMut::new();
        b.put_i16(0);
        put_str(&mut b, &self.transactional_id);
        b.freeze()
    }

    /// The record's value.
    pub fn value(&self) -> Bytes {
        let m = &self.meta;
        let mut b = BytesMut::new();
        b.put_i16(0);
        b.put_i64(m.producer_id);
        b.put_i16(m.producer_epoch);
        b.put_i32(m.timeout_ms);
        b.put_i8(m.state.code());
        let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for tp in &m.partitions {
            by_topic.entry(&tp.topic).or_default().push(tp.partition);
        }
        b.put_i32(by_topic.len() as i32);
        for (topic, parts) in by_topic {
            put_str(&mut b, topic);
            b.put_i32(parts.len() as i32);
            for p in parts {
                b.put_i32(p);
            }
        }
        b.put_i64(m.updated_ms);
        b.put_i64(m.started_ms);
        b.freeze()
    }

    /// Parses a record; `None` for anything that is not a version-0 transaction record.
    pub fn parse(key: &[u8], value: &[u8]) -> Option<Self> {
        let mut k = Reader(key);
        if k.i16()? != 0 {
            return None;
        }
        let transactional_id = k.string()?;
        let mut v = Reader(value);
        if v.i16()? != 0 {
            return None;
        }
        let producer_id = v.i64()?;
        let producer_epoch = v.i16()?;
        let timeout_ms = v.i32()?;
        let state = TransactionState::from_code(v.i8()?)?;
        let topics = v.i32()?;
        let mut partitions = BTreeSet::new();
        // Counts come from the log: each entry needs bytes, so a bad count runs out of input.
        for _ in 0..topics.max(0) {
            let topic = v.string()?;
            let n = v.i32()?;
            for _ in 0..n.max(0) {
                partitions.insert(TopicPartition::new(topic.clone(), v.i32()?));
            }
        }
        let updated_ms = v.i64()?;
        let started_ms = v.i64()?;
        Some(Self {
            transactional_id,
            meta: TxnMetadata {
                producer_id,
                producer_epoch,
                timeout_ms,
                state,
                partitions,
                started_ms,
                updated_ms,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_garbage_is_refused() {
        let r = TxnRecord {
            transactional_id: "copy-job".into(),
            meta: TxnMetadata {
                producer_id: 7,
                producer_epoch: 3,
                timeout_ms: 60_000,
                state: TransactionState::PrepareCommit,
                partitions: [
                    TopicPartition::new("out", 1),
                    TopicPartition::new("out", 0),
                    TopicPartition::new("__consumer_offsets", 2),
                ]
                .into_iter()
                .collect(),
                started_ms: 100,
                updated_ms: 250,
            },
        };
        assert_eq!(TxnRecord::parse(&r.key(), &r.value()), Some(r.clone()));
        let v = r.value();
        for cut in 0..v.len() {
            assert_eq!(TxnRecord::parse(&r.key(), &v[..cut]), None);
        }
        assert_eq!(TxnRecord::parse(&[0, 1], &v), None);
    }
}
