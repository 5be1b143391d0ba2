//! Appends: leader appends that assign offsets from the LEO, and follower and replicated appends
//! that keep the leader's offsets.

use super::{AppendInfo, PartitionLog};
use crate::log::batch::{self, BatchHeader};
use crate::log::error::LogError;
use bytes::Bytes;
use std::path::PathBuf;

impl PartitionLog {
    fn validate_input(batches: &[u8]) -> Result<Vec<(usize, BatchHeader)>, LogError> {
        Self::whole_batches(batch::split_valid(batches), "<input>")
    }

    /// The batches of a split, or the first problem (or an empty input) as a corrupt-batch error
    /// naming `source`.
    fn whole_batches(
        (headers, problem): batch::SplitBatches,
        source: &str,
    ) -> Result<Vec<(usize, BatchHeader)>, LogError> {
        if let Some((pos, p)) = problem {
            return Err(LogError::CorruptBatch {
                path: PathBuf::from(source),
                offset: pos as i64,
                reason: p.to_string(),
            });
        }
        if headers.is_empty() {
            return Err(LogError::CorruptBatch {
                path: PathBuf::from(source),
                offset: 0,
                reason: "no record batch in input".into(),
            });
        }
        Ok(headers)
    }

    fn write(
        &mut self,
        bytes: Bytes,
        headers: &[(usize, BatchHeader)],
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let rolled = self.maybe_roll(bytes.len(), now_ms)?;
        self.active().append(&bytes, headers)?;
        self.tail.push(&bytes, headers);
        self.observe_txns(&bytes, headers)?;
        let mut records = 0;
        let mut max_ts = -1;
        for (_, h) in headers {
            self.note_epoch(h.leader_epoch, h.base_offset);
            records += h.record_count;
            max_ts = max_ts.max(h.max_timestamp);
        }
        self.unflushed_records += records as u64;
        if self
            .config
            .flush_messages
            .is_some_and(|n| self.unflushed_records >= n)
        {
            self.flush()?;
        }
        let (first, last) = (headers[0].1, headers[headers.len() - 1].1);
        Ok(AppendInfo {
            base_offset: first.base_offset,
            last_offset: last.last_offset,
            max_timestamp: max_ts,
            record_count: records,
            bytes: bytes.len(),
            rolled,
        })
    }

    /// Leader append: validates producer batches, assigns offsets from the LEO, stamps the epoch.
    pub fn append_as_leader(
        &mut self,
        batches: &[u8],
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let headers = Self::validate_input(batches)?;
        let mut owned = batches.to_vec();
        let mut next = self.log_end_offset();
        let mut patched = Vec::with_capacity(headers.len());
        for (pos, h) in headers {
            let count = h.last_offset - h.base_offset;
            batch::patch(&mut owned[pos..], next, leader_epoch);
            patched.push((
                pos,
                BatchHeader {
                    base_offset: next,
                    last_offset: next + count,
                    leader_epoch,
                    ..h
                },
            ));
            next += count + 1;
        }
        self.write(Bytes::from(owned), &patched, now_ms)
    }

    /// Follower append: batches keep the leader's offsets; the first must start at the LEO.
    pub fn append_as_follower(
        &mut self,
        batches: &Bytes,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let headers = Self::validate_input(batches)?;
        self.append_at_leo(batches, headers, now_ms)
    }

    /// Follower append of bytes read from another replica's log in this process: that log
    /// CRC-checked them when it appended them (or read them back from disk), so only framing and
    /// offsets are checked again. Bytes from anywhere else go through [`Self::append_as_follower`].
    pub fn append_replicated(
        &mut self,
        batches: &Bytes,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let headers = Self::whole_batches(batch::split_headers(batches), "<replicated>")?;
        self.append_at_leo(batches, headers, now_ms)
    }

    fn append_at_leo(
        &mut self,
        batches: &Bytes,
        headers: Vec<(usize, BatchHeader)>,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let mut expected = self.log_end_offset();
        for (_, h) in &headers {
            if h.base_offset != expected {
                return Err(LogError::OffsetMismatch {
                    expected,
                    got: h.base_offset,
                });
            }
            expected = h.last_offset + 1;
        }
        self.write(batches.clone(), &headers, now_ms)
    }

    /// Encodes `(key, value, timestamp)` records as one v2 batch with kafka-protocol and appends it as leader.
    pub fn append_records(
        &mut self,
        records: &[(Option<Bytes>, Option<Bytes>, i64)],
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let buf = batch::encode_records(records, leader_epoch).map_err(LogError::Encode)?;
        self.append_as_leader(&buf, leader_epoch, now_ms)
    }
}
