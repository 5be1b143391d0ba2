//! Writing a journal as the run happens: the header, then a line per input, flushed every driver
//! tick so a crash loses at most the last tick's lines (and leaves at most one torn line, which
//! the reader skips).

use super::format::{Header, Input, JOURNAL_BYTES_MAX, Line};
use crate::lab::command::Command;
use crate::protocol::ApiCall;
use base64::Engine;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Journals kept in a data dir's `journals/`; starting a run removes the oldest beyond this.
pub const JOURNALS_KEPT: usize = 20;

/// A journal being written.
pub struct JournalWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    bytes: u64,
    bytes_max: u64,
    /// Why it stopped, until the driver has said so on the timeline.
    stopped: Option<String>,
    /// Lines written after the header (a checkpoint names where in the journal it stands).
    lines: usize,
}

impl JournalWriter {
    /// Creates `path` (and its directory) and writes the header.
    pub fn create(path: &Path, header: &Header) -> Result<Self, String> {
        Self::with_limit(path, header, JOURNAL_BYTES_MAX)
    }

    /// As [`Self::create`], stopping past `bytes_max` bytes.
    pub fn with_limit(path: &Path, header: &Header, bytes_max: u64) -> Result<Self, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = File::create(path)
            .map_err(|e| format!("cannot create journal {}: {e}", path.display()))?;
        let mut w = Self {
            path: path.to_path_buf(),
            out: Some(BufWriter::new(file)),
            bytes: 0,
            bytes_max,
            stopped: None,
            lines: 0,
        };
        let line = serde_json::to_string(header).map_err(|e| e.to_string())?;
        w.write_line(&line);
        w.flush();
        match w.stopped.take() {
            Some(e) => Err(e),
            None => Ok(w),
        }
    }

    /// Lines written after the header so far.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// Where it is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Records a command applied at `t`.
    pub fn command(&mut self, t: i64, cmd: &Command) {
        self.input(t, Input::Cmd(cmd.clone()));
    }

    /// Records a real client's request taken at `t`.
    pub fn wire(&mut self, t: i64, call: &ApiCall) {
        if self.out.is_none() {
            return;
        }
        let frame = base64::engine::general_purpose::STANDARD.encode(&call.raw);
        self.input(
            t,
            Input::Wire {
                conn: call.connection,
                broker: call.broker,
                frame,
            },
        );
    }

    /// Records a re-check of parked wire requests at `t`, `closed` being those dropped.
    pub fn tick(&mut self, t: i64, closed: &[u64]) {
        self.input(t, Input::Tick(closed.to_vec()));
    }

    /// Records the lab's fingerprint at `t`.
    pub fn check(&mut self, t: i64, fingerprint: String) {
        self.input(t, Input::Check(fingerprint));
    }

    /// Records that the run stopped at `t`, and flushes.
    pub fn end(&mut self, t: i64) {
        self.input(t, Input::End);
        self.flush();
    }

    fn input(&mut self, t: i64, input: Input) {
        if self.out.is_none() {
            return;
        }
        match serde_json::to_string(&Line { t, input }) {
            Ok(line) => {
                self.write_line(&line);
                self.lines += 1;
            }
            Err(e) => self.stop(format!("{}: {e}", self.path.display())),
        }
    }

    fn write_line(&mut self, line: &str) {
        let Some(out) = self.out.as_mut() else { return };
        let n = line.len() as u64 + 1;
        if self.bytes + n > self.bytes_max {
            let full = format!(
                "{} reached its limit of {} bytes",
                self.path.display(),
                self.bytes_max
            );
            self.stop(full);
            return;
        }
        let res = out
            .write_all(line.as_bytes())
            .and_then(|_| out.write_all(b"\n"));
        match res {
            Ok(()) => self.bytes += n,
            Err(e) => self.stop(format!("{}: {e}", self.path.display())),
        }
    }

    /// Forks the journal at a past instant: the file as written so far (the whole run with its
    /// old future) is renamed to [`future_path`], and a new file at the same path gets `header`,
    /// the `kept` lines (the past resumed from) and a `rewound` line at `at_ms`; recording goes
    /// on there. Returns where the old future went.
    pub fn fork(
        &mut self,
        header: &Header,
        kept: &[Line],
        at_ms: i64,
        from_ms: i64,
    ) -> Result<PathBuf, String> {
        self.flush();
        if self.out.is_none() {
            return Err(format!("{} stopped recording", self.path.display()));
        }
        self.out = None;
        let old = future_path(&self.path, at_ms);
        std::fs::rename(&self.path, &old)
            .map_err(|e| format!("cannot rename {}: {e}", self.path.display()))?;
        let file = File::create(&self.path)
            .map_err(|e| format!("cannot create journal {}: {e}", self.path.display()))?;
        self.out = Some(BufWriter::new(file));
        self.bytes = 0;
        self.lines = kept.len();
        let head = serde_json::to_string(header).map_err(|e| e.to_string())?;
        self.write_line(&head);
        for line in kept {
            match serde_json::to_string(line) {
                Ok(l) => self.write_line(&l),
                Err(e) => return Err(e.to_string()),
            }
        }
        self.input(at_ms, Input::Rewound { from_ms });
        self.flush();
        match self.stopped.take() {
            Some(e) => Err(e),
            None => Ok(old),
        }
    }

    /// Pushes buffered lines to the file (each driver tick).
    pub fn flush(&mut self) {
        if let Some(out) = self.out.as_mut()
            && let Err(e) = out.flush()
        {
            self.stop(format!("{}: {e}", self.path.display()));
        }
    }

    fn stop(&mut self, why: String) {
        if let Some(mut out) = self.out.take() {
            // What is complete stays readable.
            let _ = out.flush();
            self.stopped = Some(why);
        }
    }

    /// Why recording stopped, once (for the timeline).
    pub fn take_stopped(&mut self) -> Option<String> {
        self.stopped.take()
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        if let Some(out) = self.out.as_mut() {
            let _ = out.flush();
        }
    }
}

