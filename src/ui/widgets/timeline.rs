//! Event timeline: the shown events with `HH:MM:SS.mmm`, coloured by category, scrollable; the
//! last election and the last kill pinned at the top (`▲`) once they scroll out.

use super::fit::fit_line;
use super::panel;
use crate::cluster::event::{Event, EventKind};
use crate::text::event::event_line;
use crate::text::width::cells;
use crate::ui::app::{App, Panel};
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use crate::ui::timeline_filter::window;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The marker of a pinned row (readable without colour).
pub const PIN_MARK: &str = "▲ ";

fn line<'a>(e: &Event, labels: bool, pinned: bool, theme: &Theme) -> Line<'a> {
    let category = e.kind.category();
    let style = theme.category(category);
    let mut spans = vec![Span::styled(e.clock(), theme.dim()), Span::raw(" ")];
    if pinned {
        spans.push(Span::styled(PIN_MARK, theme.header()));
    }
    if labels {
        // Padded by terminal cells: a Chinese label is half as many characters as it is wide.
        let label = crate::text::reason::category(category);
        spans.push(Span::styled(
            format!("{} ", crate::text::width::pad_right(label, 9)),
            style,
        ));
    }
    if let EventKind::Check { passed, .. } = &e.kind {
        // A glyph as well as a style, so passes and failures show without colour too.
        let glyph = if *passed { "✓ " } else { "✗ " };
        let style = theme.check(*passed);
        spans.push(Span::styled(
            format!("{glyph}{}", event_line(&e.kind)),
            style,
        ));
    } else {
        let style = if pinned {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        };
        spans.push(Span::styled(event_line(&e.kind), style));
    }
    Line::from(spans)
}

/// The panel title: what the filter shows, how many lines it hides, how far it is scrolled.
pub fn title(app: &App, shown: usize, scroll: usize) -> String {
    let mut title = format!(
        "{} · {}",
        text("panel.timeline"),
        app.timeline_filter.label()
    );
    let hidden = app.events.len() - shown;
    if hidden > 0 {
        let n = hidden.to_string();
        title.push_str(&text_with("panel.timeline_hidden", &[("hidden", &n)]));
    }
    if scroll > 0 {
        let n = scroll.to_string();
        title.push_str(&text_with("panel.timeline_scrolled", &[("newer", &n)]));
    }
    title
}

/// Draws the timeline, newest event at the bottom; scrolling shows older ones.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Panel::Timeline;
    let rows = area.height.saturating_sub(2) as usize;
    let events = app.timeline_events();
    let w = window(&events, rows, app.timeline_scroll);
    let scroll = events.len() - w.end;
    let title = title(app, events.len(), scroll);
    // The key hint only where it leaves the title whole.
    let hint = text("panel.timeline_hint");
    let hint = if cells(&title) + cells(hint) + 6 <= area.width as usize {
        hint
    } else {
        ""
    };
    let block = panel(&title, hint, focused, theme);
    // The category label only when the message still gets room.
    let labels = area.width >= 90;
    // A line too long for the panel ends at a word with `…`, not mid-word.
    let width = area.width.saturating_sub(2) as usize;
    let mut body: Vec<Line> = w
        .pinned
        .iter()
        .map(|&i| fit_line(line(events[i], labels, true, theme), width))
        .collect();
    body.extend(
        events[w.start..w.end]
            .iter()
            .map(|e| fit_line(line(e, labels, false, theme), width)),
    );
    // The bottom row is the one `e` explains: highlighted while the timeline has focus.
    if focused
        && w.end > w.start
        && let Some(last) = body.last_mut()
    {
        last.style = super::row_style(true, true, theme);
    }
    if body.is_empty() {
        let empty = if app.events.is_empty() {
            text("timeline.no_events")
        } else {
            text("timeline.none_of_kind")
        };
        body.push(Line::styled(empty, theme.dim()));
    }
    frame.render_widget(Paragraph::new(body).block(block), area);
}
