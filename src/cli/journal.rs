//! `--record FILE` / `--no-record`: where a live run's journal goes.

use anyhow::Result;
use clap::Args;
use kafka_lab::data_dir::default_data_dir;
use kafka_lab::lab::journal::{Header, JournalWriter, default_journal_path};
use std::path::{Path, PathBuf};

/// The journal flags of every live run (the default lab, lessons).
#[derive(Args, Debug, Clone)]
pub struct RecordArgs {
    /// Journal the run (seed, settings, every input; `kafka-lab replay FILE` plays it again) to
    /// FILE. Default: a new file in the data dir's journals/ (the newest 20 are kept); see
    /// docs/journal.md.
    #[arg(long, value_name = "FILE", conflicts_with = "no_record")]
    pub record: Option<PathBuf>,
    /// Do not journal the run.
    #[arg(long)]
    pub no_record: bool,
}

impl RecordArgs {
    /// Opens the journal of a live run: `--record FILE`, else `journals/` under `dir` (a data dir
    /// that outlives the run) or the platform data dir; none with `--no-record`.
    pub fn open(&self, header: &Header, dir: Option<&Path>) -> Result<Option<JournalWriter>> {
        if self.no_record {
            return Ok(None);
        }
        let path = match (&self.record, dir) {
            (Some(p), _) => p.clone(),
            (None, Some(d)) => default_journal_path(d),
            (None, None) => match default_data_dir() {
                Some(d) => default_journal_path(&d),
                // No home to keep it in: the run goes on unrecorded, as with --no-record.
                None => return Ok(None),
            },
        };
        JournalWriter::create(&path, header)
            .map(Some)
            .map_err(anyhow::Error::msg)
    }
}

/// Whether `dir` holds no broker logs yet (a replay starts from an empty dir).
pub fn data_dir_is_fresh(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |entries| {
        !entries.filter_map(|e| e.ok()).any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("broker-"))
        })
    })
}
