//! Replaying a journal: a lab built as the recording's was, then every journaled input applied at
//! its simulated instant, through the same driver state machine the live run used. The lab is
//! deterministic under its seed, so the replay passes through the recorded run's states exactly.

use super::core::Lab;
use super::driver::{Attachments, Director, Driver};
use super::journal::{Input, Journal, Line};
use super::snapshot::LabSnapshot;
use super::wire::WireAttachment;
use crate::cluster::event::Event;
use crate::protocol::ListenerConfig;

/// A journal being played.
pub struct Replay {
    driver: Driver,
    lines: Vec<Line>,
    next: usize,
    end_ms: i64,
    checks: usize,
}

/// Why a replay cannot go on.
#[derive(Debug, thiserror::Error)]
#[error("journal line {line}: {error}")]
pub struct ReplayError {
    /// 1-based line number in the journal file (the header is line 1).
    pub line: usize,
    /// What is wrong.
    pub error: String,
}

impl Replay {
    /// Plays `journal` on `lab`, built from its header as the recording's was (see
    /// [`Replay::start_lab`] for the default lab; a lesson's comes with its `director`).
    pub fn new(mut lab: Lab, director: Option<Box<dyn Director>>, journal: Journal) -> Self {
        let wire = journal.header.wire.as_ref().map(|w| {
            // No listener: requests come from the journal. The inbox's sender is gone at once.
            let (_tx, inbox) = flume::bounded(1);
            WireAttachment::new(&mut lab, ListenerConfig::from(w), inbox)
        });
        // Without a lesson's start-over, the run ends at its last line; after one, the lines'
        // times restart, so the last one is still the end of the last lab's run.
        let end_ms = journal.lines.last().map_or(0, |l| l.t);
        let attachments = Attachments {
            wire,
            director,
            schedule: Vec::new(),
            journal: None,
        };
        Self {
            driver: Driver::for_replay(lab, attachments),
            lines: journal.lines,
            next: 0,
            end_ms,
            checks: 0,
        }
    }

    /// Plays `journal` on from checkpoint `cp` (taken with its first `cp.line` lines applied):
    /// the checkpoint's lab and wire host are forked again into `data_dir`, so the checkpoint
    /// stays as it was for the next rewind.
    pub fn from_checkpoint(
        cp: &super::checkpoint::Checkpoint,
        data_dir: &std::path::Path,
        journal: Journal,
    ) -> Result<Self, String> {
        let mut lab = cp.lab.fork(data_dir)?;
        let wire = cp.wire.as_ref().map(|host| {
            let (_tx, inbox) = flume::bounded(1);
            WireAttachment::from_host(&mut lab, host.fork(), inbox)
        });
        let end_ms = journal.lines.last().map_or(0, |l| l.t);
        let attachments = Attachments {
            wire,
            director: None,
            schedule: Vec::new(),
            journal: None,
        };
        let mut driver = Driver::for_replay(lab, attachments);
        driver.clock.set_speed(cp.clock.0);
        driver.clock.set_paused(cp.clock.1);
        let checks = journal.lines[..cp.line.min(journal.lines.len())]
            .iter()
            .filter(|l| matches!(l.input, Input::Check(_)))
            .count();
        Ok(Self {
            driver,
            lines: journal.lines,
            next: cp.line,
            end_ms,
            checks,
        })
    }

    /// Takes checkpoints under `data_dir/checkpoints` while playing, as the live driver does,
    /// so a later rewind within the replay starts near its instant.
    pub fn take_checkpoints(&mut self, data_dir: &std::path::Path) {
        self.driver.travel.checkpoints = super::checkpoint::Checkpoints::new(data_dir, true);
    }

    /// The checkpoints taken so far.
    pub fn checkpoints(&self) -> &super::checkpoint::Checkpoints {
        &self.driver.travel.checkpoints
    }

    /// Takes over `other`'s checkpoints (a replay rebuilt to move back keeps those taken so far).
    pub fn adopt_checkpoints(&mut self, other: &mut Replay) {
        std::mem::swap(
            &mut self.driver.travel.checkpoints,
            &mut other.driver.travel.checkpoints,
        );
    }

    /// A replay of `journal` that reaches `target_ms` soonest: forked into `data_dir` from the
    /// newest of this replay's checkpoints at or before it, or None when there is none.
    pub fn from_nearest_checkpoint(
        &self,
        journal: &Journal,
        target_ms: i64,
        data_dir: &std::path::Path,
    ) -> Option<Result<Replay, String>> {
        let list = self.checkpoints().list();
        let points: Vec<(i64, usize)> = list.iter().map(|c| (c.t_ms, c.line)).collect();
        let lines = journal.lines.iter().filter(|l| l.t <= target_ms).count();
        let i = super::checkpoint::pick(&points, target_ms, lines)?;
        Some(Replay::from_checkpoint(&list[i], data_dir, journal.clone()))
    }

