//! Frame-time benchmark: renders a large lab into ratatui's `TestBackend`.

use super::app::App;
use super::fixture;
use super::theme::Theme;
use super::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

/// Mean time to draw one full frame of a lab with 9 brokers, 50 partitions and 10 groups at
/// `width`×`height`, over `frames` frames (the target is under 2 ms in a release build).
pub fn bench_render(width: u16, height: u16, frames: u32) -> Duration {
    let mut app = App::new(Theme::colored(), width, height);
    app.set_snapshot(fixture::large_snapshot(9, 50, 10));
    for e in fixture::events().into_iter().cycle().take(500) {
        app.push_event(e);
    }
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    mean_frame(frames, |i| {
        // A changing selection, so every frame differs like a live one.
        app.selection.partition = i as usize % 50;
        let _ = terminal.draw(|f| draw(f, &app));
    })
}

/// Mean time to draw one frame that is a plain `Paragraph` filling the same `width`×`height`
/// `TestBackend`, its text changing every frame: what ratatui itself costs per frame on this
/// machine, in this build, right now. The dashboard's frame time is judged against it.
pub fn bench_plain_frame(width: u16, height: u16, frames: u32) -> Duration {
    use ratatui::widgets::{Block, Borders, Paragraph};
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let lines: Vec<String> = (0..height)
        .map(|row| {
            (0..width)
                .map(|col| char::from(b'a' + ((row + col) % 26) as u8))
                .collect()
        })
        .collect();
    mean_frame(frames, |i| {
        // Rotate the rows so every cell changes, like the dashboard's changing selection.
        let text: Vec<&str> = (0..lines.len())
            .map(|r| lines[(r + i as usize) % lines.len()].as_str())
            .collect();
        let body = Paragraph::new(text.join("\n")).block(Block::default().borders(Borders::ALL));
        let _ = terminal.draw(|f| f.render_widget(body, f.area()));
    })
}

/// Mean wall time of `frames` (at least 1) calls of `draw_frame(i)`.
fn mean_frame(frames: u32, mut draw_frame: impl FnMut(u32)) -> Duration {
    let frames = frames.max(1);
    let started = Instant::now();
    for i in 0..frames {
        draw_frame(i);
    }
    started.elapsed() / frames
}

/// What [`bench_live`] measured.
#[derive(Clone, Debug)]
pub struct LiveBenchReport {
    /// Wall seconds the run lasted.
    pub secs: f64,
    /// Records/s the lab's producers had acknowledged, from the snapshots the UI received.
    pub records_per_sec: f64,
    /// Frames drawn.
    pub frames: u32,
    /// The longest gap between two frames.
    pub max_frame_gap: Duration,
    /// Mean draw time.
    pub mean_draw: Duration,
}

impl std::fmt::Display for LiveBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "live: cluster at {:.0} records/s acknowledged; UI drew {} frames in {:.1} s (10/s target), longest gap {:?}, {:?} per draw",
            self.records_per_sec, self.frames, self.secs, self.max_frame_gap, self.mean_draw
        )
    }
}

