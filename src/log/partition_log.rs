//! `PartitionLog`: one replica's log — segments in a `BTreeMap` by base offset, appends at the
//! log end offset (LEO), reads by offset through the sparse index, truncation, rolls, retention,
//! and the leader-epoch cache of KIP-101.

use super::batch::{self, BatchHeader};
use super::config::LogConfig;
use super::error::{LogError, io_err};
use super::segment::Segment;
use super::tail_cache::TailCache;
use bytes::{Bytes, BytesMut};
use kafka_protocol::records::Record;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What an append did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    /// First offset written.
    pub base_offset: i64,
    /// Last offset written.
    pub last_offset: i64,
    /// Largest timestamp written.
    pub max_timestamp: i64,
    /// Records written.
    pub record_count: i32,
    /// Bytes written.
    pub bytes: usize,
    /// Base offset of a segment this append rolled, if it rolled one.
    pub rolled: Option<i64>,
}

/// What recovery found when the log was opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Bytes cut from torn or corrupt tails (and from segments after them).
    pub bytes_truncated: u64,
    /// Records the cut region's readable batch headers held.
    pub records_truncated: i64,
    /// Index files rewritten because they were missing or wrong.
    pub indexes_rebuilt: usize,
    /// Segments after recovery.
    pub segments: usize,
    /// LEO after recovery.
    pub log_end_offset: i64,
}

/// Whole raw batches returned by a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedBatches {
    /// Concatenated batches, exactly as stored.
    pub bytes: Bytes,
    /// Base offset of the first batch (may be before the requested offset, as in Kafka).
    pub first_offset: i64,
    /// Offset after the last batch.
    pub next_offset: i64,
}

/// One replica's log on disk.
#[derive(Debug)]
pub struct PartitionLog {
    dir: PathBuf,
    config: LogConfig,
    segments: BTreeMap<i64, Segment>,
    log_start_offset: i64,
    epochs: Vec<(i32, i64)>,
    unflushed_records: u64,
    last_flush_ms: i64,
    /// The newest batches in memory, so tail fetches need no system call.
    tail: TailCache,
}

