//! Kafka-style partition logs on disk: segments, offset and time indexes, recovery.
//!
//! One directory per replica holds segments named by their 20-digit base offset
//! (`00000000000000000000.log`) with a sparse `.index`, a `.timeindex` and, once a transaction aborts in it, a `.txnindex`
//! beside each. Records are
//! Kafka v2 record batches, byte for byte, so the same bytes can be served to real clients.

pub mod batch;
pub mod bench;
pub mod config;
pub mod error;
pub mod index;
pub mod partition_log;
pub mod segment;
pub mod shared_files;
pub mod tail_cache;
pub mod txn_index;

pub use config::LogConfig;
pub use error::LogError;
pub use partition_log::{AppendInfo, FetchedBatches, PartitionLog, RecoveryReport};
