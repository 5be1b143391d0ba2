//! One segment: a `.log` file of record batches plus its `.index` and `.timeindex`.

use super::batch::{self, BatchHeader};
use super::error::{LogError, io_err};
use super::index::{self, OffsetEntry, TimeEntry};
use super::shared_files;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The file name stem of a segment: its base offset in 20 digits, as Kafka names them.
pub fn file_stem(base_offset: i64) -> String {
    format!("{base_offset:020}")
}

/// One segment of a partition log.
#[derive(Debug)]
pub struct Segment {
    /// First offset this segment may hold.
    pub base_offset: i64,
    /// One past the last offset it holds (= base when empty).
    pub next_offset: i64,
    /// Bytes in the `.log` file.
    pub size: u64,
    /// Largest record timestamp (-1 when empty).
    pub max_timestamp: i64,
    /// When the segment was created (simulated ms), for `segment.ms`.
    pub created_ms: i64,
    log_path: PathBuf,
    index_path: PathBuf,
    time_index_path: PathBuf,
    file: File,
    offsets: Vec<OffsetEntry>,
    times: Vec<TimeEntry>,
    /// Index bytes not yet written to the index files (written in bulk: one write per many batches).
    pending_offsets: usize,
    pending_times: usize,
    bytes_since_index: u64,
    index_interval_bytes: u32,
}

impl Segment {
    /// Paths of a segment's three files.
    pub fn paths(dir: &Path, base_offset: i64) -> (PathBuf, PathBuf, PathBuf) {
        let stem = file_stem(base_offset);
        (
            dir.join(format!("{stem}.log")),
            dir.join(format!("{stem}.index")),
            dir.join(format!("{stem}.timeindex")),
        )
    }

    /// Creates an empty segment.
    pub fn create(
        dir: &Path,
        base_offset: i64,
        index_interval_bytes: u32,
        now_ms: i64,
    ) -> Result<Self, LogError> {
        let (log_path, index_path, time_index_path) = Self::paths(dir, base_offset);
        // A stale file of that name may be linked into a fork: unlink it rather than truncate
        // the inode the fork reads.
        for p in [&log_path, &index_path, &time_index_path] {
            let _ = std::fs::remove_file(p);
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&log_path)
            .map_err(io_err(&log_path))?;
        std::fs::write(&index_path, []).map_err(io_err(&index_path))?;
        std::fs::write(&time_index_path, []).map_err(io_err(&time_index_path))?;
        Ok(Self {
            base_offset,
            next_offset: base_offset,
            size: 0,
            max_timestamp: -1,
            created_ms: now_ms,
            log_path,
            index_path,
            time_index_path,
            file,
            offsets: Vec::new(),
            times: Vec::new(),
            pending_offsets: 0,
            pending_times: 0,
            bytes_since_index: 0,
            index_interval_bytes,
        })
    }

