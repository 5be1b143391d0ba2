//! `PartitionLog`: one replica's log — segments in a `BTreeMap` by base offset, appends at the
//! log end offset (LEO), reads by offset through the sparse index, truncation, rolls, retention,
//! and the leader-epoch cache of KIP-101.
//!
//! Appends, reads, truncation and retention live in `partition_log/`, one job per file.

use super::config::LogConfig;
use super::error::{LogError, io_err};
use super::segment::Segment;
use super::tail_cache::TailCache;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod append;
mod read;
mod retention;
mod truncate;
mod txns;

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
    /// Open transactions and the aborted ones per segment (`.txnindex`).
    txns: crate::log::txn_index::TxnState,
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
        // The active segment is written in place; a fork's files may share its inode.
        if let Some(active) = segments.values_mut().next_back() {
            active.make_private()?;
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
            txns: Default::default(),
        };
        log.rebuild_epochs()?;
        report.indexes_rebuilt += log.rebuild_txns()?;
        report.segments = log.segments.len();
        report.log_end_offset = log.log_end_offset();
        Ok((log, report))
    }

    /// An independent copy of this log in `dir` (which should not exist yet), equal in every
    /// state: sealed segments' files are hard-linked (every in-place write of a shared file
    /// copies it first, see `shared_files`), the active segment's copied; the tail cache, epochs,
    /// transaction state and offsets are the same.
    pub fn fork_to(&self, dir: &Path) -> Result<Self, LogError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let active = self.active_ref().base_offset;
        let mut segments = BTreeMap::new();
        for (base, seg) in &self.segments {
            segments.insert(*base, seg.fork_to(dir, *base != active)?);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            config: self.config.clone(),
            segments,
            log_start_offset: self.log_start_offset,
            epochs: self.epochs.clone(),
            unflushed_records: self.unflushed_records,
            last_flush_ms: self.last_flush_ms,
            tail: self.tail.clone(),
            txns: self.txns.clone(),
        })
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

    /// fsyncs the active segment and writes pending index entries.
    pub fn flush(&mut self) -> Result<(), LogError> {
        self.unflushed_records = 0;
        self.active().flush()
    }

    /// Takes a topic's changed configs (`segment.bytes`, retention): they apply from the next
    /// roll and the next retention check, as in Kafka.
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
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

    /// Base offsets of the segments, oldest first (the files' 20-digit names).
    pub fn segment_base_offsets(&self) -> impl DoubleEndedIterator<Item = i64> + '_ {
        self.segments.keys().copied()
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
