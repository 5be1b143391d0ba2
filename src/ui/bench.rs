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
    let frames = frames.max(1);
    let started = Instant::now();
    for i in 0..frames {
        // A changing selection, so every frame differs like a live one.
        app.selection.partition = i as usize % 50;
        let _ = terminal.draw(|f| draw(f, &app));
    }
    started.elapsed() / frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_lab_renders_well_within_a_tick() {
        let per_frame = bench_render(160, 48, 50);
        println!("bench_render 160x48, 9 brokers, 50 partitions, 10 groups: {per_frame:?}/frame");
        // The release target is 2 ms; debug builds on a busy machine get generous headroom, but a
        // frame must always fit in the 100 ms tick.
        assert!(per_frame < Duration::from_millis(100), "{per_frame:?}");
    }
}
