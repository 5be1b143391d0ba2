//! Going back in time in a live run: the screen shows a past lab rebuilt from the run's journal
//! (the lab is deterministic, so replaying the journal to an instant gives the run as it was
//! then), while the live lab waits paused. Resuming from the past forks the journal — the old
//! future kept in a file of its own — and makes the rebuilt lab the live one; real clients'
//! connections are closed so they reconnect to it. Undo is a rewind to just before the last fault
//! or destructive action, resumed at once.

use super::command::{Command, Timed, Travel};
use super::core::Lab;
use super::driver::Driver;
use super::journal::{Header, Input, Journal, Start};
use super::replay::Replay;
use super::snapshot::{LabSnapshot, TravelStatus};
use crate::cluster::event::{EventKind, NoteText, UndoneAction};
use crate::cluster::refusal::CommandError;
use std::path::{Path, PathBuf};

/// A past instant on screen.
struct Past {
    /// The run replayed up to the instant shown (boxed: a replay holds a driver of its own).
    replay: Box<Replay>,
    /// The journal's header, for the fork.
    header: Header,
    /// How far the live run had gone (simulated ms).
    from_ms: i64,
    /// Whether the live run was paused before the screen went back.
    was_paused: bool,
    /// Where its lab's logs live.
    dir: PathBuf,
}

/// The driver's time travel: the past on screen, where past labs are built, and the schedule to
/// re-arm in a resumed run.
pub(crate) struct Travelling {
    past: Option<Past>,
    /// The live run's data dir: past labs are built in `rewind-<n>/` under it.
    base: PathBuf,
    /// Past labs built so far (names their dirs).
    built: u64,
    /// The run's schedule as given (`--kill-broker 1@5s`), re-armed past the instant resumed from.
    schedule: Vec<Timed>,
    /// Copies of the run taken as it stepped, from which the past is rebuilt (none until the
    /// driver enables them).
    pub(super) checkpoints: super::checkpoint::Checkpoints,
}

impl Travelling {
    /// Nothing in the past yet, for a run on `lab` with this schedule.
    pub(crate) fn new(lab: &Lab, schedule: &[Timed]) -> Self {
        Self {
            past: None,
            base: lab.config().data_dir.clone(),
            built: 0,
            schedule: schedule.to_vec(),
            checkpoints: super::checkpoint::Checkpoints::new(&lab.config().data_dir, false),
        }
    }

    /// Whether the screen shows the past (the live lab is paused meanwhile).
    pub(crate) fn in_past(&self) -> bool {
        self.past.is_some()
    }

    fn next_dir(&mut self) -> PathBuf {
        self.built += 1;
        self.base.join(format!("rewind-{}", self.built))
    }
}

/// Removes a past lab's dir (a rebuilt lab nobody will resume from).
fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// The instant `t` on the lab's step grid, within the run.
fn on_grid(t: i64, step: i64, run_ms: i64) -> i64 {
    let t = t.clamp(0, run_ms);
    t - t % step.max(1)
}

/// The last fault or destructive action among `journal`'s lines: its index and what it was.
pub(crate) fn last_destructive(journal: &Journal) -> Option<(usize, UndoneAction)> {
    journal
        .lines
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| match &l.input {
            Input::Cmd(c) => undone_action(c).map(|a| (i, a)),
            _ => None,
        })
}

/// What undoing `cmd` takes back, for a fault or destructive action.
fn undone_action(cmd: &Command) -> Option<UndoneAction> {
    Some(match cmd {
        Command::KillBroker(id) => UndoneAction::KillBroker(*id),
        Command::ShutdownBroker(id) => UndoneAction::ShutdownBroker(*id),
        Command::KillController(id) => UndoneAction::KillController(*id),
        Command::DeleteTopic(t) => UndoneAction::DeleteTopic(t.clone()),
        Command::StopProducer(id) => UndoneAction::StopProducer(*id),
        Command::KillProducer(id) => UndoneAction::KillProducer(*id),
        Command::KillConsumer(id) => UndoneAction::KillConsumer(*id),
        Command::CloseConsumer(id) => UndoneAction::CloseConsumer(*id),
        _ => return None,
    })
}

