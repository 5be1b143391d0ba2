//! `TailCache`: the newest batches of a log kept in memory, so that fetches at the tail — followers
//! replicating, consumers keeping up — are served without a system call, the way Kafka's leaders
//! serve them from the OS page cache. It only ever holds bytes this log wrote, in offset order and
//! without gaps, and is bounded in bytes.

use super::batch::BatchHeader;
use bytes::{Bytes, BytesMut};
use std::collections::VecDeque;

/// One cached batch.
#[derive(Clone, Debug)]
struct Cached {
    base_offset: i64,
    last_offset: i64,
    bytes: Bytes,
}

/// The newest batches of one log, contiguous in offsets.
#[derive(Clone, Debug, Default)]
pub struct TailCache {
    batches: VecDeque<Cached>,
    bytes: usize,
    capacity: usize,
}

/// What a cache hit returns: the batches' bytes and the offsets they cover.
#[derive(Debug, PartialEq, Eq)]
pub struct CachedRead {
    /// Concatenated whole batches.
    pub bytes: Bytes,
    /// Base offset of the first batch.
    pub first_offset: i64,
    /// Offset after the last batch.
    pub next_offset: i64,
}

impl TailCache {
    /// An empty cache holding at most `capacity` bytes (0 turns it off).
    pub fn new(capacity: usize) -> Self {
        Self {
            batches: VecDeque::new(),
            bytes: 0,
            capacity,
        }
    }

    /// Remembers batches just written: `bytes` holds them whole, `headers` gives each one's
    /// position in `bytes`. A gap to what is cached (after recovery, say) restarts the cache.
    pub fn push(&mut self, bytes: &Bytes, headers: &[(usize, BatchHeader)]) {
        if self.capacity == 0 {
            return;
        }
        for (pos, h) in headers {
            if self
                .batches
                .back()
                .is_some_and(|b| b.last_offset + 1 != h.base_offset)
            {
                self.clear();
            }
            self.bytes += h.total_len;
            self.batches.push_back(Cached {
                base_offset: h.base_offset,
                last_offset: h.last_offset,
                bytes: bytes.slice(*pos..*pos + h.total_len),
            });
        }
        while self.bytes > self.capacity {
            match self.batches.pop_front() {
                Some(b) => self.bytes -= b.bytes.len(),
                None => break,
            }
        }
    }

    /// Forgets every batch holding an offset ≥ `offset` (the log was truncated there).
    pub fn truncate_from(&mut self, offset: i64) {
        while self.batches.back().is_some_and(|b| b.last_offset >= offset) {
            if let Some(b) = self.batches.pop_back() {
                self.bytes -= b.bytes.len();
            }
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.batches.clear();
        self.bytes = 0;
    }

    /// Whole batches from the one holding `offset`, up to `max_bytes` (at least one), none
    /// starting at or after `upper_bound`; `None` when the cache does not reach back to `offset`.
    pub fn read(&self, offset: i64, max_bytes: usize, upper_bound: i64) -> Option<CachedRead> {
        let front = self.batches.front()?;
        if front.base_offset > offset || self.batches.back()?.last_offset < offset {
            return None;
        }
        let start = self.batches.partition_point(|b| b.last_offset < offset);
        let mut picked: Vec<&Cached> = Vec::new();
        let mut size = 0;
        for b in self.batches.range(start..) {
            if b.base_offset >= upper_bound || (size > 0 && size + b.bytes.len() > max_bytes) {
                break;
            }
            size += b.bytes.len();
            picked.push(b);
        }
        let (first, last) = (picked.first()?, picked.last()?);
        let bytes = if picked.len() == 1 {
            first.bytes.clone()
        } else {
            let mut out = BytesMut::with_capacity(size);
            for b in &picked {
                out.extend_from_slice(&b.bytes);
            }
            out.freeze()
        };
        Some(CachedRead {
            bytes,
            first_offset: first.base_offset,
            next_offset: last.last_offset + 1,
        })
    }

    /// Bytes held.
    pub fn len_bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(base: i64, last: i64, len: usize) -> BatchHeader {
        BatchHeader {
            base_offset: base,
            total_len: len,
            leader_epoch: 0,
            last_offset: last,
            max_timestamp: 0,
            base_timestamp: 0,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            record_count: (last - base + 1) as i32,
            attributes: 0,
        }
    }

    fn push(cache: &mut TailCache, base: i64, last: i64, len: usize) {
        let bytes = Bytes::from(vec![base as u8; len]);
        cache.push(&bytes, &[(0, header(base, last, len))]);
    }

    #[test]
    fn serves_whole_batches_from_the_one_holding_the_offset() {
        let mut c = TailCache::new(1000);
        push(&mut c, 0, 9, 100);
        push(&mut c, 10, 19, 100);
        push(&mut c, 20, 29, 100);
        let r = c.read(15, 1000, 30).unwrap();
        assert_eq!(
            (r.first_offset, r.next_offset, r.bytes.len()),
            (10, 30, 200)
        );
        let r = c.read(15, 150, 30).unwrap();
        assert_eq!(
            (r.first_offset, r.next_offset),
            (10, 20),
            "byte limit, at least one batch"
        );
        let r = c.read(0, 1000, 20).unwrap();
        assert_eq!(r.next_offset, 20, "upper bound excludes later batches");
        assert!(c.read(30, 1000, 40).is_none(), "beyond the tail");
    }

    #[test]
    fn evicts_oldest_beyond_capacity_and_misses_before_its_front() {
        let mut c = TailCache::new(250);
        push(&mut c, 0, 9, 100);
        push(&mut c, 10, 19, 100);
        push(&mut c, 20, 29, 100);
        assert_eq!(c.len_bytes(), 200);
        assert!(c.read(5, 1000, 30).is_none());
        assert_eq!(c.read(10, 1000, 30).unwrap().first_offset, 10);
    }

    #[test]
    fn truncation_and_gaps_drop_stale_batches() {
        let mut c = TailCache::new(1000);
        push(&mut c, 0, 9, 100);
        push(&mut c, 10, 19, 100);
        c.truncate_from(12);
        assert_eq!(c.len_bytes(), 100);
        assert!(c.read(10, 1000, 100).is_none());
        push(&mut c, 50, 59, 100);
        assert!(c.read(0, 1000, 100).is_none(), "a gap restarts the cache");
        assert_eq!(c.read(50, 1000, 100).unwrap().first_offset, 50);
    }
}
