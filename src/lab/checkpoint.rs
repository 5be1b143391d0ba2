//! Checkpoints, so going back in time is instant: copies of the run's lab (and its wire host)
//! taken as the driver steps, each with the journal line it stands before. A past instant is
//! rebuilt from the newest checkpoint at or before it, forked again, and only the journal's lines
//! after the checkpoint are replayed (`travel.rs`). They are copies, so taking them (when, how
//! many) never changes the run: the lab is deterministic whatever the wall clock does.
//!
//! Bounded: at most [`CHECKPOINTS_MAX`]; when full, every other old one goes (the newest stays),
//! so they thin out evenly over a long run. Each lives in `<data-dir>/checkpoints/<n>/` (logs
//! forked by hard links, see `PartitionLog::fork_to`), removed with the checkpoint.

use super::core::Lab;
use crate::protocol::WireHost;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Checkpoints kept at most.
pub const CHECKPOINTS_MAX: usize = 128;
/// Wall time of stepping after which a checkpoint is taken (what replaying from it costs).
pub const CHECKPOINT_WALL_EVERY: Duration = Duration::from_millis(100);
/// Simulated time after which a checkpoint is taken even when stepping was fast.
pub const CHECKPOINT_SIM_EVERY_MS: i64 = 5_000;

/// One checkpoint: the run at `t_ms` with the journal's first `line` lines applied.
pub struct Checkpoint {
    /// Simulated ms.
    pub t_ms: i64,
    /// Journal lines (after the header) applied when it was taken: a replay from it starts with
    /// line `line`.
    pub line: usize,
    /// The lab, forked.
    pub lab: Lab,
    /// The wire host's state, forked (None without a listener).
    pub wire: Option<WireHost>,
    /// The driver's clock speed and pause then (the journal's speed commands set them).
    pub clock: (f64, bool),
    dir: PathBuf,
}

/// The checkpoints of one run, oldest first.
pub struct Checkpoints {
    list: Vec<Checkpoint>,
    /// Where checkpoint dirs go (`<data-dir>/checkpoints`).
    root: PathBuf,
    /// Checkpoints taken so far (names their dirs).
    taken: u64,
    /// Wall time spent stepping since the last checkpoint.
    stepping: Duration,
    /// Whether checkpoints are taken at all (a journaled default lab; not a lesson).
    enabled: bool,
    /// A replay's count of lines applied (a live run counts its journal writer's lines).
    pub(super) replay_line: usize,
}

impl Checkpoints {
    /// None yet; taken under `data_dir/checkpoints` when `enabled`.
    pub fn new(data_dir: &Path, enabled: bool) -> Self {
        Self {
            list: Vec::new(),
            root: data_dir.join("checkpoints"),
            taken: 0,
            stepping: Duration::ZERO,
            enabled,
            replay_line: 0,
        }
    }

    /// Whether checkpoints are being taken.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The checkpoints, oldest first.
    pub fn list(&self) -> &[Checkpoint] {
        &self.list
    }

    /// Counts `wall` of stepping; true when a checkpoint is due at simulated `now_ms`.
    pub fn stepped(&mut self, wall: Duration, now_ms: i64) -> bool {
        if !self.enabled {
            return false;
        }
        self.stepping += wall;
        let last_ms = self.list.last().map_or(0, |c| c.t_ms);
        self.stepping >= CHECKPOINT_WALL_EVERY || now_ms - last_ms >= CHECKPOINT_SIM_EVERY_MS
    }

