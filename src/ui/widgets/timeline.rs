//! Event timeline: the newest events with `HH:MM:SS.mmm`, coloured by category, scrollable.

use super::panel;
use crate::cluster::event::EventKind;
use crate::ui::app::{App, Panel};
use crate::ui::text::{text, text_with};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the timeline, newest event at the bottom; scrolling shows older ones.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Panel::Timeline;
    let visible = area.height.saturating_sub(2) as usize;
    // Scrolled to the top, the oldest events still fill the panel (after a resize too).
    let scroll = app
        .timeline_scroll
        .min(app.events.len().saturating_sub(visible));
    let title = if scroll > 0 {
        text_with("panel.timeline_scrolled", &[("newer", &scroll.to_string())])
    } else {
        text("panel.timeline").to_string()
    };
    let block = panel(&title, text("panel.timeline_hint"), focused, theme);
    let end = app.events.len().saturating_sub(scroll);
    let start = end.saturating_sub(visible);
    // The category label only when the message still gets room.
    let labels = area.width >= 90;
    let lines: Vec<Line> = app
        .events
        .range(start..end)
        .map(|e| {
            let category = e.kind.category();
            let style = theme.category(category);
            let mut spans = vec![Span::styled(e.clock(), theme.dim()), Span::raw(" ")];
            if labels {
                spans.push(Span::styled(format!("{:<9} ", category.label()), style));
            }
            if let EventKind::Check { passed, .. } = &e.kind {
                // A glyph as well as a style, so passes and failures show without colour too.
                let glyph = if *passed { "✓ " } else { "✗ " };
                let style = theme.check(*passed);
                spans.push(Span::styled(format!("{glyph}{}", e.kind), style));
            } else {
                spans.push(Span::styled(e.kind.to_string(), style));
            }
            Line::from(spans)
        })
        .collect();
    let body = if lines.is_empty() {
        vec![Line::styled(" no events yet", theme.dim())]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(body).block(block), area);
}
