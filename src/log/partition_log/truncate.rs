//! Truncation at batch boundaries, as a follower does to match its leader (KIP-101).

use super::PartitionLog;
use crate::log::error::LogError;

impl PartitionLog {
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
            // The segment left last becomes the active one, written in place from now on: a
            // fork may share its files, so they become this log's own first.
            seg.make_private()?;
            removed += seg.truncate_to(offset)?;
        }
        let leo = self.log_end_offset();
        self.epochs.retain(|(_, start)| *start < leo);
        if leo < self.log_start_offset {
            self.log_start_offset = leo;
        }
        if !self.txns.is_empty() {
            // A cut tail may hold transactional batches or markers: derive the state again.
            self.rebuild_txns()?;
        }
        Ok(removed)
    }
}
