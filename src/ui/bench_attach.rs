//! `kafka-lab bench attach`: `kafka-lab attach` on a 2,000-partition, 200-group lab served
//! in-process over the Kafka protocol, against a 12-partition, 2-group lab measured in the same
//! run. The poll cycle (median, max), the requests and bytes each broker gets per cycle (counted
//! on the connections), and the dashboard's frame on the attached snapshot at 80x24 and 160x48:
//! the first page, a paged page and a filtered view, each against the 2 ms target.

use super::action::Action;
use super::app::{App, Panel, update};
use super::theme::Theme;
use super::view::draw;
use crate::attach::bench::{Cycle, Scale, poll_cycles, session, start_seeded};
use crate::attach::build::Builder;
use crate::attach::poll::{GROUPS_PER_REQUEST, View};
use crate::lab::{AttachedCluster, LabSnapshot};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

/// The frame-time target the issue sets.
pub const FRAME_TARGET: Duration = Duration::from_millis(2);
/// The terminal sizes measured: the smallest the dashboard supports and a large one.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// The baseline cluster: what `kafka-lab --ephemeral` looks like with a few topics.
pub const BASELINE: Scale = Scale {
    partitions: 12,
    groups: 2,
};

/// The most requests one broker gets in a cycle when it coordinates `groups` groups: ListOffsets
/// twice (EARLIEST, LATEST), DescribeLogDirs (when served; the lab does not), ListGroups, then
/// DescribeGroups and OffsetFetch (v8+) per [`GROUPS_PER_REQUEST`] groups, and Metadata on
/// whichever broker answers it.
pub fn requests_bound(groups: usize) -> u64 {
    (1 + 4 + 2 * groups.div_ceil(GROUPS_PER_REQUEST)) as u64
}

/// One frame figure: a view of the attached snapshot at a size.
#[derive(Clone, Debug)]
pub struct FrameFigure {
    /// Terminal width and height.
    pub size: (u16, u16),
    /// `first page`, `paged` or `filtered`.
    pub view: &'static str,
    /// Median draw time.
    pub median: Duration,
    /// 99th percentile draw time.
    pub p99: Duration,
}

/// What one cluster measured.
#[derive(Clone, Debug)]
pub struct Side {
    /// Its size.
    pub scale: Scale,
    /// Wall time to build and seed it.
    pub seed_time: Duration,
    /// The measured poll cycles.
    pub cycles: Vec<Cycle>,
    /// Partitions and groups the last poll saw, and the groups' total lag.
    pub seen: (usize, usize, i64),
    /// Requests a broker may get per cycle ([`requests_bound`] of the most groups one broker
    /// coordinates).
    pub bound: u64,
    /// Building the attached snapshot from the view, and the table layout of one snapshot.
    pub build: Duration,
    /// Frame figures, per size and view.
    pub frames: Vec<FrameFigure>,
}

/// Both sides of the run.
#[derive(Clone, Debug)]
pub struct AttachBenchReport {
    /// The large cluster.
    pub scale: Side,
    /// The small one, measured in the same run.
    pub baseline: Side,
}

/// Runs the bench: `scale` against [`BASELINE`], `cycles` poll cycles and `frames` frames per
/// figure each, labs in `dir`.
pub fn run_attach_bench(
    dir: &Path,
    scale: Scale,
    cycles: usize,
    frames: usize,
) -> Result<AttachBenchReport, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let dir = crate::cluster::bench::fresh_dir(dir, "attach")?;
    let baseline = runtime.block_on(side(&dir.join("baseline"), BASELINE, cycles, frames))?;
    let scale = runtime.block_on(side(&dir.join("scale"), scale, cycles, frames))?;
    Ok(AttachBenchReport { scale, baseline })
}

async fn side(dir: &Path, scale: Scale, cycles: usize, frames: usize) -> Result<Side, String> {
    let lab = start_seeded(dir, scale).await?;
    let mut s = session(&lab);
    let polled = poll_cycles(&mut s, cycles.max(1)).await;
    let seed_time = lab.seed_time;
    lab.stop().await?;
    let (cycles, view) = polled.map_err(|e| e.to_string())?;
    let busiest = view
        .groups
        .iter()
        .fold(std::collections::BTreeMap::new(), |mut m, g| {
            *m.entry(g.coordinator).or_insert(0usize) += 1;
            m
        })
        .into_values()
        .max()
        .unwrap_or(0);
    let began = Instant::now();
    let snap = Builder::default().build(&view, 0, AttachedCluster::default());
    let build = began.elapsed();
    let lag: i64 = snap
        .cluster
        .groups
        .iter()
        .flat_map(|g| &g.partitions)
        .filter_map(|p| p.lag)
        .sum();
    let mut figures = Vec::new();
    for size in SIZES {
        for view in ["first page", "paged", "filtered"] {
            figures.push(frame_figure(&snap, size, view, frames));
        }
    }
    Ok(Side {
        scale,
        seed_time,
        cycles,
        seen: seen(&view, lag),
        bound: requests_bound(busiest),
        build,
        frames: figures,
    })
}

fn seen(view: &View, lag: i64) -> (usize, usize, i64) {
    let user = view
        .partitions
        .iter()
        .filter(|p| !view.internal.get(&p.tp.topic).copied().unwrap_or(false))
        .count();
    (user, view.groups.len(), lag)
}

