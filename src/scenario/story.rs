//! Headless lessons: a scenario on simulated time with no terminal, printed as a story with
//! PASS/FAIL for each expectation and a closing summary of what each consumer read.

use super::headless::{OutputFormat, format_event};
use super::model::Scenario;
use super::runner::{ExpectResult, KeyPolicy, LessonRunner, build_lab};
use crate::cluster::event::EventKind;
use crate::cluster::types::TopicPartition;
use crate::lab::Lab;
use crate::text::{text, text_with};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

/// The most simulated time a headless lesson may run (a waiting expectation cannot hang it).
pub const STORY_MS_MAX: i64 = 3_600_000;

/// What a headless run found.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryReport {
    /// Every expectation's outcome.
    pub results: Vec<ExpectResult>,
    /// Simulated ms the story took.
    pub elapsed_ms: i64,
}

impl StoryReport {
    /// The failed expectations.
    pub fn failures(&self) -> Vec<&ExpectResult> {
        self.results.iter().filter(|r| r.outcome.is_err()).collect()
    }
}

/// Runs `scenario` in `data_dir` until every step is done and its duration has passed, writing
/// the story to `out`. Key steps run at once.
pub fn run_story(
    scenario: &Scenario,
    data_dir: &std::path::Path,
    seed: Option<u64>,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<StoryReport, String> {
    let io = |e: std::io::Error| e.to_string();
    let mut lab = build_lab(scenario, data_dir, seed)?;
    let mut runner = LessonRunner::new(Arc::new(scenario.clone()), KeyPolicy::Immediate);
    let step = lab.config().step_ms;
    runner.tick(&mut lab);
    for e in lab.drain_events() {
        writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
    }
    while !(runner.finished() && lab.now_ms() >= scenario.duration_ms) {
        if lab.now_ms() >= STORY_MS_MAX {
            return Err(text_with(
                "story.did_not_finish",
                &[("minutes", &(STORY_MS_MAX / 60_000).to_string())],
            ));
        }
        lab.advance_by(step);
        let events = lab.drain_events();
        runner.observe(&lab, &events);
        for e in &events {
            writeln!(out, "{}", format_event(e, format)).map_err(io)?;
        }
        runner.tick(&mut lab);
        for e in lab.drain_events() {
            writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
        }
    }
    summarize(&mut lab, &runner);
    let results = runner.results().to_vec();
    let failed = results.iter().filter(|r| r.outcome.is_err()).count();
    lab.emit_event(EventKind::Note {
        text: text_with(
            if failed > 0 {
                "story.tally_failed"
            } else {
                "story.tally"
            },
            &[
                ("name", &scenario.name),
                ("passed", &(results.len() - failed).to_string()),
                ("total", &results.len().to_string()),
            ],
        )
        .into(),
    });
    for e in lab.drain_events() {
        writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
    }
    Ok(StoryReport {
        results,
        elapsed_ms: lab.now_ms(),
    })
}

/// One `summary:` note per consumer incarnation: which offsets it read from each partition.
fn summarize(lab: &mut Lab, runner: &LessonRunner) {
    for (name, id) in runner.consumer_runs() {
        let Some(c) = lab.consumer(*id) else { continue };
        let mut first: BTreeMap<TopicPartition, (i64, i64, usize)> = BTreeMap::new();
        for r in &c.history {
            let e = first.entry(r.tp.clone()).or_insert((r.offset, r.offset, 0));
            e.1 = r.offset;
            e.2 += 1;
        }
        let read: Vec<String> = first
            .iter()
            .map(|(tp, (a, b, n))| {
                text_with(
                    "story.summary_read",
                    &[
                        ("tp", &tp.to_string()),
                        ("first", &a.to_string()),
                        ("last", &b.to_string()),
                        ("n", &n.to_string()),
                    ],
                )
            })
            .collect();
        let read = if read.is_empty() {
            text("story.summary_nothing").to_string()
        } else {
            read.join(text("check.and"))
        };
        let text = text_with(
            "story.summary",
            &[
                ("name", name),
                ("id", &id.to_string()),
                ("state", &format!("{:?}", c.state)),
                ("read", &read),
            ],
        );
        lab.emit_event(EventKind::Note { text: text.into() });
    }
}

/// Prints a lesson's headless story to stdout; fails, listing them, when any expectation did.
pub fn print_story(
    scenario: &crate::scenario::model::Scenario,
    data_dir: &std::path::Path,
    seed: Option<u64>,
    json: bool,
) -> Result<(), String> {
    let format = crate::scenario::headless::OutputFormat::from_json_flag(json);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let report = match run_story(scenario, data_dir, seed, format, &mut out) {
        Err(e) if e.contains("Broken pipe") => return Ok(()),
        other => other?,
    };
    let failures = report.failures();
    if failures.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = failures
        .iter()
        .map(|r| {
            format!(
                "  {}\n    {}",
                super::runner::step_failed(r.step, r.line, &r.text),
                r.outcome.as_ref().err().map(String::as_str).unwrap_or("")
            )
        })
        .collect();
    let head = text_with(
        "story.failed",
        &[
            ("name", &scenario.name),
            ("failed", &failures.len().to_string()),
            ("total", &report.results.len().to_string()),
        ],
    );
    Err(format!("{head}\n{}", lines.join("\n")))
}
