//! `draw`: the whole screen as a pure function of the app state.

use super::app::{App, Mode};
use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use super::widgets;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

/// Draws every panel, then the overlay of the current mode.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let Some(a) = super::layout::areas(area, &app.snapshot) else {
        too_small(frame, area, app);
        return;
    };
    widgets::brokers::render(frame, a.brokers, app);
    widgets::partition_map::render(frame, a.map, app);
    widgets::partitions::render(frame, a.partitions, app);
    widgets::groups::render(frame, a.groups, app);
    widgets::producers::render(frame, a.producers, app);
    widgets::throughput::render(frame, a.throughput, app);
    widgets::timeline::render(frame, a.timeline, app);
    widgets::status::render(frame, a.status, app);
    widgets::lesson::render(frame, a.banner, app);
    if let Some(view) = &app.log_view {
        widgets::replica_log::render(frame, widgets::replica_log::area(&a), app, view);
    }
    match &app.mode {
        // The filter line is the status bar's.
        Mode::Normal | Mode::Confirm(_) | Mode::Filter => {}
        Mode::Help => widgets::help::render(frame, area, app),
        Mode::Transactions => widgets::transactions::render(frame, area, app),
        Mode::Explain { target, scroll } => {
            widgets::explain::render(frame, area, app, target, *scroll)
        }
        Mode::Dialog(d) => widgets::dialog::render(frame, area, app, d),
    }
}

/// The message shown instead of the dashboard below the minimum size.
pub fn too_small_message(width: u16, height: u16) -> String {
    format!(
        "Terminal too small: {width}×{height}. kafka-lab needs at least {MIN_WIDTH}×{MIN_HEIGHT}. \
         Enlarge the window (q quits)."
    )
}

fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = too_small_message(area.width, area.height);
    let p = Paragraph::new(Line::styled(text, app.theme.header())).wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}