/// Why going back failed: a refusal in the catalogue's words, or a replay that broke.
enum TravelError {
    Refused(CommandError),
    Failed(String),
}

impl From<CommandError> for TravelError {
    fn from(e: CommandError) -> Self {
        Self::Refused(e)
    }
}

impl Driver {
    /// Carries out a travel command, saying on the timeline why it could not.
    pub(super) fn travel(&mut self, t: Travel) {
        let result = match t {
            Travel::By(ms) => {
                let on_screen = self.screen_ms();
                self.view(on_screen.saturating_add(ms))
            }
            Travel::To(at) => self.view(at),
            Travel::Resume => self.resume(None),
            Travel::Undo => self.undo(),
        };
        match result {
            Ok(()) => {}
            Err(TravelError::Refused(e)) => self.refuse(e),
            Err(TravelError::Failed(error)) => self.lab.emit_event(EventKind::Note {
                text: NoteText::TravelFailed { error },
            }),
        }
        self.dirty = true;
    }

    /// The instant on screen: the past's, or the live lab's now.
    fn screen_ms(&self) -> i64 {
        match &self.travel.past {
            Some(p) => p.replay.now_ms(),
            None => self.lab.now_ms(),
        }
    }

    /// The run's journal as written so far (flushed first), or why there is none to travel in.
    fn journal_so_far(&mut self) -> Result<Journal, TravelError> {
        if self.attachments.director.is_some() {
            return Err(CommandError::TravelInLesson.into());
        }
        let Some(writer) = self.attachments.journal.as_mut() else {
            return Err(CommandError::NoJournal.into());
        };
        writer.flush();
        let journal =
            super::journal::read(writer.path()).map_err(|e| TravelError::Failed(e.to_string()))?;
        if !matches!(journal.header.start, Start::Commands(_)) {
            return Err(CommandError::TravelInLesson.into());
        }
        Ok(journal)
    }

    /// A lab rebuilt in a dir of its own for reaching `target_ms` without applying line
    /// `line_max` or later: from the newest checkpoint that allows it, else from the start of
    /// `journal`; not yet stepped further.
    fn rebuild(
        &mut self,
        journal: Journal,
        target_ms: i64,
        line_max: usize,
    ) -> Result<(Replay, PathBuf), TravelError> {
        let dir = self.travel.next_dir();
        remove_dir(&dir);
        let line_max = line_max.min(journal.lines.len());
        let cps = self.travel.checkpoints.list();
        let points: Vec<(i64, usize)> = cps.iter().map(|c| (c.t_ms, c.line)).collect();
        if let Some(i) = super::checkpoint::pick(&points, target_ms, line_max) {
            match Replay::from_checkpoint(&cps[i], &dir, journal.clone()) {
                Ok(replay) => return Ok((replay, dir)),
                // From the start instead: slower, but the same past.
                Err(_) => remove_dir(&dir),
            }
        }
        let lab = Replay::start_lab(&journal.header, &dir).map_err(TravelError::Failed)?;
        Ok((Replay::new(lab, None, journal), dir))
    }

    /// Whether a checkpoint lies after `now_ms` but at or before `target_ms`: going forward in
    /// the past is then faster from it than stepping on.
    fn checkpoint_between(&self, now_ms: i64, target_ms: i64) -> bool {
        self.travel
            .checkpoints
            .list()
            .iter()
            .any(|c| c.t_ms > now_ms && c.t_ms <= target_ms)
    }

    /// Shows the run at `target` (simulated ms): the past, rebuilt or stepped on, or the live
    /// lab again once `target` reaches now.
    fn view(&mut self, target: i64) -> Result<(), TravelError> {
        if target >= self.lab.now_ms() {
            self.back_to_live();
            return Ok(());
        }
        let froze = self.travel.past.is_none().then(|| self.freeze());
        let result = self.view_past(target, froze);
        if let (Err(_), Some(was_paused)) = (&result, froze) {
            self.clock.set_paused(was_paused);
            self.lab.set_clock(self.clock.speed(), was_paused);
        }
        result
    }