impl PartitionLog {
    /// Opens (creating if needed) the log in `dir`, recovering torn or corrupt tails.
    pub fn open(
        dir: &Path,
        config: LogConfig,
        now_ms: i64,
    ) -> Result<(Self, RecoveryReport), LogError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut bases: Vec<i64> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Only `<20 digits>.log` files are segments; anything else is left alone.
            if let Some(stem) = name.strip_suffix(".log")
                && stem.len() == 20
                && stem.bytes().all(|b| b.is_ascii_digit())
                && let Ok(base) = stem.parse::<i64>()
            {
                bases.push(base);
            }
        }
        bases.sort_unstable();
        let mut report = RecoveryReport::default();
        let mut segments = BTreeMap::new();
        let mut damaged = false;
        let mut expected: Option<i64> = None;
        for base in bases {
            if damaged || expected.is_some_and(|e| base != e) {
                // Everything after damage (or a gap) is dropped: a log must be one unbroken run.
                let (log_path, _, _) = Segment::paths(dir, base);
                let len = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
                report.bytes_truncated += len;
                if let Ok((seg, _, _, _)) =
                    Segment::recover(dir, base, config.index_interval_bytes, now_ms)
                {
                    report.records_truncated += seg.next_offset - seg.base_offset;
                    seg.delete()?;
                }
                damaged = true;
                continue;
            }
            let (seg, bytes, records, rebuilt) =
                Segment::recover(dir, base, config.index_interval_bytes, now_ms)?;
            if rebuilt {
                report.indexes_rebuilt += 1;
            }
            if bytes > 0 {
                report.bytes_truncated += bytes;
                report.records_truncated += records;
                damaged = true;
            }
            expected = Some(seg.next_offset);
            segments.insert(base, seg);
        }
        if segments.is_empty() {
            segments.insert(
                0,
                Segment::create(dir, 0, config.index_interval_bytes, now_ms)?,
            );
        }
        let log_start_offset = segments.keys().next().copied().unwrap_or(0);
        let config_tail = config.tail_cache_bytes;
        let mut log = Self {
            dir: dir.to_path_buf(),
            config,
            segments,
            log_start_offset,
            epochs: Vec::new(),
            unflushed_records: 0,
            last_flush_ms: now_ms,
            tail: TailCache::new(config_tail),
        };
        log.rebuild_epochs()?;
        report.segments = log.segments.len();
        report.log_end_offset = log.log_end_offset();
        Ok((log, report))
    }

    /// Rebuilds the leader-epoch cache from batch headers (Kafka checkpoints it; the lab derives it).
    fn rebuild_epochs(&mut self) -> Result<(), LogError> {
        self.epochs.clear();
        let mut found = Vec::new();
        for seg in self.segments.values() {
            let mut pos = 0;
            while let Some(h) = seg.header_at(pos)? {
                found.push((h.leader_epoch, h.base_offset));
                pos += h.total_len as u64;
            }
        }
        for (e, o) in found {
            self.note_epoch(e, o);
        }
        Ok(())
    }

    fn note_epoch(&mut self, epoch: i32, offset: i64) {
        if epoch >= 0 && self.epochs.last().is_none_or(|l| l.0 < epoch) {
            self.epochs.push((epoch, offset));
        }
    }

    fn active(&mut self) -> &mut Segment {
        // There is always at least one segment: open() and retention guarantee it.
        self.segments
            .values_mut()
            .next_back()
            .expect("a log always has an active segment")
    }

    fn active_ref(&self) -> &Segment {
        self.segments
            .values()
            .next_back()
            .expect("a log always has an active segment")
    }

    fn maybe_roll(&mut self, incoming: usize, now_ms: i64) -> Result<Option<i64>, LogError> {
        let seg_bytes = self.config.segment_bytes;
        let seg_ms = self.config.segment_ms;
        let a = self.active_ref();
        let full = a.size > 0 && a.size + incoming as u64 > seg_bytes;
        let old = a.size > 0 && seg_ms >= 0 && now_ms - a.created_ms >= seg_ms;
        if full || old {
            Ok(Some(self.roll(now_ms)?))
        } else {
            Ok(None)
        }
    }

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

    /// Removes every record at offset ≥ `offset`. Truncation happens at batch boundaries, as in
    /// Kafka: a batch holding `offset` goes entirely, so the new LEO is that batch's base offset.
    /// Returns the records removed.
    pub fn truncate_to(&mut self, offset: i64) -> Result<i64, LogError> {
        if offset >= self.log_end_offset() {
            return Ok(0);
        }
        self.tail.truncate_from(offset);
        let mut removed = 0;
        let later: Vec<i64> = self.segments.range(offset + 1..).map(|(k, _)| *k).collect();
        for base in later {
            if self.segments.len() == 1 {
                break;
            }
            if let Some(seg) = self.segments.remove(&base) {
                removed += seg.next_offset - seg.base_offset;
                seg.delete()?;
            }
        }
        if let Some(seg) = self.segments.values_mut().next_back() {
            removed += seg.truncate_to(offset)?;
        }
        let leo = self.log_end_offset();
        self.epochs.retain(|(_, start)| *start < leo);
        if leo < self.log_start_offset {
            self.log_start_offset = leo;
        }
        Ok(removed)
    }

    /// Closes the active segment and starts a new one at the LEO; returns its base offset.
    pub fn roll(&mut self, now_ms: i64) -> Result<i64, LogError> {
        let leo = self.log_end_offset();
        if self.active_ref().size == 0 {
            return Ok(self.active_ref().base_offset);
        }
        self.active().write_indexes()?;
        let seg = Segment::create(&self.dir, leo, self.config.index_interval_bytes, now_ms)?;
        self.segments.insert(leo, seg);
        Ok(leo)
    }

    /// Deletes whole non-active segments beyond `retention.bytes` or older than `retention.ms`;
    /// returns (segments deleted, new log start offset).
    pub fn apply_retention(&mut self, now_ms: i64) -> Result<(usize, i64), LogError> {
        let mut deleted = 0;
        loop {
            if self.segments.len() <= 1 {
                break;
            }
            let total = self.size_bytes() as i64;
            let Some((&base, oldest)) = self.segments.iter().next() else {
                break;
            };
            let over_size = self.config.retention_bytes >= 0
                && total - oldest.size as i64 >= self.config.retention_bytes;
            let too_old = self.config.retention_ms >= 0
                && oldest.max_timestamp >= 0
                && oldest.max_timestamp < now_ms - self.config.retention_ms;
            if !(over_size || too_old) {
                break;
            }
            if let Some(seg) = self.segments.remove(&base) {
                seg.delete()?;
                deleted += 1;
            }
        }
        if deleted > 0 {
            self.log_start_offset = self.segments.keys().next().copied().unwrap_or(0);
        }
        Ok((deleted, self.log_start_offset))
    }

    /// Time-based roll (`segment.ms`) and flush policy (`flush.ms`); returns a rolled segment's base.
    pub fn tick(&mut self, now_ms: i64) -> Result<Option<i64>, LogError> {
        let rolled = self.maybe_roll(0, now_ms)?;
        if self
            .config
            .flush_ms
            .is_some_and(|ms| now_ms - self.last_flush_ms >= ms)
        {
            self.flush()?;
            self.last_flush_ms = now_ms;
        }
        Ok(rolled)
    }

    /// fsyncs the active segment and writes pending index entries.
    pub fn flush(&mut self) -> Result<(), LogError> {
        self.unflushed_records = 0;
        self.active().flush()
    }

    /// First offset still in the log.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// Log end offset (LEO): the offset the next record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.active_ref().next_offset
    }

    /// Number of segments.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Bytes of all `.log` files.
    pub fn size_bytes(&self) -> u64 {
        self.segments.values().map(|s| s.size).sum()
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The leader-epoch cache: (epoch, start offset) ascending.
    pub fn epoch_entries(&self) -> &[(i32, i64)] {
        &self.epochs
    }

    /// OffsetsForLeaderEpoch: (largest known epoch ≤ `epoch`, where it ends), or None.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> Option<(i32, i64)> {
        let i = self.epochs.partition_point(|(e, _)| *e <= epoch);
        let idx = i.checked_sub(1)?;
        let found = self.epochs[idx].0;
        let end = self
            .epochs
            .get(idx + 1)
            .map(|(_, start)| *start)
            .unwrap_or_else(|| self.log_end_offset());
        Some((found, end))
    }
}

