//! I/O failures inside notes as codes: the cluster (and the wire listener) cannot reach the
//! catalogue, so a storage or bind error travels as what went wrong and where; `text::io` says it
//! in the chosen language. `Display` is the English sentence the lab always printed (the OS's own
//! words for an I/O error), which `--json` keeps.

use crate::cluster::types::BrokerId;
use crate::log::error::LogError;
use std::fmt;

/// What went wrong, as far as a reader needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// No such file or directory.
    NotFound,
    /// Permission denied.
    PermissionDenied,
    /// The file already exists.
    AlreadyExists,
    /// The disk is full.
    StorageFull,
    /// The file system is read-only.
    ReadOnly,
    /// A directory where a file was expected.
    IsADirectory,
    /// A file where a directory was expected.
    NotADirectory,
    /// The file ended too early.
    UnexpectedEof,
    /// The address is taken (another process listens there).
    AddrInUse,
    /// The address is not this machine's.
    AddrNotAvailable,
    /// A record batch failed its checks (length, magic or CRC-32C) at this offset.
    CorruptBatch {
        /// The batch's offset.
        offset: i64,
    },
    /// A read outside [log start, LEO].
    OutOfRange {
        /// Requested.
        offset: i64,
        /// Log start offset.
        start: i64,
        /// LEO.
        end: i64,
    },
    /// A follower append that did not start at the LEO.
    OffsetMismatch {
        /// The LEO.
        expected: i64,
        /// Where the append started.
        got: i64,
    },
    /// Records could not be encoded.
    Encode,
    /// Anything else, with the OS's error number when there is one.
    Other {
        /// `errno`.
        os: Option<i32>,
    },
}

impl IoKind {
    /// The kind of an OS error.
    pub fn of(e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Self::NotFound,
            K::PermissionDenied => Self::PermissionDenied,
            K::AlreadyExists => Self::AlreadyExists,
            K::StorageFull => Self::StorageFull,
            K::ReadOnlyFilesystem => Self::ReadOnly,
            K::IsADirectory => Self::IsADirectory,
            K::NotADirectory => Self::NotADirectory,
            K::UnexpectedEof => Self::UnexpectedEof,
            K::AddrInUse => Self::AddrInUse,
            K::AddrNotAvailable => Self::AddrNotAvailable,
            _ => Self::Other {
                os: e.raw_os_error(),
            },
        }
    }
}

/// An I/O failure in a note: the English sentence, where it happened and what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct IoDetail {
    /// The English sentence, as the lab always printed it.
    pub english: String,
    /// The file, directory or address, when there is one.
    pub place: Option<String>,
    /// What went wrong.
    pub kind: IoKind,
}

impl From<&LogError> for IoDetail {
    fn from(e: &LogError) -> Self {
        let (place, kind) = match e {
            LogError::Io { path, source } => (Some(path.display().to_string()), IoKind::of(source)),
            LogError::CorruptBatch { path, offset, .. } => (
                Some(path.display().to_string()),
                IoKind::CorruptBatch { offset: *offset },
            ),
            LogError::OffsetOutOfRange {
                offset,
                log_start_offset,
                log_end_offset,
            } => (
                None,
                IoKind::OutOfRange {
                    offset: *offset,
                    start: *log_start_offset,
                    end: *log_end_offset,
                },
            ),
            LogError::OffsetMismatch { expected, got } => (
                None,
                IoKind::OffsetMismatch {
                    expected: *expected,
                    got: *got,
                },
            ),
            LogError::Encode(_) => (None, IoKind::Encode),
        };
        Self {
            english: e.to_string(),
            place,
            kind,
        }
    }
}

impl fmt::Display for IoDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

/// Why the Kafka wire listener could not start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ListenerError {
    /// `--port` plus the broker's number is above 65535.
    #[error("port {port} for broker {broker} is out of range; pick a lower --port")]
    PortOutOfRange {
        /// The port asked for.
        port: i64,
        /// The broker it was for.
        broker: BrokerId,
    },
    /// The OS refused the address.
    #[error(
        "cannot listen on {addr} for broker {broker}: {io}; pick another base port with --port, or run without the wire listener with --no-listen"
    )]
    CannotListen {
        /// `host:port`.
        addr: String,
        /// The broker it was for.
        broker: BrokerId,
        /// The OS's answer.
        io: IoDetail,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_error_keeps_its_english_and_says_where_and_what() {
        let e = LogError::Io {
            path: "/kafka-lab/test-0/00000000000000000000.log".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let d = IoDetail::from(&e);
        assert_eq!(d.to_string(), e.to_string());
        assert_eq!(d.kind, IoKind::PermissionDenied);
        assert_eq!(
            d.place.as_deref(),
            Some("/kafka-lab/test-0/00000000000000000000.log")
        );
        let other = std::io::Error::from_raw_os_error(5);
        assert_eq!(IoKind::of(&other), IoKind::Other { os: Some(5) });
    }
}
