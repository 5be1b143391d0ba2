//! Lessons on the dashboard: a [`LessonRunner`] directing the one live driver
//! ([`crate::lab::driver`]) step by step, `n` releasing key steps (or a caption's reading time) and `b` starting over on a fresh
//! lab in a new `run-N` directory. The wire listener runs beside it exactly as for the default lab.

use super::model::Scenario;
use super::runner::{KeyPolicy, LessonRunner, build_lab};
use crate::cluster::event::Event;
use crate::lab::driver::Director;
use crate::lab::{Lab, LessonStatus};
use std::path::PathBuf;
use std::sync::Arc;

/// A lesson directing a live lab.
pub struct LessonDirector {
    scenario: Arc<Scenario>,
    root: PathBuf,
    seed: Option<u64>,
    runner: LessonRunner,
    run: u32,
}

impl LessonDirector {
    /// Builds the lesson's first lab under `root/run-1` and the director that runs it.
    pub fn start(
        scenario: Arc<Scenario>,
        root: PathBuf,
        seed: Option<u64>,
    ) -> Result<(Self, Lab), String> {
        let mut director = Self {
            runner: LessonRunner::new(scenario.clone(), KeyPolicy::Wait),
            scenario,
            root,
            seed,
            run: 0,
        };
        let lab = director.fresh_lab()?;
        Ok((director, lab))
    }

    fn dir(&self, run: u32) -> PathBuf {
        self.root.join(format!("run-{run}"))
    }

    /// The next run's lab, with the runner's first steps applied.
    fn fresh_lab(&mut self) -> Result<Lab, String> {
        let run = self.run + 1;
        let mut lab = build_lab(&self.scenario, &self.dir(run), self.seed)?;
        let mut runner = LessonRunner::new(self.scenario.clone(), KeyPolicy::Wait);
        runner.run = run;
        runner.tick(&mut lab);
        if self.run > 0 {
            // Best effort: the temp root is removed on exit anyway.
            let _ = std::fs::remove_dir_all(self.dir(self.run));
        }
        self.runner = runner;
        self.run = run;
        Ok(lab)
    }
}

impl Director for LessonDirector {
    fn next(&mut self, lab: &mut Lab) -> bool {
        self.runner.press_next(lab.now_ms())
    }

    fn next_at_ms(&self) -> Option<i64> {
        self.runner.next_at_ms()
    }

    fn restart(&mut self) -> Result<Lab, String> {
        self.fresh_lab()
    }

    fn after_step(&mut self, lab: &mut Lab, events: &[Event]) -> bool {
        self.runner.observe(lab, events);
        self.runner.tick(lab);
        self.runner.take_pause_request()
    }

    fn status(&self) -> LessonStatus {
        self.runner.status()
    }
}
