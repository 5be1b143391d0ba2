//! Opening a journal for replay: the default lab from its header, or the lesson it followed
//! (which builds and directs its own lab), and the headless story of a replay.

use super::headless::{OutputFormat, format_event};
use super::lessons;
use super::live::LessonDirector;
use super::parse::parse_scenario;
use crate::lab::journal::{Journal, Start};
use crate::lab::replay::Replay;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// A replay of `journal` whose logs live under `root` (an empty dir the caller removes).
pub fn open(journal: Journal, root: &Path) -> Result<Replay, String> {
    match &journal.header.start {
        Start::Commands(_) => {
            let lab = Replay::start_lab(&journal.header, &root.join("lab"))?;
            Ok(Replay::new(lab, None, journal))
        }
        Start::Lesson(l) => {
            let scenario = match &l.text {
                Some(text) => {
                    let stem = Path::new(&l.lesson)
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("lesson");
                    parse_scenario(&l.lesson, stem, text).map_err(|e| e.to_string())
                }
                None => lessons::resolve(&l.lesson),
            }
            .and_then(|s| s.under_profile(l.profile))?;
            let (director, lab) =
                LessonDirector::start(Arc::new(scenario), root.to_path_buf(), l.seed)?;
            Ok(Replay::new(lab, Some(Box::new(director)), journal))
        }
    }
}

/// `kafka-lab replay FILE --headless`: the recorded run's story, every event as the headless
/// lesson runner prints it, on simulated time (as fast as the machine steps it).
pub fn print_replay(
    replay: &mut Replay,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    loop {
        let more = replay.apply_next().map_err(|e| e.to_string())?;
        for e in replay.take_events() {
            writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
        }
        if !more {
            return Ok(());
        }
    }
}