    /// Steps the driver to `t`, telling checkpoints taken on the way how many lines are applied.
    fn step_to(&mut self, t: i64) {
        self.driver.travel.checkpoints.replay_line = self.next;
        self.driver.replay_to(t);
    }

    /// A default-lab journal's starting lab: its header's config on `data_dir` (which should be
    /// empty), with its start commands applied. A lesson's lab comes from the lesson instead.
    pub fn start_lab(
        header: &super::journal::Header,
        data_dir: &std::path::Path,
    ) -> Result<Lab, String> {
        let super::journal::Start::Commands(commands) = &header.start else {
            return Err("this journal is a lesson's: its lesson builds the lab".into());
        };
        let mut config = header.config.clone();
        config.data_dir = data_dir.to_path_buf();
        let mut lab = Lab::new(config)?;
        lab.set_up(commands)?;
        Ok(lab)
    }

    /// Simulated now.
    pub fn now_ms(&self) -> i64 {
        self.driver.lab().now_ms()
    }

    /// The time of the journal's last line.
    pub fn end_ms(&self) -> i64 {
        self.end_ms
    }

    /// How many of the journal's fingerprints the replay has matched so far.
    pub fn checks_passed(&self) -> usize {
        self.checks
    }

    /// Whether every line has been applied.
    pub fn done(&self) -> bool {
        self.next >= self.lines.len()
    }

    /// The lab as replayed so far.
    pub fn lab(&self) -> &Lab {
        self.driver.lab()
    }

    /// Everything observable now, as the live dashboard saw it (real clients and the lesson's
    /// banner included).
    pub fn snapshot(&self) -> LabSnapshot {
        self.driver.snapshot()
    }

    /// Applies every line due by `t_ms` (each after stepping to its time), then steps to `t_ms`.
    /// A lesson started over counts from 0 again: lines after its `b` belong to the new lab.
    pub fn advance_to(&mut self, t_ms: i64) -> Result<(), ReplayError> {
        self.advance(t_ms, false)
    }

    /// As [`Replay::advance_to`], but never past the journal's last line once every line is
    /// applied: a playback shows what was recorded, and nothing was after it.
    pub fn play_to(&mut self, t_ms: i64) -> Result<(), ReplayError> {
        self.advance(t_ms, true)
    }

    fn advance(&mut self, t_ms: i64, stop_at_end: bool) -> Result<(), ReplayError> {
        while let Some(line) = self.lines.get(self.next) {
            if line.t > t_ms {
                break;
            }
            self.apply_next()?;
            if self.restarted_just_now() {
                // The new lab's clock starts at 0: the caller's target was the old lab's.
                return Ok(());
            }
            if self.done() && matches!(self.lines.last(), Some(l) if l.input == Input::End) {
                // The recorded run stopped here: nothing happened after it.
                return Ok(());
            }
        }
        let t_ms = if stop_at_end && self.done() {
            t_ms.min(self.end_ms.max(self.now_ms()))
        } else {
            t_ms
        };
        self.step_to(t_ms);
        Ok(())
    }

    /// Applies the next line (after stepping to its time); false when none is left.
    pub fn apply_next(&mut self) -> Result<bool, ReplayError> {
        let Some(line) = self.lines.get(self.next) else {
            return Ok(false);
        };
        let number = self.next + 2;
        let t = line.t;
        self.step_to(t);
        let line = &self.lines[self.next];
        let input = line.input.clone();
        self.next += 1;
        self.driver
            .replay_input(&input)
            .map_err(|error| ReplayError {
                line: number,
                error,
            })?;
        if matches!(input, Input::Check(_)) {
            self.checks += 1;
        }
        Ok(true)
    }

    fn restarted_just_now(&self) -> bool {
        use super::command::{Command, DirectorCommand};
        self.next > 0
            && matches!(
                self.lines[self.next - 1].input,
                Input::Cmd(Command::Director(DirectorCommand::Restart))
            )
    }

    /// The lines applied so far: the past a run resumed from here keeps.
    pub fn applied(&self) -> &[Line] {
        &self.lines[..self.next]
    }

    /// The journal's lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Applies the lines before line `index` (0-based, after the header) and steps to its time:
    /// the run just before that input was applied.
    pub fn advance_before(&mut self, index: usize) -> Result<(), ReplayError> {
        while self.next < index.min(self.lines.len()) {
            self.apply_next()?;
        }
        if let Some(t) = self.lines.get(index).map(|l| l.t) {
            self.step_to(t);
        }
        Ok(())
    }

    /// The lab as replayed, for a run resumed from here.
    pub fn into_lab(self) -> Lab {
        self.driver.into_lab()
    }

    /// Applies every line.
    pub fn finish(&mut self) -> Result<(), ReplayError> {
        while self.apply_next()? {}
        Ok(())
    }

    /// Puts a note on the replay's timeline (the viewer's, not the recording's).
    pub fn note(&mut self, text: crate::cluster::event::NoteText) {
        self.driver.note(text);
    }

    /// The events since the last call, in order.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.driver.take_events()
    }
}
