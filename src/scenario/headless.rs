//! Headless runs: the lab on simulated time with no terminal, printing its story as lines.

use crate::cluster::event::Event;
use crate::lab::Lab;
use std::io::Write;

pub use crate::lab::command::Timed;

/// How events are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// `HH:MM:SS.mmm category  text`.
    Text,
    /// One JSON object per line.
    Json,
}

impl OutputFormat {
    /// JSON lines when `--json` was given, text otherwise.
    pub fn from_json_flag(json: bool) -> Self {
        if json {
            OutputFormat::Json
        } else {
            OutputFormat::Text
        }
    }
}

/// Formats one event in the chosen format.
pub fn format_event(event: &Event, format: OutputFormat) -> String {
    match format {
        // The line in the chosen language; `--json` keeps the English kinds and fields for scripts.
        OutputFormat::Text => format!(
            "{} {} {}",
            event.clock(),
            crate::text::width::pad_right(crate::text::reason::category(event.kind.category()), 9),
            crate::text::event::event_line(&event.kind)
        ),
        OutputFormat::Json => serde_json::to_string(event).unwrap_or_default(),
    }
}

/// Runs `lab` for `duration_ms` of simulated time, applying `schedule`, writing every event to `out`.
/// Simulated time costs no wall time: a 60-second story runs as fast as the machine can step it.
pub fn run_headless(
    lab: &mut Lab,
    mut schedule: Vec<Timed>,
    duration_ms: i64,
    format: OutputFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    schedule.sort_by_key(|t| t.at_ms);
    let mut next = 0;
    for e in lab.drain_events() {
        writeln!(out, "{}", format_event(&e, format))?;
    }
    let step = lab.config().step_ms;
    while lab.now_ms() < duration_ms {
        while next < schedule.len() && schedule[next].at_ms <= lab.now_ms() {
            let _ = lab.apply(schedule[next].command.clone());
            next += 1;
        }
        lab.advance_by(step);
        for e in lab.drain_events() {
            writeln!(out, "{}", format_event(&e, format))?;
        }
    }
    Ok(())
}
