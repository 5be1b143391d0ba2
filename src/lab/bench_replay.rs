//! `kafka-lab bench replay`: how long reaching a point of a recorded run takes — from the
//! checkpoints taken while it was recorded (what a rewind costs), and, as the baseline measured in
//! the same run, by re-stepping it from the start — against the simulated time the run took to
//! record live (real time at ×1). Each point reached from a checkpoint is compared with the same
//! point reached from the start: they must be the same lab.

use super::command::Command;
use super::core::Lab;
use super::journal::{Header, Input, Journal, Line, Start};
use super::replay::Replay;
use super::snapshot::LabSnapshot;
use crate::clients::spec::{ConsumerSpec, ProducerSpec};
use crate::cluster::config::ClusterConfig;
use crate::cluster::topic::TopicSpec;
use std::path::Path;
use std::time::Instant;

/// Random instants measured per run.
const RANDOM_POINTS: usize = 3;

/// One measured run.
#[derive(Clone, Debug)]
pub struct ReplayFigure {
    /// What the run was.
    pub what: String,
    /// Simulated ms the run lasted (the real time it took to record at ×1).
    pub run_ms: i64,
    /// Records the brokers acknowledged in it.
    pub records: u64,
    /// Wall ms to re-step from the start to its middle.
    pub to_middle_ms: f64,
    /// Wall ms to re-step from the start to its end.
    pub to_end_ms: f64,
    /// Wall ms to reach each of a few seeded random instants (simulated ms, wall ms), as a rewind
    /// or a jump to an event does.
    pub to_random_ms: Vec<(i64, f64)>,
    /// Checkpoints taken while recording, and the disk their own files take.
    pub checkpoints: usize,
    /// Bytes of the checkpoints' files (hard links counted in full: an upper bound).
    pub checkpoint_bytes: u64,
    /// Wall ms to reach the middle, the end and each random instant from the checkpoints.
    pub from_checkpoint_ms: Vec<(i64, f64)>,
    /// Whether every point reached from a checkpoint was the lab reached from the start.
    pub same_state: bool,
}

impl ReplayFigure {
    /// The slowest of the random instants (wall ms).
    pub fn worst_random_ms(&self) -> f64 {
        self.to_random_ms
            .iter()
            .map(|(_, ms)| *ms)
            .fold(0.0, f64::max)
    }

    /// The slowest point reached from a checkpoint (wall ms): what the targets are about.
    pub fn worst_from_checkpoint_ms(&self) -> f64 {
        self.from_checkpoint_ms
            .iter()
            .map(|(_, ms)| *ms)
            .fold(0.0, f64::max)
    }
}

impl std::fmt::Display for ReplayFigure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: recorded in {:.0} s, {} records; re-stepping to the middle {:.0} ms, to the end {:.0} ms ({:.4} of the recording time); to {} random instants at most {:.0} ms",
            self.what,
            self.run_ms as f64 / 1000.0,
            self.records,
            self.to_middle_ms,
            self.to_end_ms,
            self.to_end_ms / self.run_ms.max(1) as f64,
            self.to_random_ms.len(),
            self.worst_random_ms()
        )?;
        let baseline = self.to_end_ms.max(self.worst_random_ms());
        write!(
            f,
            "\n  with {} checkpoints ({:.1} MB): any of those {} points at most {:.0} ms ({:.3} of re-stepping from the start){}",
            self.checkpoints,
            self.checkpoint_bytes as f64 / 1e6,
            self.from_checkpoint_ms.len(),
            self.worst_from_checkpoint_ms(),
            self.worst_from_checkpoint_ms() / baseline.max(0.001),
            if self.same_state {
                ", each the same lab as from the start"
            } else {
                ", BUT NOT THE SAME LAB as from the start"
            }
        )
    }
}

/// The default lab's setup: topic `test` (2 partitions, RF 3), a producer at `rate`, and two
/// consumers in `lab-group`.
fn setup(rate: f64) -> Vec<Command> {
    let mut consumers = Vec::new();
    for name in ["consumer-A", "consumer-B"] {
        let mut c = ConsumerSpec::new("lab-group", "test");
        c.client_id = Some(name.into());
        consumers.push(Command::SpawnConsumer(c));
    }
    let mut out = vec![
        Command::CreateTopic(TopicSpec::new("test", 2, 3)),
        Command::SpawnProducer(ProducerSpec::new("test", rate)),
    ];
    out.extend(consumers);
    out
}

