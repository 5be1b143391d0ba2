//! Housekeeping over time and size: rolling the active segment, deleting old segments by
//! `retention.bytes` / `retention.ms`, and the `segment.ms` / `flush.ms` timers.

use super::PartitionLog;
use crate::log::error::LogError;
use crate::log::segment::Segment;

impl PartitionLog {
    /// Rolls first when `incoming` bytes would overflow `segment.bytes` or the active segment is
    /// older than `segment.ms`; returns the new segment's base offset.
    pub(super) fn maybe_roll(
        &mut self,
        incoming: usize,
        now_ms: i64,
    ) -> Result<Option<i64>, LogError> {
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
                self.txns.drop_segment(base);
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
}
