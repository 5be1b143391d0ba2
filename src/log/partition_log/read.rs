//! Reads: whole raw batches from an offset through the sparse index, decoded records, and the
//! offset for a timestamp through the time index.

use super::{FetchedBatches, PartitionLog};
use crate::log::batch;
use crate::log::error::LogError;
use bytes::BytesMut;
use kafka_protocol::records::Record;

impl PartitionLog {
    /// Whole batches from the one holding `offset`, up to `max_bytes` (at least one batch), never
    /// a batch starting at or after `upper_bound`. Batches read from disk are CRC-checked before they are
    /// returned; the newest come from the in-memory tail cache, exactly as this log wrote them.
    pub fn read(
        &self,
        offset: i64,
        max_bytes: usize,
        upper_bound: i64,
    ) -> Result<FetchedBatches, LogError> {
        let leo = self.log_end_offset();
        if offset < self.log_start_offset || offset > leo {
            return Err(LogError::OffsetOutOfRange {
                offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: leo,
            });
        }
        if let Some(hit) = self.tail.read(offset, max_bytes, upper_bound) {
            return Ok(FetchedBatches {
                bytes: hit.bytes,
                first_offset: hit.first_offset,
                next_offset: hit.next_offset,
            });
        }
        let mut out = BytesMut::new();
        let mut first_offset = offset;
        let mut next_offset = offset;
        let first = self.segments.range(..=offset).next_back();
        // Set when a batch does not fit or reaches the bound: nothing after it may be returned,
        // or the result would have a gap.
        let mut done = false;
        for (_, seg) in first.into_iter().chain(self.segments.range(offset + 1..)) {
            // One read covers the scan from the index entry plus the byte budget; headers are
            // parsed in memory. A batch reaching past the window is fetched with one more read.
            let scan_from = seg.scan_start(offset);
            let window = max_bytes.saturating_sub(out.len())
                + self.config.index_interval_bytes as usize
                + batch::HEADER_LEN;
            let mut buf = seg.read_at(scan_from, window)?;
            let mut rel = 0usize;
            let mut span: Option<(usize, usize)> = None;
            loop {
                let at = scan_from + rel as u64;
                if at >= seg.size {
                    break;
                }
                if buf.len() < rel + batch::HEADER_LEN {
                    buf.extend(seg.read_at(
                        scan_from + buf.len() as u64,
                        rel + batch::HEADER_LEN - buf.len(),
                    )?);
                }
                let h = batch::parse_header(&buf[rel..]).map_err(|p| LogError::CorruptBatch {
                    path: seg.log_path().to_path_buf(),
                    offset: next_offset,
                    reason: p.to_string(),
                })?;
                if h.base_offset >= upper_bound {
                    done = true;
                    break;
                }
                if h.last_offset < offset {
                    rel += h.total_len;
                    continue;
                }
                let taken = span.map_or(0, |(s, e)| e - s) + out.len();
                if taken > 0 && taken + h.total_len > max_bytes {
                    done = true;
                    break;
                }
                if buf.len() < rel + h.total_len {
                    buf.extend(
                        seg.read_at(scan_from + buf.len() as u64, rel + h.total_len - buf.len())?,
                    );
                }
                if span.is_none() && out.is_empty() {
                    first_offset = h.base_offset;
                }
                let s = span.map_or(rel, |(s, _)| s);
                rel += h.total_len;
                span = Some((s, rel));
                next_offset = h.last_offset + 1;
            }
            if let Some((s, e)) = span {
                let bytes = &buf[s..e];
                let (headers, problem) = batch::split_valid(bytes);
                if let Some((_, p)) = problem {
                    let bad_offset = headers
                        .last()
                        .map_or(first_offset, |(_, h)| h.last_offset + 1);
                    return Err(LogError::CorruptBatch {
                        path: seg.log_path().to_path_buf(),
                        offset: bad_offset,
                        reason: p.to_string(),
                    });
                }
                out.extend_from_slice(bytes);
            }
            if done {
                break;
            }
        }
        Ok(FetchedBatches {
            bytes: out.freeze(),
            first_offset,
            next_offset,
        })
    }

    /// Decoded records with offsets in [offset, upper_bound), up to about `max_bytes`.
    pub fn read_records(
        &self,
        offset: i64,
        max_bytes: usize,
        upper_bound: i64,
    ) -> Result<Vec<Record>, LogError> {
        let fetched = self.read(offset, max_bytes, upper_bound)?;
        let records =
            batch::decode_records(&fetched.bytes).map_err(|reason| LogError::CorruptBatch {
                path: self.dir.clone(),
                offset,
                reason,
            })?;
        Ok(records
            .into_iter()
            .filter(|r| r.offset >= offset && r.offset < upper_bound)
            .collect())
    }

    /// The first offset whose record timestamp is ≥ `timestamp_ms` (ListOffsets by time).
    pub fn offset_for_timestamp(&self, timestamp_ms: i64) -> Result<Option<i64>, LogError> {
        for seg in self.segments.values() {
            if seg.max_timestamp < timestamp_ms {
                continue;
            }
            let start = seg
                .time_entries()
                .iter()
                .take_while(|t| t.timestamp < timestamp_ms)
                .last()
                .map(|t| seg.base_offset + t.relative_offset as i64)
                .unwrap_or(seg.base_offset);
            let mut offset = start.max(self.log_start_offset);
            while offset < seg.next_offset {
                let records = self.read_records(offset, 1 << 20, seg.next_offset)?;
                if records.is_empty() {
                    break;
                }
                for r in &records {
                    if r.timestamp >= timestamp_ms {
                        return Ok(Some(r.offset));
                    }
                    offset = r.offset + 1;
                }
            }
        }
        Ok(None)
    }
}