    /// Stops the live run where it is: the clock paused and pinned to the lab's now (the lab
    /// caught up with it first, so it steps no further). Returns whether it was paused before.
    fn freeze(&mut self) -> bool {
        let was_paused = self.clock.paused();
        self.clock.set_paused(true);
        self.advance();
        self.clock.set_now_ms(self.lab.now_ms());
        self.lab.set_clock(self.clock.speed(), true);
        was_paused
    }

    fn view_past(&mut self, target: i64, froze: Option<bool>) -> Result<(), TravelError> {
        let live_ms = self.lab.now_ms();
        let target = on_grid(target, self.lab.config().step_ms, live_ms);
        // Forward within the past: step the rebuilt lab on.
        let stepping_on = self
            .travel
            .past
            .as_ref()
            .is_some_and(|p| p.replay.now_ms() <= target)
            && !self
                .travel
                .past
                .as_ref()
                .is_some_and(|p| self.checkpoint_between(p.replay.now_ms(), target));
        if stepping_on && let Some(p) = self.travel.past.as_mut() {
            p.replay
                .advance_to(target)
                .map_err(|e| TravelError::Failed(e.to_string()))?;
            let _ = p.replay.take_events();
            return Ok(());
        }
        let journal = self.journal_so_far()?;
        let header = journal.header.clone();
        let (mut replay, dir) = self.rebuild(journal, target, usize::MAX)?;
        if let Err(e) = replay.advance_to(target) {
            remove_dir(&dir);
            return Err(TravelError::Failed(e.to_string()));
        }
        // The timeline keeps the run's own events; the rebuilt lab's are the same ones again.
        let _ = replay.take_events();
        let (from_ms, was_paused) = match self.travel.past.take() {
            Some(old) => {
                remove_dir(&old.dir);
                (old.from_ms, old.was_paused)
            }
            None => (live_ms, froze.unwrap_or(true)),
        };
        // The live lab waits (frozen above): no step, no wire request taken, nothing acknowledged.
        self.travel.past = Some(Past {
            replay: Box::new(replay),
            header,
            from_ms,
            was_paused,
            dir,
        });
        Ok(())
    }

    /// Leaves the past: the live lab shows again, paused or running as it was.
    fn back_to_live(&mut self) {
        if let Some(p) = self.travel.past.take() {
            remove_dir(&p.dir);
            self.clock.set_paused(p.was_paused);
            self.lab.set_clock(self.clock.speed(), p.was_paused);
        }
    }

    /// Starts a new future from the past on screen: the journal forks, the rebuilt lab goes
    /// live, real clients reconnect. `undone` names what an undo took back.
    fn resume(&mut self, undone: Option<UndoneAction>) -> Result<(), TravelError> {
        let Some(past) = self.travel.past.take() else {
            // Live already: nothing to resume from (space pauses and resumes the live run).
            return Ok(());
        };
        let at_ms = past.replay.now_ms();
        let kept = past.replay.applied().to_vec();
        let forked = match self.attachments.journal.as_mut() {
            Some(j) => j.fork(&past.header, &kept, at_ms, past.from_ms),
            None => Err(CommandError::NoJournal.to_string()),
        };
        let old_future = match forked {
            Ok(path) => path,
            Err(e) => {
                // Stay in the past: nothing was resumed.
                self.travel.past = Some(past);
                return Err(TravelError::Failed(e));
            }
        };
        // Checkpoints of the abandoned future go; the past's stay valid for the new journal.
        self.travel.checkpoints.forked(at_ms, kept.len());
        let mut lab = (*past.replay).into_lab();
        if let Some(w) = self.attachments.wire.as_mut() {
            w.restart(&mut lab);
        }
        let old = std::mem::replace(&mut self.lab, lab);
        let old_dir = old.config().data_dir.clone();
        drop(old);
        // The abandoned lab's logs go unless they are the run's own data dir (kept as it was).
        if old_dir != self.travel.base {
            remove_dir(&old_dir);
        }
        let speed = self.clock.speed();
        self.clock = super::clock::SimClock::new();
        self.clock.set_now_ms(at_ms);
        self.clock.set_speed(speed);
        self.lab.set_clock(speed, false);
        // The schedule's entries still ahead run again in the new future.
        let mut ahead: Vec<Timed> = self
            .travel
            .schedule
            .iter()
            .filter(|t| t.at_ms > at_ms)
            .cloned()
            .collect();
        ahead.sort_by_key(|t| std::cmp::Reverse(t.at_ms));
        self.attachments.schedule = ahead;
        let kept = old_future.display().to_string();
        let text = match undone {
            Some(action) => NoteText::Undone {
                action,
                at_ms,
                kept,
            },
            None => NoteText::Rewound {
                at_ms,
                from_ms: past.from_ms,
                kept,
            },
        };
        self.lab.emit_event(EventKind::Note { text });
        Ok(())
    }