    /// Opens an existing segment, validating every batch and rebuilding its indexes from the scan.
    ///
    /// Returns the segment (truncated at the first invalid batch), the bytes dropped, the records
    /// the dropped region's readable headers claimed, and whether an index file had to be rewritten.
    pub fn recover(
        dir: &Path,
        base_offset: i64,
        index_interval_bytes: u32,
        now_ms: i64,
    ) -> Result<(Self, u64, i64, bool), LogError> {
        let (log_path, index_path, time_index_path) = Self::paths(dir, base_offset);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&log_path)
            .map_err(io_err(&log_path))?;
        let data = std::fs::read(&log_path).map_err(io_err(&log_path))?;
        let mut seg = Self {
            base_offset,
            next_offset: base_offset,
            size: 0,
            max_timestamp: -1,
            created_ms: now_ms,
            log_path: log_path.clone(),
            index_path: index_path.clone(),
            time_index_path: time_index_path.clone(),
            file,
            offsets: Vec::new(),
            times: Vec::new(),
            pending_offsets: 0,
            pending_times: 0,
            bytes_since_index: 0,
            index_interval_bytes,
        };
        let mut pos = 0usize;
        let mut expected = base_offset;
        while pos < data.len() {
            match batch::validate(&data[pos..]) {
                // Offsets must continue where the previous batch ended, starting at the segment's
                // base offset: the base offset is outside the batch CRC, so this is how damage
                // to it shows.
                Ok(h) if h.base_offset == expected => {
                    seg.note_batch(pos as u64, &h);
                    expected = h.last_offset + 1;
                    pos += h.total_len;
                }
                _ => break,
            }
        }
        seg.size = pos as u64;
        let dropped_bytes = (data.len() - pos) as u64;
        let mut dropped_records = 0i64;
        if dropped_bytes > 0 {
            // Best effort: count the records of whatever intact batches follow the damage.
            let mut p = pos;
            while p < data.len() {
                match batch::parse_header(&data[p..]) {
                    Ok(h) if p + h.total_len <= data.len() => {
                        dropped_records += h.record_count as i64;
                        p += h.total_len;
                    }
                    _ => break,
                }
            }
            seg.make_log_private()?;
            seg.file.set_len(pos as u64).map_err(io_err(&log_path))?;
        }
        // The index is derived data: compare with what is on disk and rewrite it when it differs
        // (missing, torn, or pointing at the wrong places).
        let want_offsets = index::encode_offsets(&seg.offsets);
        let want_times = index::encode_times(&seg.times);
        let have_offsets = std::fs::read(&index_path).ok();
        let have_times = std::fs::read(&time_index_path).ok();
        let mut rebuilt = false;
        if have_offsets.as_deref() != Some(&want_offsets[..]) {
            shared_files::replace(&index_path, &want_offsets)?;
            rebuilt = true;
        }
        if have_times.as_deref() != Some(&want_times[..]) {
            shared_files::replace(&time_index_path, &want_times)?;
            rebuilt = true;
        }
        Ok((seg, dropped_bytes, dropped_records, rebuilt))
    }

    /// Records a batch at `position` in the in-memory indexes.
    fn note_batch(&mut self, position: u64, h: &BatchHeader) {
        if self.offsets.is_empty() || self.bytes_since_index >= self.index_interval_bytes as u64 {
            self.offsets.push(OffsetEntry {
                relative_offset: (h.base_offset - self.base_offset) as u32,
                position: position as u32,
            });
            self.pending_offsets += 1;
            if h.max_timestamp > self.times.last().map_or(-1, |t| t.timestamp) {
                self.times.push(TimeEntry {
                    timestamp: h.max_timestamp,
                    relative_offset: (h.base_offset - self.base_offset) as u32,
                });
                self.pending_times += 1;
            }
            self.bytes_since_index = 0;
        }
        self.bytes_since_index += h.total_len as u64;
        self.next_offset = h.last_offset + 1;
        self.max_timestamp = self.max_timestamp.max(h.max_timestamp);
    }

    /// Appends validated batches (offsets already assigned) with one write.
    pub fn append(
        &mut self,
        bytes: &[u8],
        headers: &[(usize, BatchHeader)],
    ) -> Result<(), LogError> {
        let start = self.size;
        self.file
            .write_all_at(bytes, start)
            .map_err(io_err(&self.log_path))?;
        for (pos, h) in headers {
            self.note_batch(start + *pos as u64, h);
        }
        self.size += bytes.len() as u64;
        if self.pending_offsets >= 512 {
            self.write_indexes()?;
        }
        Ok(())
    }

    /// Writes index entries not yet on disk.
    pub fn write_indexes(&mut self) -> Result<(), LogError> {
        if self.pending_offsets > 0 {
            let from = self.offsets.len() - self.pending_offsets;
            let bytes = index::encode_offsets(&self.offsets[from..]);
            let mut f = OpenOptions::new()
                .append(true)
                .open(&self.index_path)
                .map_err(io_err(&self.index_path))?;
            f.write_all(&bytes).map_err(io_err(&self.index_path))?;
            self.pending_offsets = 0;
        }
        if self.pending_times > 0 {
            let from = self.times.len() - self.pending_times;
            let bytes = index::encode_times(&self.times[from..]);
            let mut f = OpenOptions::new()
                .append(true)
                .open(&self.time_index_path)
                .map_err(io_err(&self.time_index_path))?;
            f.write_all(&bytes).map_err(io_err(&self.time_index_path))?;
            self.pending_times = 0;
        }
        Ok(())
    }

    /// fsyncs the log file (and writes pending index entries).
    pub fn flush(&mut self) -> Result<(), LogError> {
        self.write_indexes()?;
        self.file.sync_data().map_err(io_err(&self.log_path))
    }

    /// Reads `len` bytes at `pos`.
    pub fn read_at(&self, pos: u64, len: usize) -> Result<Vec<u8>, LogError> {
        let len = len.min(self.size.saturating_sub(pos) as usize);
        let mut buf = vec![0u8; len];
        self.file
            .read_exact_at(&mut buf, pos)
            .map_err(io_err(&self.log_path))?;
        Ok(buf)
    }

    /// The file position from which to scan for `offset` (the sparse index's floor entry).
    pub fn scan_start(&self, offset: i64) -> u64 {
        let rel = (offset - self.base_offset).clamp(0, u32::MAX as i64) as u32;
        index::floor_entry(&self.offsets, rel).map_or(0, |e| e.position as u64)
    }

    /// The header of the batch at `pos`, validated lightly (length and magic).
    pub fn header_at(&self, pos: u64) -> Result<Option<BatchHeader>, LogError> {
        if pos >= self.size {
            return Ok(None);
        }
        let head = self.read_at(pos, batch::HEADER_LEN)?;
        match batch::parse_header(&head) {
            Ok(h) => Ok(Some(h)),
            Err(p) => Err(LogError::CorruptBatch {
                path: self.log_path.clone(),
                offset: self.base_offset,
                reason: p.to_string(),
            }),
        }
    }

    /// Cuts the segment so it ends before the batch holding `offset`; returns records removed.
    pub fn truncate_to(&mut self, offset: i64) -> Result<i64, LogError> {
        let mut pos = self.scan_start(offset);
        let mut removed = 0;
        let mut cut = None;
        while let Some(h) = self.header_at(pos)? {
            if h.last_offset >= offset && cut.is_none() {
                cut = Some((pos, h.base_offset));
            }
            if cut.is_some() {
                removed += h.record_count as i64;
            }
            pos += h.total_len as u64;
        }
        if let Some((pos, base)) = cut {
            self.make_log_private()?;
            self.file.set_len(pos).map_err(io_err(&self.log_path))?;
            self.size = pos;
            self.next_offset = base;
            let rel = (base - self.base_offset) as u32;
            self.write_indexes()?;
            self.offsets.retain(|e| e.relative_offset < rel);
            self.times.retain(|e| e.relative_offset < rel);
            shared_files::replace(&self.index_path, &index::encode_offsets(&self.offsets))?;
            shared_files::replace(&self.time_index_path, &index::encode_times(&self.times))?;
            self.max_timestamp = self.times.last().map_or(-1, |t| t.timestamp);
            self.bytes_since_index = self.index_interval_bytes as u64;
        }
        Ok(removed)
    }

    /// Makes the `.log` file this segment's own before it is cut or appended to (a fork may
    /// share it by a hard link), reopening it when it was copied.
    fn make_log_private(&mut self) -> Result<(), LogError> {
        if shared_files::make_private(&self.log_path)? {
            self.file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&self.log_path)
                .map_err(io_err(&self.log_path))?;
        }
        Ok(())
    }

    /// Makes every file of the segment its own: the active segment is written in place (appends,
    /// index entries, `.txnindex` entries), so it is never shared with a fork.
    pub fn make_private(&mut self) -> Result<(), LogError> {
        self.make_log_private()?;
        let dir = self.log_path.parent().unwrap_or(Path::new("."));
        let txn_path = super::txn_index::path(dir, self.base_offset);
        for p in [&self.index_path, &self.time_index_path, &txn_path] {
            shared_files::make_private(p)?;
        }
        Ok(())
    }

    /// This segment in `dir`, for a forked log: a sealed segment's files are hard-linked
    /// (`share`), the active one's copied, with its index files written whole from memory (so
    /// entries not yet written need no flush of the original).
    pub fn fork_to(&self, dir: &Path, share: bool) -> Result<Self, LogError> {
        let (log_path, index_path, time_index_path) = Self::paths(dir, self.base_offset);
        let from_dir = self.log_path.parent().unwrap_or(Path::new("."));
        let txn_from = super::txn_index::path(from_dir, self.base_offset);
        let txn_to = super::txn_index::path(dir, self.base_offset);
        let share = share && self.pending_offsets == 0 && self.pending_times == 0;
        if share {
            shared_files::link_or_copy(&self.log_path, &log_path)?;
            shared_files::link_or_copy(&self.index_path, &index_path)?;
            shared_files::link_or_copy(&self.time_index_path, &time_index_path)?;
            shared_files::link_or_copy(&txn_from, &txn_to)?;
        } else {
            shared_files::copy(&self.log_path, &log_path)?;
            std::fs::write(&index_path, index::encode_offsets(&self.offsets))
                .map_err(io_err(&index_path))?;
            std::fs::write(&time_index_path, index::encode_times(&self.times))
                .map_err(io_err(&time_index_path))?;
            shared_files::copy(&txn_from, &txn_to)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&log_path)
            .map_err(io_err(&log_path))?;
        Ok(Self {
            base_offset: self.base_offset,
            next_offset: self.next_offset,
            size: self.size,
            max_timestamp: self.max_timestamp,
            created_ms: self.created_ms,
            log_path,
            index_path,
            time_index_path,
            file,
            offsets: self.offsets.clone(),
            times: self.times.clone(),
            pending_offsets: 0,
            pending_times: 0,
            bytes_since_index: self.bytes_since_index,
            index_interval_bytes: self.index_interval_bytes,
        })
    }

    /// Deletes the segment's files.
    pub fn delete(self) -> Result<(), LogError> {
        let dir = self.log_path.parent().unwrap_or(Path::new("."));
        let txn_path = super::txn_index::path(dir, self.base_offset);
        for p in [
            &self.log_path,
            &self.index_path,
            &self.time_index_path,
            &txn_path,
        ] {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(p)(e)),
            }
        }
        Ok(())
    }

    /// The `.log` file path.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Time-index entries (for lookups by timestamp).
    pub fn time_entries(&self) -> &[TimeEntry] {
        &self.times
    }
}