/// Runs a 3-broker lab in real time with producers at `rate` records/s (acks=1) behind the real
/// driver, and a UI loop that keeps the newest snapshot and draws on a 100 ms tick into a
/// `TestBackend`: does the UI keep up while the cluster is busy?
pub fn bench_live(dir: &std::path::Path, rate: f64, secs: f64) -> Result<LiveBenchReport, String> {
    use crate::clients::spec::ProducerSpec;
    use crate::cluster::config::ClusterConfig;
    use crate::cluster::topic::TopicSpec;
    use crate::cluster::types::Acks;
    use crate::lab::Lab;
    let dir = crate::cluster::bench::fresh_dir(dir, "ui-live")?;
    let mut lab = Lab::new(ClusterConfig::new(3, 1, &dir))?;
    lab.create_topic(TopicSpec::new("load", 6, 3))
        .map_err(|e| e.to_string())?;
    for _ in 0..4 {
        let mut p = ProducerSpec::new("load", rate / 4.0);
        p.acks = Acks::Leader;
        lab.spawn_producer(p).map_err(|e| e.to_string())?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let (driver_ch, front) = crate::lab::driver::channels();
        let driver = tokio::spawn(crate::lab::driver::run(lab, driver_ch, Default::default()));
        let mut app = App::new(Theme::colored(), 160, 48);
        let Ok(mut terminal) = Terminal::new(TestBackend::new(160, 48));
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let started = Instant::now();
        let (mut frames, mut draw_total, mut max_gap) = (0u32, Duration::ZERO, Duration::ZERO);
        let mut last_frame = Instant::now();
        let mut first: Option<(i64, u64)> = None;
        let mut last: Option<(i64, u64)> = None;
        while started.elapsed().as_secs_f64() < secs {
            tick.tick().await;
            while let Ok(e) = front.events.try_recv() {
                app.push_event(e);
            }
            let mut newest = None;
            while let Ok(s) = front.snapshots.try_recv() {
                newest = Some(s);
            }
            if let Some(s) = newest {
                let acked: u64 = s.producers.iter().map(|p| p.acknowledged).sum();
                // Count from the first snapshot that shows traffic, past the start-up.
                if first.is_none() && acked > 0 {
                    first = Some((s.now_ms, acked));
                }
                last = Some((s.now_ms, acked));
                app.set_snapshot(s);
            }
            let t0 = Instant::now();
            let _ = terminal.draw(|f| draw(f, &app));
            draw_total += t0.elapsed();
            frames += 1;
            max_gap = max_gap.max(last_frame.elapsed());
            last_frame = Instant::now();
        }
        drop(front);
        let _ = driver.await;
        let records_per_sec = match (first, last) {
            (Some((t0, a0)), Some((t1, a1))) if t1 > t0 => {
                (a1 - a0) as f64 * 1000.0 / (t1 - t0) as f64
            }
            _ => 0.0,
        };
        Ok(LiveBenchReport {
            secs: started.elapsed().as_secs_f64(),
            records_per_sec,
            frames,
            max_frame_gap: max_gap,
            mean_draw: draw_total / frames.max(1),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The large lab's frame may cost at most this many plain full-screen frames. Measured in
    /// release builds on a shared 2-core machine: 0.6–0.9 alone, up to 1.1 beside a chaos test
    /// (the plain frame rewrites every cell; the dashboard draws ten panels but changes few cells
    /// between frames). Twice that is a regression, whatever the machine's speed.
    const MAX_RATIO_TO_PLAIN: f64 = 2.0;
    /// The absolute bound in a release build: twice the 2 ms target. Measured 0.5–0.75 ms alone and
    /// up to 1.4 ms beside a chaos test on a shared 2-core machine.
    const MAX_FRAME_RELEASE: Duration = Duration::from_millis(4);
    /// A debug build compiles this crate at opt-level 1 and ratatui at 2 (Cargo.toml), which skews
    /// both the ratio and the time, so there a frame must only fit the 100 ms tick.
    const MAX_FRAME_DEBUG: Duration = Duration::from_millis(100);
    /// Rounds of each measurement, interleaved; the fastest round of each counts, so a burst of
    /// load from a neighbour on the machine does not decide the verdict.
    const ROUNDS: usize = 5;

    #[test]
    fn large_lab_renders_well_within_a_tick() {
        let (mut large, mut plain) = (Duration::MAX, Duration::MAX);
        for _ in 0..ROUNDS {
            plain = plain.min(bench_plain_frame(160, 48, 20));
            large = large.min(bench_render(160, 48, 20));
        }
        let ratio = large.as_secs_f64() / plain.as_secs_f64().max(1e-9);
        println!(
            "160x48: large lab (9 brokers, 50 partitions, 10 groups) {large:?}/frame, plain paragraph {plain:?}/frame, ratio {ratio:.1}"
        );
        if cfg!(debug_assertions) {
            assert!(
                large < MAX_FRAME_DEBUG,
                "{large:?} per frame in a debug build"
            );
            return;
        }
        assert!(
            ratio <= MAX_RATIO_TO_PLAIN,
            "the large lab's frame costs {ratio:.1} plain frames (at most {MAX_RATIO_TO_PLAIN}): {large:?} vs {plain:?}"
        );
        assert!(
            large < MAX_FRAME_RELEASE,
            "{large:?} per frame (at most {MAX_FRAME_RELEASE:?} in a release build)"
        );
    }
}
