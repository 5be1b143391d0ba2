//! The position bar: where in the run the screen is, drawn in the status row while the screen
//! shows the past of a live run (`PAST — paused`) or a replay. The label and the bar's shape say
//! it without colour: `━` is the run before the instant shown, `●` the instant, `─` what follows.

use super::fit::fit_at;
use super::status::sim_time;
use crate::lab::TravelStatus;
use crate::text::text;
use crate::text::width::cells;
use crate::ui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The bar itself, `width` cells: the share of the run before `at_ms` filled.
pub fn bar(at_ms: i64, run_ms: i64, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let share = if run_ms <= 0 {
        1.0
    } else {
        (at_ms.clamp(0, run_ms) as f64) / run_ms as f64
    };
    let dot = ((share * (width - 1) as f64).round() as usize).min(width - 1);
    let mut s = String::with_capacity(width * 3);
    s.extend(std::iter::repeat_n('━', dot));
    s.push('●');
    s.extend(std::iter::repeat_n('─', width - 1 - dot));
    s
}

/// Draws the position bar over the whole status row.
pub fn render(frame: &mut Frame, area: Rect, app: &App, travel: TravelStatus) {
    let theme = &app.theme;
    let (label, hints) = if travel.past {
        (text("bar.past"), text("bar.past_hints"))
    } else {
        (text("bar.replay"), text("bar.replay_hints"))
    };
    let times = format!(
        " {} / {} ",
        sim_time(travel.at_ms),
        sim_time(travel.run_ms).trim_start_matches("t+")
    );
    let mut spans = vec![
        Span::styled(format!(" {label} "), theme.paused()),
        Span::styled(times, theme.header()),
    ];
    let used: usize = spans.iter().map(|s| cells(&s.content)).sum();
    let width = area.width as usize;
    // A fifth of the row, at least 10 cells, so the hints keep their room at 80 columns.
    let bar_cells = (width / 5)
        .clamp(10, 60)
        .min(width.saturating_sub(used + 2));
    spans.push(Span::raw(format!(
        "{} ",
        bar(travel.at_ms, travel.run_ms, bar_cells)
    )));
    let used = used + bar_cells + 1;
    let room = width.saturating_sub(used + 1);
    let said = app.flash.as_deref().unwrap_or(hints);
    spans.push(Span::styled(
        format!(" {}", fit_at(said, room, "  ")),
        theme.dim(),
    ));
    frame.render_widget(Line::from(spans), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dot_marks_the_share_of_the_run_shown() {
        assert_eq!(bar(0, 100, 5), "●────");
        assert_eq!(bar(50, 100, 5), "━━●──");
        assert_eq!(bar(100, 100, 5), "━━━━●");
        assert_eq!(bar(500, 100, 5), "━━━━●", "past the end stays at the end");
        assert_eq!(bar(0, 0, 3), "━━●", "an empty run is all shown");
        assert_eq!(bar(1, 2, 0), "");
    }
}