    /// Takes one: `lab` forked into a dir of its own, with the wire host's state.
    pub fn take(
        &mut self,
        lab: &Lab,
        wire: Option<&WireHost>,
        line: usize,
        clock: (f64, bool),
    ) -> Result<(), String> {
        self.stepping = Duration::ZERO;
        self.taken += 1;
        let dir = self.root.join(self.taken.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let lab = match lab.fork(&dir) {
            Ok(l) => l,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        if self.list.len() >= CHECKPOINTS_MAX {
            self.thin();
        }
        self.list.push(Checkpoint {
            t_ms: lab.now_ms(),
            line,
            lab,
            wire: wire.map(WireHost::fork),
            clock,
            dir,
        });
        Ok(())
    }

    /// Drops every other checkpoint but the newest, removing their dirs.
    fn thin(&mut self) {
        let newest = self.list.len().saturating_sub(1);
        let mut i = 0;
        self.list.retain(|c| {
            let keep = i % 2 == 0 || i == newest;
            i += 1;
            if !keep {
                let _ = std::fs::remove_dir_all(&c.dir);
            }
            keep
        });
    }

    /// After the journal forked at `at_ms` keeping `kept` lines: checkpoints of the abandoned
    /// future go.
    pub fn forked(&mut self, at_ms: i64, kept: usize) {
        self.list.retain(|c| {
            let keep = c.t_ms <= at_ms && c.line <= kept;
            if !keep {
                let _ = std::fs::remove_dir_all(&c.dir);
            }
            keep
        });
        self.stepping = Duration::ZERO;
    }

    /// Disk bytes the checkpoints' own files take (hard-linked files shared with the run count
    /// once per name, so this is an upper bound).
    pub fn disk_bytes(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            let Ok(entries) = std::fs::read_dir(p) else {
                return 0;
            };
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self.root)
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        for c in &self.list {
            let _ = std::fs::remove_dir_all(&c.dir);
        }
    }
}

impl super::driver::Driver {
    /// After a step that took `wall`: takes a checkpoint when one is due (a failure to take one
    /// only costs speed, so it is dropped silently).
    pub(super) fn maybe_checkpoint(&mut self, wall: Duration) {
        let now = self.lab.now_ms();
        if !self.travel.checkpoints.stepped(wall, now) {
            return;
        }
        let line = match self.attachments.journal.as_ref() {
            Some(j) => j.lines(),
            None => self.travel.checkpoints.replay_line,
        };
        let wire = self.attachments.wire.as_ref().map(|w| w.host());
        let clock = (self.clock.speed(), self.clock.paused());
        let _ = self.travel.checkpoints.take(&self.lab, wire, line, clock);
    }
}

/// Which checkpoint to rebuild the past at `target_ms` from: the newest taken at or before
/// `target_ms` and at or before journal line `line_max` (the past needs no line it has not
/// applied: lines at the checkpoint's instant may come after it, and an undo stops before a
/// line). `points` are (t_ms, line) oldest first; returns its index.
pub fn pick(points: &[(i64, usize)], target_ms: i64, line_max: usize) -> Option<usize> {
    points
        .iter()
        .rposition(|&(t, line)| t <= target_ms && line <= line_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_checkpoint_at_or_before_the_instant_and_the_line_is_picked() {
        let points = [(0, 0), (10_000, 4), (20_000, 9), (20_000, 11), (30_000, 15)];
        assert_eq!(pick(&points, 25_000, usize::MAX), Some(3));
        assert_eq!(
            pick(&points, 20_000, usize::MAX),
            Some(3),
            "ties: the later"
        );
        assert_eq!(
            pick(&points, 20_000, 10),
            Some(2),
            "not past the line needed"
        );
        assert_eq!(pick(&points, 19_999, usize::MAX), Some(1));
        assert_eq!(pick(&points, 99_000, 3), Some(0));
        assert_eq!(
            pick(&points[1..], 5_000, usize::MAX),
            None,
            "before the first"
        );
        assert_eq!(pick(&[], 5_000, usize::MAX), None);
    }

    #[test]
    fn thinning_keeps_the_newest_and_every_other_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::cluster::config::ClusterConfig::new(1, 1, dir.path().join("run"));
        let mut lab = Lab::new(config).unwrap();
        let mut cps = Checkpoints::new(dir.path(), true);
        for i in 0..CHECKPOINTS_MAX + 1 {
            lab.advance_by(10);
            cps.take(&lab, None, i, (1.0, false)).unwrap();
        }
        let lines: Vec<usize> = cps.list().iter().map(|c| c.line).collect();
        assert_eq!(lines.len(), CHECKPOINTS_MAX / 2 + 2);
        assert_eq!(&lines[..3], &[0, 2, 4]);
        assert_eq!(lines.last(), Some(&CHECKPOINTS_MAX));
        let dirs = std::fs::read_dir(dir.path().join("checkpoints"))
            .unwrap()
            .count();
        assert_eq!(dirs, lines.len(), "dropped checkpoints' dirs are removed");
        // A fork of the journal at a checkpoint's instant drops the ones after it.
        let at = cps.list()[5].t_ms;
        cps.forked(at, lines[5]);
        assert_eq!(cps.list().len(), 6);
        cps.forked(at, lines[5] - 1);
        assert_eq!(cps.list().len(), 5, "a checkpoint past the kept lines goes");
    }
}
