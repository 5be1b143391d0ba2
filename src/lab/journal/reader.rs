//! Reading a journal back: the header must be this format and version; a last line without its
//! newline (a crash mid-write) is skipped, any other bad line is an error naming its number.

use super::format::{FORMAT, Header, Line, VERSION};
use std::path::Path;

/// A journal read back.
#[derive(Clone, Debug)]
pub struct Journal {
    /// What the run started from.
    pub header: Header,
    /// Its inputs in the order applied.
    pub lines: Vec<Line>,
    /// Whether a torn last line was skipped (the recording process died mid-write).
    pub torn_tail: bool,
}

/// Why a journal cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The file cannot be read.
    #[error("cannot read journal {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// The first line is not a kafka-lab journal header.
    #[error("not a kafka-lab journal: the first line is not a {FORMAT} header ({0})")]
    NotAJournal(String),
    /// Written by a format version this build does not read.
    #[error(
        "journal format version {found} (kafka-lab {by}); this kafka-lab reads version {VERSION}"
    )]
    Version {
        /// The version in the header.
        found: u32,
        /// The kafka-lab that wrote it.
        by: String,
    },
    /// A complete line that does not parse.
    #[error("journal line {line}: {error}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        error: String,
    },
    /// Times go backwards outside a lesson's start-over.
    #[error("journal line {line}: time {t} ms is before the previous line's {before} ms")]
    TimeBackwards {
        /// 1-based line number.
        line: usize,
        /// Its time.
        t: i64,
        /// The time before.
        before: i64,
    },
}

/// Reads the journal at `path`.
pub fn read(path: &Path) -> Result<Journal, JournalError> {
    let text = std::fs::read(path).map_err(|error| JournalError::Io {
        path: path.display().to_string(),
        error,
    })?;
    read_str(&String::from_utf8_lossy(&text))
}

/// Reads a journal from its text.
pub fn read_str(text: &str) -> Result<Journal, JournalError> {
    let complete = text.ends_with('\n');
    let raw: Vec<&str> = text.split_terminator('\n').collect();
    let Some(first) = raw.first() else {
        return Err(JournalError::NotAJournal("the file is empty".into()));
    };
    let probe: serde_json::Value =
        serde_json::from_str(first).map_err(|e| JournalError::NotAJournal(e.to_string()))?;
    if probe.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(JournalError::NotAJournal("no \"format\" field".into()));
    }
    let found = probe.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
    if found != VERSION {
        let by = probe
            .get("kafka_lab")
            .and_then(|v| v.as_str())
            .unwrap_or("?");
        return Err(JournalError::Version {
            found,
            by: by.into(),
        });
    }
    let header: Header =
        serde_json::from_value(probe).map_err(|e| JournalError::NotAJournal(e.to_string()))?;
    let mut lines = Vec::with_capacity(raw.len().saturating_sub(1));
    let mut torn_tail = false;
    let last = raw.len() - 1;
    let mut before = 0;
    for (i, l) in raw.iter().enumerate().skip(1) {
        match serde_json::from_str::<Line>(l) {
            Ok(line) => {
                let restart = matches!(
                    lines.last(),
                    Some(Line {
                        input: super::Input::Cmd(crate::lab::Command::Director(
                            crate::lab::DirectorCommand::Restart
                        )),
                        ..
                    })
                );
                if line.t < before && !restart {
                    return Err(JournalError::TimeBackwards {
                        line: i + 1,
                        t: line.t,
                        before,
                    });
                }
                before = line.t;
                lines.push(line);
            }
            // A crash mid-write leaves the last line without its newline.
            Err(_) if i == last && !complete => torn_tail = true,
            Err(e) => {
                return Err(JournalError::BadLine {
                    line: i + 1,
                    error: e.to_string(),
                });
            }
        }
    }
    Ok(Journal {
        header,
        lines,
        torn_tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::config::ClusterConfig;
    use crate::lab::Command;
    use crate::lab::journal::{Input, JournalWriter, Start};

    fn header() -> Header {
        Header::new(
            ClusterConfig::new(3, 42, "/nowhere"),
            Start::Commands(vec![Command::KillBroker(2)]),
            None,
            true,
        )
    }

    fn written(lines: &[(i64, Command)]) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.jsonl");
        let mut w = JournalWriter::create(&path, &header()).expect("journal");
        for (t, c) in lines {
            w.command(*t, c);
        }
        w.tick(12, &[3, 4]);
        drop(w);
        std::fs::read_to_string(&path).expect("read")
    }

    #[test]
    fn what_is_written_reads_back_in_order() {
        let reset = Command::ResetOffsets {
            group: "lab-group".into(),
            topic: Some("test".into()),
            to: crate::cluster::group::reset::ResetTo::Ago(600_000),
        };
        let text = written(&[
            (0, Command::KillBroker(1)),
            (10, Command::SetPaused(true)),
            (11, reset.clone()),
        ]);
        assert!(text.contains(r#"{"t":11,"cmd":{"ResetOffsets":{"group":"lab-group","topic":"test","to":{"Ago":600000}}}}"#), "{text}");
        let j = read_str(&text).expect("journal");
        assert_eq!(j.header.seed, 42);
        assert_eq!(j.header.config.brokers, 3);
        assert!(!j.torn_tail);
        let inputs: Vec<_> = j.lines.iter().map(|l| (l.t, l.input.clone())).collect();
        assert_eq!(
            inputs,
            [
                (0, Input::Cmd(Command::KillBroker(1))),
                (10, Input::Cmd(Command::SetPaused(true))),
                (11, Input::Cmd(reset)),
                (12, Input::Tick(vec![3, 4])),
            ]
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_torn_middle_line_is_an_error() {
        let text = written(&[(0, Command::KillBroker(1)), (10, Command::KillBroker(2))]);
        // A crash mid-write: the last line lost its end.
        let torn = &text[..text.len() - 9];
        let j = read_str(torn).expect("readable up to the last complete line");
        assert!(j.torn_tail);
        assert_eq!(j.lines.len(), 2);
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1] = "{\"t\":0,\"cmd\":";
        let broken = lines.join("\n") + "\n";
        match read_str(&broken) {
            Err(JournalError::BadLine { line: 2, .. }) => {}
            other => panic!("expected a bad line 2, got {other:?}"),
        }
    }

    #[test]
    fn another_version_or_file_is_refused_by_name() {
        let text = written(&[]);
        let newer = text.replacen("\"version\":1", "\"version\":9", 1);
        let e = read_str(&newer).expect_err("version 9");
        assert!(e.to_string().contains("version 9"), "{e}");
        let e = read_str("{\"hello\":1}\n").expect_err("not a journal");
        assert!(e.to_string().starts_with("not a kafka-lab journal"), "{e}");
        assert!(read_str("").is_err());
    }

    #[test]
    fn times_may_not_go_backwards() {
        let text = written(&[(50, Command::KillBroker(1)), (10, Command::KillBroker(2))]);
        assert!(matches!(
            read_str(&text),
            Err(JournalError::TimeBackwards { line: 3, .. })
        ));
    }
}
