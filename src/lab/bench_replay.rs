//! `kafka-lab bench replay`: how long reaching a point of a recorded run takes by re-stepping it
//! from the start (what a replay, and a rewind built on it, costs), against the simulated time the
//! run took to record live (real time at ×1).

use super::command::Command;
use super::core::Lab;
use super::journal::{Header, Input, Journal, Line, Start};
use super::replay::Replay;
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
}

impl ReplayFigure {
    /// The slowest of the random instants (wall ms).
    pub fn worst_random_ms(&self) -> f64 {
        self.to_random_ms
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
    let time_to = |sub: &str, t_ms: i64| -> Result<(f64, u64), String> {
        let lab: Lab = Replay::start_lab(&journal.header, &dir.join(sub))?;
        let start = Instant::now();
        let mut replay = Replay::new(lab, None, journal.clone());
        replay.advance_to(t_ms).map_err(|e| e.to_string())?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let records = replay.lab().producers().map(|p| p.acknowledged).sum();
        drop(replay);
        // Each point's logs go once measured: a million-record run's are large.
        let _ = std::fs::remove_dir_all(dir.join(sub));
        Ok((ms, records))
    };
    let (to_middle_ms, _) = time_to("middle", run_ms / 2)?;
    let (to_end_ms, records) = time_to("end", run_ms)?;
    // A few instants a viewer might jump to, the same every run (a seeded draw).
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let mut to_random_ms = Vec::new();
    for i in 0..RANDOM_POINTS {
        let t = rng.random_range(0..=run_ms);
        let (ms, _) = time_to(&format!("random-{i}"), t)?;
        to_random_ms.push((t, ms));
    }
    Ok(ReplayFigure {
        what: what.into(),
        run_ms,
        records,
        to_middle_ms,
        to_end_ms,
        to_random_ms,
    })
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