/// Measures one run of `run_ms` with a producer at `rate` records/s, step `step_ms`, a broker
/// killed at a sixth of the run and restarted at a third.
fn measure(
    dir: &Path,
    what: &str,
    run_ms: i64,
    rate: f64,
    step_ms: i64,
) -> Result<ReplayFigure, String> {
    let mut config = ClusterConfig::new(3, 7, dir.join("recorded"));
    config.step_ms = step_ms;
    let header = Header::new(config, Start::Commands(setup(rate)), None, true);
    let line = |t: i64, input: Input| Line { t, input };
    let journal = Journal {
        header,
        lines: vec![
            line(run_ms / 6, Input::Cmd(Command::KillBroker(1))),
            line(run_ms / 3, Input::Cmd(Command::RestartBroker(1))),
            line(run_ms, Input::End),
        ],
        torn_tail: false,
    };
    // The baseline: re-stepping from the start to `t_ms`; returns the wall ms, the records and
    // the lab's snapshot there.
    let from_start = |sub: &str, t_ms: i64| -> Result<(f64, u64, LabSnapshot), String> {
        let lab: Lab = Replay::start_lab(&journal.header, &dir.join(sub))?;
        let start = Instant::now();
        let mut replay = Replay::new(lab, None, journal.clone());
        replay.advance_to(t_ms).map_err(|e| e.to_string())?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let records = replay.lab().producers().map(|p| p.acknowledged).sum();
        let snap = replay.snapshot();
        drop(replay);
        // Each point's logs go once measured: a million-record run's are large.
        let _ = std::fs::remove_dir_all(dir.join(sub));
        Ok((ms, records, snap))
    };
    // The recording: the run stepped once, as fast as it goes, taking checkpoints as the live
    // driver does.
    let lab: Lab = Replay::start_lab(&journal.header, &dir.join("recording"))?;
    let mut recording = Replay::new(lab, None, journal.clone());
    recording.take_checkpoints(&dir.join("recording"));
    recording.advance_to(run_ms).map_err(|e| e.to_string())?;
    let checkpoints = recording.checkpoints();
    // A rewind: the newest checkpoint at or before `t_ms`, forked, then the lines after it.
    let from_checkpoint = |sub: &str, t_ms: i64| -> Result<(f64, LabSnapshot), String> {
        let start = Instant::now();
        let points: Vec<(i64, usize)> = checkpoints
            .list()
            .iter()
            .map(|c| (c.t_ms, c.line))
            .collect();
        let lines = journal.lines.iter().filter(|l| l.t <= t_ms).count();
        let mut replay = match super::checkpoint::pick(&points, t_ms, lines) {
            Some(i) => {
                Replay::from_checkpoint(&checkpoints.list()[i], &dir.join(sub), journal.clone())?
            }
            None => Replay::new(
                Replay::start_lab(&journal.header, &dir.join(sub))?,
                None,
                journal.clone(),
            ),
        };
        replay.advance_to(t_ms).map_err(|e| e.to_string())?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let snap = replay.snapshot();
        drop(replay);
        let _ = std::fs::remove_dir_all(dir.join(sub));
        Ok((ms, snap))
    };
    // A few instants a viewer might jump to, the same every run (a seeded draw).
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let mut instants = vec![run_ms / 2, run_ms];
    instants.extend((0..RANDOM_POINTS).map(|_| rng.random_range(0..=run_ms)));
    let mut baseline = Vec::new();
    let mut from_checkpoint_ms = Vec::new();
    let mut same_state = true;
    let mut records = 0;
    for (i, &t) in instants.iter().enumerate() {
        let (ms, recs, expected) = from_start(&format!("start-{i}"), t)?;
        let (ck_ms, got) = from_checkpoint(&format!("checkpoint-{i}"), t)?;
        same_state &= got == expected;
        baseline.push((t, ms));
        from_checkpoint_ms.push((t, ck_ms));
        records = records.max(recs);
    }
    let figure = ReplayFigure {
        what: what.into(),
        run_ms,
        records,
        to_middle_ms: baseline[0].1,
        to_end_ms: baseline[1].1,
        to_random_ms: baseline[2..].to_vec(),
        checkpoints: checkpoints.list().len(),
        checkpoint_bytes: checkpoints.disk_bytes(),
        from_checkpoint_ms,
        same_state,
    };
    drop(recording);
    let _ = std::fs::remove_dir_all(dir.join("recording"));
    Ok(figure)
}

/// Runs the replay benchmark under `dir`: the default lab for 10 minutes (live steps of 1 ms, as
/// with the wire listener, and 10 ms without), and a run holding about `records` records.
pub fn run_replay_bench(dir: &Path, records: usize) -> Result<Vec<ReplayFigure>, String> {
    let ten_minutes = 600_000;
    let mut out = vec![
        measure(
            dir,
            "default lab, 10 min, 1 ms steps (listener on), targets < 200 ms",
            ten_minutes,
            5.0,
            1,
        )?,
        measure(
            dir,
            "default lab, 10 min, 10 ms steps (--no-listen)",
            ten_minutes,
            5.0,
            10,
        )?,
    ];
    // A producer at 50,000 records/s for as long as `records` take, 1 ms steps; target < 2 s.
    let rate = 50_000.0;
    let run_ms = ((records as f64 / rate) * 1000.0) as i64;
    out.push(measure(
        dir,
        &format!("{records} records at 50,000/s, 1 ms steps, targets < 2 s"),
        run_ms.max(1000),
        rate,
        1,
    )?);
    Ok(out)
}
