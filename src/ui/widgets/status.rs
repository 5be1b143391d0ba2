//! Status bar: seed, simulated time and speed, paused state, and key hints (or the last message);
//! while a destructive key waits for `y`, the whole bar is its question.

use super::fit::{fit_at, fit_words};
use crate::text::text;
use crate::text::width::cells;
use crate::ui::app::{App, Mode, format_speed};
use crate::ui::confirm::answer_hint;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Simulated ms as `t+MM:SS` (or `t+H:MM:SS` past an hour).
pub fn sim_time(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("t+{h}:{m:02}:{s:02}")
    } else {
        format!("t+{m:02}:{s:02}")
    }
}

/// Key hints shown when there is nothing else to say (groups of keys two spaces apart).
pub fn hints() -> &'static str {
    text("status.hints")
}

/// Key hints in a lesson.
pub fn lesson_hints() -> &'static str {
    text("status.lesson_hints")
}

/// Draws the status bar.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    if let Mode::Confirm(c) = &app.mode {
        // The whole bar, so the question and its keys fit at 80 columns; the label, not a
        // colour, says that the dashboard waits for an answer.
        let line = Line::from(vec![
            Span::styled(format!(" {} ", text("bar.confirm")), theme.paused()),
            Span::styled(format!(" {} ", c.question()), theme.header()),
            Span::raw(answer_hint()),
        ]);
        frame.render_widget(line, area);
        return;
    }
    if app.mode == Mode::Filter {
        // The line being typed, with a cursor, and what it matches; the tables filter as it
        // grows.
        let line = Line::from(vec![
            Span::styled(format!(" {} ", text("bar.filter")), theme.paused()),
            Span::styled(format!(" /{}▏ ", app.filter.text()), theme.header()),
            Span::styled(text("bar.filter_hints"), theme.dim()),
        ]);
        frame.render_widget(line, area);
        return;
    }
    let snap = &app.snapshot;
    if let Some(travel) = snap.travel {
        super::position::render(frame, area, app, travel);
        return;
    }
    let mut spans = vec![Span::styled(" kafka-lab ", theme.header())];
    if let Some(a) = &snap.attached {
        spans.push(Span::raw(format!(
            "{} {} │ {} │ ",
            text("bar.attached"),
            a.bootstrap,
            crate::text::text_with(
                "bar.poll",
                &[
                    ("ms", &a.interval_ms.to_string()),
                    ("took", &a.last_poll_ms.to_string())
                ]
            ),
        )));
        if a.poll_error.is_some() {
            spans.push(Span::styled(text("bar.poll_failed"), theme.paused()));
        } else if a.writes_allowed {
            spans.push(Span::raw(text("bar.writes")));
        } else {
            spans.push(Span::raw(text("bar.read_only")));
        }
    } else if app.connected {
        spans.push(Span::raw(format!(
            "{} {} │ {} │ {} ",
            text("bar.seed"),
            snap.seed,
            sim_time(snap.now_ms),
            format_speed(app.speed)
        )));
    } else {
        spans.push(Span::styled(text("status.starting"), theme.dim()));
    }
    // A real cluster has no clock to pause: its bar says how it is polled instead.
    match (snap.attached.is_some(), app.paused) {
        (true, _) => {}
        (false, true) => spans.push(Span::styled(text("status.paused"), theme.paused())),
        (false, false) => spans.push(Span::raw(text("status.running"))),
    }
    spans.push(Span::raw(" │ "));
    // What is left of the bar: a message is cut at a word, the hints between two keys.
    let used: usize = spans.iter().map(|s| cells(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(used);
    match &app.flash {
        Some(msg) => spans.push(Span::styled(fit_words(msg, room), theme.header())),
        None if app.lesson_mode => spans.push(Span::styled(
            fit_at(lesson_hints(), room, "  "),
            theme.dim(),
        )),
        None if snap.attached.is_some() => spans.push(Span::styled(
            fit_at(text("status.attach_hints"), room, "  "),
            theme.dim(),
        )),
        None => spans.push(Span::styled(fit_at(hints(), room, "  "), theme.dim())),
    }
    frame.render_widget(Line::from(spans), area);
}
