//! Sparse indexes beside each segment: `.index` (relative offset → file position) and
//! `.timeindex` (timestamp → relative offset), as fixed-size big-endian entries like Kafka's.

/// Bytes of one `.index` entry: relative offset u32 + position u32.
pub const OFFSET_ENTRY_LEN: usize = 8;
/// Bytes of one `.timeindex` entry: timestamp i64 + relative offset u32.
pub const TIME_ENTRY_LEN: usize = 12;

/// One offset-index entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetEntry {
    /// Offset minus the segment's base offset.
    pub relative_offset: u32,
    /// Byte position of the batch in the segment file.
    pub position: u32,
}

/// One time-index entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeEntry {
    /// Largest timestamp seen up to this batch.
    pub timestamp: i64,
    /// Offset minus the segment's base offset.
    pub relative_offset: u32,
}

/// Encodes offset entries as they are stored.
pub fn encode_offsets(entries: &[OffsetEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * OFFSET_ENTRY_LEN);
    for e in entries {
        out.extend_from_slice(&e.relative_offset.to_be_bytes());
        out.extend_from_slice(&e.position.to_be_bytes());
    }
    out
}

/// Encodes time entries as they are stored.
pub fn encode_times(entries: &[TimeEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * TIME_ENTRY_LEN);
    for e in entries {
        out.extend_from_slice(&e.timestamp.to_be_bytes());
        out.extend_from_slice(&e.relative_offset.to_be_bytes());
    }
    out
}

/// The entry with the largest relative offset ≤ `relative` (binary search), if any.
pub fn floor_entry(entries: &[OffsetEntry], relative: u32) -> Option<OffsetEntry> {
    let i = entries.partition_point(|e| e.relative_offset <= relative);
    i.checked_sub(1).map(|i| entries[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_finds_the_nearest_lower_entry() {
        let e = [
            OffsetEntry {
                relative_offset: 0,
                position: 0,
            },
            OffsetEntry {
                relative_offset: 10,
                position: 400,
            },
            OffsetEntry {
                relative_offset: 20,
                position: 800,
            },
        ];
        assert_eq!(floor_entry(&e, 15).unwrap().position, 400);
        assert_eq!(floor_entry(&e, 20).unwrap().position, 800);
        assert_eq!(floor_entry(&e, 0).unwrap().position, 0);
        assert_eq!(floor_entry(&[], 3), None);
    }

    #[test]
    fn encodings_have_fixed_sizes() {
        let e = [OffsetEntry {
            relative_offset: 1,
            position: 2,
        }];
        assert_eq!(encode_offsets(&e), vec![0, 0, 0, 1, 0, 0, 0, 2]);
        let t = [TimeEntry {
            timestamp: 5,
            relative_offset: 1,
        }];
        assert_eq!(encode_times(&t).len(), TIME_ENTRY_LEN);
    }
}