/// Times `frames` draws of `view` of `snap` at `size` through the dashboard's own draw.
fn frame_figure(
    snap: &LabSnapshot,
    size: (u16, u16),
    view: &'static str,
    frames: usize,
) -> FrameFigure {
    let (w, h) = size;
    let mut app = App::new(Theme::colored(), w, h);
    app.set_snapshot(snap.clone());
    app.focus = Panel::Partitions;
    match view {
        "paged" => {
            update(&mut app, Action::PageDown);
            update(&mut app, Action::PageDown);
        }
        "filtered" => {
            update(&mut app, Action::Filter);
            // One topic of many: `topic-004` and `topic-040`... as a user narrows it down.
            for c in "topic-04".chars() {
                update(&mut app, Action::Input(c));
            }
            update(&mut app, Action::Submit);
        }
        _ => {}
    }
    let mut times = Vec::with_capacity(frames.max(1));
    let Ok(mut terminal) = Terminal::new(TestBackend::new(w, h));
    for i in 0..frames.max(1) {
        // A moving selection, so every frame differs as a live one does.
        update(&mut app, if i % 2 == 0 { Action::Down } else { Action::Up });
        let began = Instant::now();
        let _ = terminal.draw(|f| draw(f, &app));
        times.push(began.elapsed());
    }
    times.sort();
    FrameFigure {
        size,
        view,
        median: percentile(&times, 50),
        p99: percentile(&times, 99),
    }
}

/// The `pct`th percentile of sorted `times` (nearest rank).
fn percentile(times: &[Duration], pct: usize) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let rank = (times.len() * pct).div_ceil(100).clamp(1, times.len());
    times[rank - 1]
}

/// The median and max cycle.
fn cycle_times(cycles: &[Cycle]) -> (Duration, Duration) {
    let mut walls: Vec<Duration> = cycles.iter().map(|c| c.wall).collect();
    walls.sort();
    (
        percentile(&walls, 50),
        walls.last().copied().unwrap_or_default(),
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (median, max) = cycle_times(&self.cycles);
        let (partitions, groups, lag) = self.seen;
        writeln!(
            f,
            "{} partitions, {} groups (built and seeded in {:.1} s); the poller saw {partitions} partitions, {groups} groups, total lag {lag}",
            self.scale.partitions,
            self.scale.groups,
            self.seed_time.as_secs_f64()
        )?;
        writeln!(
            f,
            "  poll cycle over {} cycles: median {:.1} ms, max {:.1} ms",
            self.cycles.len(),
            ms(median),
            ms(max)
        )?;
        let mut per_broker: std::collections::BTreeMap<i32, (u64, u64, u64, u64)> =
            Default::default();
        for c in &self.cycles {
            for (b, t) in &c.traffic {
                let e = per_broker.entry(*b).or_default();
                e.0 = e.0.max(t.requests);
                e.1 = e.1.max(t.bytes_sent);
                e.2 = e.2.max(t.bytes_received);
                e.3 += 1;
            }
        }
        let worst = self
            .cycles
            .iter()
            .map(Cycle::max_requests)
            .max()
            .unwrap_or(0);
        let brokers: Vec<String> = per_broker
            .iter()
            .map(|(b, (r, sent, got, _))| {
                format!(
                    "broker {b}: {r} requests, {:.1} kB out, {:.1} kB in",
                    *sent as f64 / 1000.0,
                    *got as f64 / 1000.0
                )
            })
            .collect();
        writeln!(
            f,
            "  per cycle (most of any cycle): {}; bound {} a broker: {}",
            brokers.join("; "),
            self.bound,
            verdict(worst <= self.bound)
        )?;
        writeln!(f, "  attached snapshot built in {:.2} ms", ms(self.build))?;
        for fr in &self.frames {
            writeln!(
                f,
                "  frame {}x{} {:<10}: median {:.3} ms {}, p99 {:.3} ms {} (target < {} ms)",
                fr.size.0,
                fr.size.1,
                fr.view,
                ms(fr.median),
                verdict(fr.median < FRAME_TARGET),
                ms(fr.p99),
                verdict(fr.p99 < FRAME_TARGET),
                FRAME_TARGET.as_millis(),
            )?;
        }
        Ok(())
    }
}

impl std::fmt::Display for AttachBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "bench attach: kafka-lab attach's poller and dashboard on an in-process lab (3 brokers, replication factor 3, served on 127.0.0.1)"
        )?;
        write!(f, "scale: {}", self.scale)?;
        write!(f, "baseline: {}", self.baseline)?;
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
        let (sm, _) = cycle_times(&self.scale.cycles);
        let (bm, _) = cycle_times(&self.baseline.cycles);
        let sr = self
            .scale
            .cycles
            .iter()
            .map(Cycle::max_requests)
            .max()
            .unwrap_or(0);
        let br = self
            .baseline
            .cycles
            .iter()
            .map(Cycle::max_requests)
            .max()
            .unwrap_or(0);
        writeln!(
            f,
            "ratios scale/baseline: poll cycle {:.1}, requests per broker {:.2}",
            ratio(sm, bm),
            sr as f64 / br.max(1) as f64
        )?;
        for (s, b) in self.scale.frames.iter().zip(&self.baseline.frames) {
            writeln!(
                f,
                "  frame {}x{} {:<10}: median {:.2}",
                s.size.0,
                s.size.1,
                s.view,
                ratio(s.median, b.median)
            )?;
        }
        Ok(())
    }
}
