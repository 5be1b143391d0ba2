//! Throughput: produced and consumed records/s as sparklines, newest on the right.

use super::{panel, thousands};
use crate::ui::app::App;
use crate::ui::text::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Sparkline;

fn series(frame: &mut Frame, area: Rect, label: &str, data: &[u64], style: Style) {
    let [text, spark] =
        Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(area);
    let last = data.last().copied().unwrap_or(0);
    let line = Line::from(vec![
        Span::styled(format!("{label:<5}"), style),
        Span::raw(format!("{:>6}/s", thousands(last))),
    ]);
    frame.render_widget(line, text);
    // The newest samples that fit, right-aligned like a scrolling strip chart.
    let width = spark.width as usize;
    let tail = &data[data.len().saturating_sub(width)..];
    let pad = width - tail.len();
    let mut bars = vec![None; pad];
    bars.extend(tail.iter().map(|v| Some(*v)));
    let max = tail.iter().copied().max().unwrap_or(0).max(1);
    frame.render_widget(Sparkline::default().data(bars).max(max).style(style), spark);
}

/// Draws the throughput panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let t = &app.snapshot.throughput;
    let block = panel(text("panel.throughput"), "", false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let top_h = inner.height.div_ceil(2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    series(frame, top, "prod", &t.produced_per_sec, theme.produced());
    if bottom.height > 0 {
        series(frame, bottom, "cons", &t.consumed_per_sec, theme.consumed());
    }
}
