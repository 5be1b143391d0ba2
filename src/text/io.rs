//! I/O failures in the chosen language: a storage error inside a note, or why the wire listener
//! could not start (`cluster::event::IoDetail`, `ListenerError`), said from `[io]`. English is
//! the code's own sentence, word for word as the OS gave it.

use super::{Lang, fill, lang, text_in};
use crate::cluster::event::{IoDetail, IoKind, ListenerError};
use crate::lab::live::ListenerStatus;

/// What went wrong, in `lang` (no place).
pub(super) fn kind_in(lang: Lang, kind: &IoKind) -> String {
    let n = |v: &i64| v.to_string();
    let (key, args): (&'static str, Vec<(&str, String)>) = match kind {
        IoKind::NotFound => ("io.not_found", vec![]),
        IoKind::PermissionDenied => ("io.permission_denied", vec![]),
        IoKind::AlreadyExists => ("io.already_exists", vec![]),
        IoKind::StorageFull => ("io.storage_full", vec![]),
        IoKind::ReadOnly => ("io.read_only", vec![]),
        IoKind::IsADirectory => ("io.is_a_directory", vec![]),
        IoKind::NotADirectory => ("io.not_a_directory", vec![]),
        IoKind::UnexpectedEof => ("io.unexpected_eof", vec![]),
        IoKind::AddrInUse => ("io.addr_in_use", vec![]),
        IoKind::AddrNotAvailable => ("io.addr_not_available", vec![]),
        IoKind::CorruptBatch { offset } => ("io.corrupt_batch", vec![("offset", n(offset))]),
        IoKind::OutOfRange { offset, start, end } => (
            "io.out_of_range",
            vec![("offset", n(offset)), ("start", n(start)), ("end", n(end))],
        ),
        IoKind::OffsetMismatch { expected, got } => (
            "io.offset_mismatch",
            vec![("expected", n(expected)), ("got", n(got))],
        ),
        IoKind::Encode => ("io.encode", vec![]),
        IoKind::Other { os: None } => ("io.other", vec![]),
        IoKind::Other { os: Some(code) } => ("io.other_os", vec![("code", code.to_string())]),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(text_in(lang, key), &args)
}

/// A storage or socket error in `lang`; English is the sentence as the lab always printed it.
pub fn io_detail_in(lang: Lang, d: &IoDetail) -> String {
    if lang == Lang::En {
        return d.english.clone();
    }
    let what = kind_in(lang, &d.kind);
    match &d.place {
        Some(place) => fill(
            text_in(lang, "io.at_place"),
            &[("place", place), ("what", &what)],
        ),
        None => what,
    }
}

/// Why the wire listener could not start, in `lang`.
pub fn listener_error_in(lang: Lang, e: &ListenerError) -> String {
    match e {
        ListenerError::PortOutOfRange { port, broker } => fill(
            text_in(lang, "io.port_out_of_range"),
            &[("port", &port.to_string()), ("broker", &broker.to_string())],
        ),
        ListenerError::CannotListen { addr, broker, io } => fill(
            text_in(lang, "io.cannot_listen"),
            &[
                ("addr", addr),
                ("broker", &broker.to_string()),
                ("io", &io_detail_in(lang, io)),
            ],
        ),
    }
}

/// Why the wire listener could not start, in the language in force.
pub fn listener_error(e: &ListenerError) -> String {
    listener_error_in(lang(), e)
}

/// Where the wire listener runs, or why it does not, in `lang`.
pub fn listener_status_in(lang: Lang, s: &ListenerStatus) -> String {
    match s {
        ListenerStatus::On {
            bind,
            first_port,
            last_port,
            host,
            port,
            security,
        } => fill(
            text_in(lang, "io.listening"),
            &[
                ("security", security.name()),
                ("bind", bind),
                ("first", &first_port.to_string()),
                ("last", &last_port.to_string()),
                ("host", host),
                ("port", &port.to_string()),
            ],
        ),
        ListenerStatus::Off(error) => super::note::note_in(
            lang,
            &crate::cluster::event::NoteText::ListenerOff {
                error: error.clone(),
            },
        ),
    }
}

/// Where the wire listener runs, or why it does not, in the language in force.
pub fn listener_status(s: &ListenerStatus) -> String {
    listener_status_in(lang(), s)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::log::error::LogError;

    /// A storage error of each kind a note can carry, as the cluster builds them.
    pub(crate) fn io_details() -> Vec<IoDetail> {
        let path = "/kafka-lab/test-0/00000000000000000000.log";
        let io = |kind: std::io::ErrorKind| LogError::Io {
            path: path.into(),
            source: std::io::Error::from(kind),
        };
        let errors = [
            io(std::io::ErrorKind::PermissionDenied),
            io(std::io::ErrorKind::StorageFull),
            LogError::OffsetMismatch {
                expected: 10,
                got: 12,
            },
            LogError::CorruptBatch {
                path: path.into(),
                offset: 7,
                reason: "CRC mismatch".into(),
            },
            LogError::Io {
                path: path.into(),
                source: std::io::Error::from_raw_os_error(5),
            },
            io(std::io::ErrorKind::NotFound),
            io(std::io::ErrorKind::AlreadyExists),
            io(std::io::ErrorKind::ReadOnlyFilesystem),
            io(std::io::ErrorKind::IsADirectory),
            io(std::io::ErrorKind::NotADirectory),
            io(std::io::ErrorKind::UnexpectedEof),
            io(std::io::ErrorKind::Other),
            LogError::OffsetOutOfRange {
                offset: 3,
                log_start_offset: 5,
                log_end_offset: 9,
            },
            LogError::Encode("too large".into()),
        ];
        errors.iter().map(IoDetail::from).collect()
    }

    /// Both ways the wire listener fails to start.
    pub(crate) fn listener_errors() -> Vec<ListenerError> {
        let io = |kind: std::io::ErrorKind| {
            let e = std::io::Error::from(kind);
            IoDetail {
                english: e.to_string(),
                place: None,
                kind: IoKind::of(&e),
            }
        };
        vec![
            ListenerError::PortOutOfRange {
                port: 65_536,
                broker: 3,
            },
            ListenerError::CannotListen {
                addr: "127.0.0.1:9092".into(),
                broker: 1,
                io: io(std::io::ErrorKind::AddrInUse),
            },
            ListenerError::CannotListen {
                addr: "10.9.9.9:9092".into(),
                broker: 1,
                io: io(std::io::ErrorKind::AddrNotAvailable),
            },
        ]
    }

    #[test]
    fn english_is_the_sentence_the_lab_always_printed() {
        for d in io_details() {
            assert_eq!(io_detail_in(Lang::En, &d), d.english);
        }
        for e in listener_errors() {
            assert_eq!(listener_error_in(Lang::En, &e), e.to_string());
            let off = ListenerStatus::Off(e);
            assert_eq!(listener_status_in(Lang::En, &off), off.to_string());
        }
        let on = listening();
        assert_eq!(listener_status_in(Lang::En, &on), on.to_string());
    }

    fn listening() -> ListenerStatus {
        ListenerStatus::On {
            bind: "127.0.0.1".into(),
            first_port: 9092,
            last_port: 9094,
            host: "127.0.0.1".into(),
            port: 9092,
            security: crate::protocol::security::SecurityProtocol::SaslSsl,
        }
    }

    #[test]
    fn every_io_failure_reads_in_chinese_naming_the_file() {
        for d in io_details() {
            let line = io_detail_in(Lang::Zh, &d);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
            if let Some(place) = &d.place {
                assert!(line.starts_with(place.as_str()), "{line}");
            }
        }
        let full = io_detail_in(Lang::Zh, &io_details()[1]);
        assert!(full.ends_with("磁盘已满"), "{full}");
        for e in listener_errors() {
            let line = listener_error_in(Lang::Zh, &e);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
            let off = listener_status_in(Lang::Zh, &ListenerStatus::Off(e));
            crate::text::tests::assert_chinese(&off);
        }
        let on = listener_status_in(Lang::Zh, &listening());
        assert!(on.contains("bootstrap_servers='127.0.0.1:9092'"), "{on}");
        assert!(on.contains("SASL_SSL"), "{on}");
        crate::text::tests::assert_chinese(&on);
    }
}