    /// Rewinds to just before the run's last fault or destructive action and resumes there.
    fn undo(&mut self) -> Result<(), TravelError> {
        let froze = self.travel.past.is_none().then(|| self.freeze());
        let result = self.undo_frozen(froze);
        if let (Err(_), Some(was_paused)) = (&result, froze) {
            self.clock.set_paused(was_paused);
            self.lab.set_clock(self.clock.speed(), was_paused);
        }
        result
    }

    fn undo_frozen(&mut self, froze: Option<bool>) -> Result<(), TravelError> {
        let journal = self.journal_so_far()?;
        let Some((index, action)) = last_destructive(&journal) else {
            return Err(CommandError::NothingToUndo.into());
        };
        let header = journal.header.clone();
        let before_ms = journal.lines[index].t;
        let (mut replay, dir) = self.rebuild(journal, before_ms, index)?;
        if let Err(e) = replay.advance_before(index) {
            remove_dir(&dir);
            return Err(TravelError::Failed(e.to_string()));
        }
        let _ = replay.take_events();
        let (from_ms, was_paused) = match self.travel.past.take() {
            Some(old) => {
                remove_dir(&old.dir);
                (old.from_ms, old.was_paused)
            }
            None => (self.lab.now_ms(), froze.unwrap_or(true)),
        };
        self.travel.past = Some(Past {
            replay: Box::new(replay),
            header,
            from_ms,
            was_paused,
            dir,
        });
        self.resume(Some(action))
    }

    /// The past's snapshot with where it is in the run, when the screen shows the past.
    pub(super) fn past_snapshot(&self) -> Option<LabSnapshot> {
        let p = self.travel.past.as_ref()?;
        let mut snap = p.replay.snapshot();
        snap.speed = self.clock.speed();
        snap.paused = true;
        snap.travel = Some(TravelStatus {
            at_ms: p.replay.now_ms(),
            run_ms: self.lab.now_ms(),
            past: true,
        });
        Some(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::config::ClusterConfig;
    use crate::lab::journal::Line;

    #[test]
    fn instants_land_on_the_step_grid_within_the_run() {
        assert_eq!(on_grid(12_345, 10, 60_000), 12_340);
        assert_eq!(on_grid(-5_000, 10, 60_000), 0);
        assert_eq!(on_grid(90_000, 10, 60_000), 60_000);
        assert_eq!(on_grid(7, 1, 60_000), 7);
    }

    #[test]
    fn undo_finds_the_last_fault_and_skips_what_is_not_one() {
        let header = Header::new(
            ClusterConfig::new(3, 1, "/x"),
            Start::Commands(vec![]),
            None,
            true,
        );
        let line = |t, cmd| Line {
            t,
            input: Input::Cmd(cmd),
        };
        let mut journal = Journal {
            header,
            lines: vec![
                line(100, Command::KillBroker(2)),
                line(200, Command::RestartBroker(2)),
                line(300, Command::DeleteTopic("test".into())),
                line(400, Command::SetSpeed(2.0)),
                Line {
                    t: 500,
                    input: Input::Check("0".into()),
                },
            ],
            torn_tail: false,
        };
        assert_eq!(
            last_destructive(&journal),
            Some((2, UndoneAction::DeleteTopic("test".into())))
        );
        journal.lines.truncate(2);
        assert_eq!(
            last_destructive(&journal),
            Some((0, UndoneAction::KillBroker(2)))
        );
        journal.lines.remove(0);
        assert_eq!(last_destructive(&journal), None);
    }
}