impl Drop for PartitionLog {
    fn drop(&mut self) {
        // Index entries are derived data; writing them is a courtesy (recovery rebuilds them).
        if let Some(seg) = self.segments.values_mut().next_back() {
            let _ = seg.write_indexes();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: usize) -> Vec<(Option<Bytes>, Option<Bytes>, i64)> {
        (0..n)
            .map(|i| (None, Some(Bytes::from(format!("v{i}"))), i as i64))
            .collect()
    }

    #[test]
    fn replicated_append_checks_framing_and_offsets_but_trusts_the_crc() {
        let dir = tempfile::tempdir().unwrap();
        let (mut leader, _) =
            PartitionLog::open(&dir.path().join("l"), LogConfig::default(), 0).unwrap();
        let (mut follower, _) =
            PartitionLog::open(&dir.path().join("f"), LogConfig::default(), 0).unwrap();
        leader.append_records(&records(3), 0, 0).unwrap();
        leader.append_records(&records(2), 0, 0).unwrap();
        let fetched = leader.read(0, 1 << 20, leader.log_end_offset()).unwrap();
        follower.append_replicated(&fetched.bytes, 0).unwrap();
        assert_eq!(follower.log_end_offset(), 5);
        // The same bytes again do not start at the follower's LEO.
        assert!(matches!(
            follower.append_replicated(&fetched.bytes, 0),
            Err(LogError::OffsetMismatch {
                expected: 5,
                got: 0
            })
        ));
        // A torn frame is refused even though no CRC is computed.
        let torn = fetched.bytes.slice(..fetched.bytes.len() - 3);
        let (mut other, _) =
            PartitionLog::open(&dir.path().join("o"), LogConfig::default(), 0).unwrap();
        assert!(matches!(
            other.append_replicated(&torn, 0),
            Err(LogError::CorruptBatch { .. })
        ));
        // The checked path still catches a bad CRC.
        let mut bad = fetched.bytes.to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        assert!(other.append_as_follower(&Bytes::from(bad), 0).is_err());
    }
}
