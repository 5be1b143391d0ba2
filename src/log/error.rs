//! `LogError`: what can go wrong with a partition log, always naming the file.

use std::path::PathBuf;
use thiserror::Error;

/// A partition-log failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LogError {
    /// A file operation failed (full disk, permissions, a file where a dir should be...).
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A batch failed validation (length, magic or CRC-32C); it is never served.
    #[error("{path}: corrupt record batch at offset {offset}: {reason}")]
    CorruptBatch {
        /// The file (or `<input>` for producer data).
        path: PathBuf,
        /// Offset (or input position) of the batch.
        offset: i64,
        /// What was wrong.
        reason: String,
    },
    /// A read asked for an offset outside [log start, LEO].
    #[error("offset {offset} out of range [{log_start_offset}, {log_end_offset}]")]
    OffsetOutOfRange {
        /// Requested.
        offset: i64,
        /// Log start offset.
        log_start_offset: i64,
        /// Log end offset.
        log_end_offset: i64,
    },
    /// A follower append did not start at the LEO.
    #[error("follower append at {got} but log end offset is {expected}")]
    OffsetMismatch {
        /// LEO.
        expected: i64,
        /// First base offset given.
        got: i64,
    },
    /// Records could not be encoded.
    #[error("cannot encode records: {0}")]
    Encode(String),
}

/// Attaches a path to an I/O error.
pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> LogError {
    let path = path.into();
    move |source| LogError::Io { path, source }
}
