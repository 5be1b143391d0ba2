//! The journal: every live run's seed, configuration and inputs, in the order applied, each with
//! the simulated instant it was applied at. The lab is deterministic under its seed, so these are
//! enough to run it again exactly (`kafka-lab replay`). The format is documented in
//! `docs/journal.md`: JSON lines, a header first.

mod check;
mod format;
mod reader;
mod writer;

pub use check::{CHECK_EVERY_MS, fingerprint};
pub use format::{
    FORMAT, Header, Input, JOURNAL_BYTES_MAX, LessonStart, Line, Start, VERSION, WireSetup,
};
pub use reader::{Journal, JournalError, read, read_str};
pub use writer::{JOURNALS_KEPT, JournalWriter, default_journal_path, future_path};