/// A new journal's path in `dir/journals/` (`run-<unix seconds>-<pid>.jsonl`), after removing
/// the oldest journals there beyond [`JOURNALS_KEPT`] - 1.
pub fn default_journal_path(dir: &Path) -> PathBuf {
    let journals = dir.join("journals");
    prune(&journals, JOURNALS_KEPT.saturating_sub(1));
    // Wall time names the file only; nothing in the lab reads it.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    journals.join(format!("run-{secs}-{}.jsonl", std::process::id()))
}

/// Where a fork keeps the old future of the journal at `path`: beside it, named after the
/// instant resumed from (`run-1-2.jsonl` → `run-1-2.future-after-12.5s.jsonl`, then `-2`, `-3`
/// when that exists). It holds the whole run as it was, so it replays by itself.
pub fn future_path(path: &Path, at_ms: i64) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("journal");
    let secs = crate::cluster::event::secs_1(at_ms);
    let name = |n: usize| match n {
        1 => format!("{stem}.future-after-{secs}s.jsonl"),
        n => format!("{stem}.future-after-{secs}s-{n}.jsonl"),
    };
    // Bounded: a run forks at most as often as the journal has instants.
    (1..10_000)
        .map(|n| path.with_file_name(name(n)))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.with_file_name(name(10_000)))
}

/// Removes the oldest `run-*.jsonl` in `dir` (by name: the names sort by start time) until at
/// most `keep` remain.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("run-") && n.ends_with(".jsonl"))
        })
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    for p in names.into_iter().take(excess) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::config::ClusterConfig;
    use crate::lab::journal::{Start, read};

    #[test]
    fn a_full_journal_stops_once_and_stays_readable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.jsonl");
        let header = Header::new(
            ClusterConfig::new(1, 1, "/x"),
            Start::Commands(vec![]),
            None,
            true,
        );
        let mut w = JournalWriter::with_limit(&path, &header, 2_000).expect("journal");
        for t in 0..200 {
            w.command(t, &Command::KillBroker(1));
        }
        assert!(w.bytes() <= 2_000);
        let why = w.take_stopped().expect("stopped");
        assert!(why.contains("limit of 2000 bytes"), "{why}");
        assert_eq!(w.take_stopped(), None, "said once");
        drop(w);
        let j = read(&path).expect("readable");
        assert!(!j.lines.is_empty() && j.lines.len() < 200);
    }

    #[test]
    fn a_fork_keeps_the_old_run_beside_and_writes_the_past_and_a_rewound_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("run-1-2.jsonl");
        let header = Header::new(
            ClusterConfig::new(1, 1, "/x"),
            Start::Commands(vec![]),
            None,
            true,
        );
        let mut w = JournalWriter::create(&path, &header).expect("journal");
        for t in [100, 200, 300] {
            w.command(t, &Command::KillBroker(1));
        }
        w.flush();
        let kept = read(&path).expect("readable").lines[..1].to_vec();
        let old = w.fork(&header, &kept, 150, 300).expect("fork");
        w.command(160, &Command::RestartBroker(1));
        drop(w);
        assert_eq!(old, dir.path().join("run-1-2.future-after-0.1s.jsonl"));
        assert_eq!(read(&old).expect("old").lines.len(), 3, "the old run whole");
        let new = read(&path).expect("new");
        let inputs: Vec<_> = new.lines.iter().map(|l| (l.t, l.input.clone())).collect();
        assert_eq!(
            inputs,
            vec![
                (100, Input::Cmd(Command::KillBroker(1))),
                (150, Input::Rewound { from_ms: 300 }),
                (160, Input::Cmd(Command::RestartBroker(1))),
            ]
        );
        assert_eq!(
            future_path(&path, 150),
            dir.path().join("run-1-2.future-after-0.1s-2.jsonl"),
            "a second fork at the same instant gets its own name"
        );
    }

    #[test]
    fn the_journals_dir_keeps_the_newest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let journals = dir.path().join("journals");
        std::fs::create_dir_all(&journals).expect("dir");
        for i in 0..(JOURNALS_KEPT + 5) {
            std::fs::write(journals.join(format!("run-{:010}-1.jsonl", i)), "x").expect("w");
        }
        std::fs::write(journals.join("notes.txt"), "mine").expect("w");
        let next = default_journal_path(dir.path());
        let left = std::fs::read_dir(&journals).expect("ls").count();
        assert_eq!(
            left,
            JOURNALS_KEPT - 1 + 1,
            "the newest kept, other files left alone"
        );
        assert!(!journals.join("run-0000000000-1.jsonl").exists());
        assert!(next.starts_with(&journals));
    }
}
