//! `LogConfig`: per-log settings with Kafka's names.

/// Settings of one partition log.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogConfig {
    /// `segment.bytes`: roll a new segment past this size (lab default 1 MiB so rolls are visible).
    pub segment_bytes: u64,
    /// `segment.ms`: roll a segment this old.
    pub segment_ms: i64,
    /// `retention.bytes`: delete old segments while the log is larger (-1 = unlimited).
    pub retention_bytes: i64,
    /// `retention.ms`: delete segments whose newest record is older (-1 = unlimited).
    pub retention_ms: i64,
    /// `index.interval.bytes`: one sparse index entry per this many bytes appended.
    pub index_interval_bytes: u32,
    /// `flush.messages`: fsync after this many records (None = leave it to the OS and replication).
    pub flush_messages: Option<u64>,
    /// `flush.ms`: fsync this often (None = leave it to the OS and replication).
    pub flush_ms: Option<i64>,
    /// Bytes of the newest batches kept in memory for tail fetches (the lab's page cache; 0 = off).
    pub tail_cache_bytes: usize,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            segment_bytes: 1 << 20,
            segment_ms: 7 * 24 * 3_600_000,
            retention_bytes: -1,
            retention_ms: 7 * 24 * 3_600_000,
            index_interval_bytes: 4096,
            flush_messages: None,
            flush_ms: None,
            tail_cache_bytes: 1 << 20,
        }
    }
}
