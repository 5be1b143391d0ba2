//! Throughput: produced and consumed records/s as sparklines, newest on the right, on one shared
//! scale with headroom, so a steady rate reads as a flat line below the top and a change shows.

use super::{panel, thousands};
use crate::ui::app::App;
use crate::ui::text::{text, text_with};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Sparkline;

/// The top of the sparklines' scale for a peak of `peak` records/s: the next 1, 2 or 5 × 10ⁿ
/// above the peak plus a quarter, so the peak never fills the row and a steady rate is not a
/// wall of full blocks.
pub fn scale_max(peak: u64) -> u64 {
    let target = peak + peak / 4 + 1;
    let mut decade = 1u64;
    loop {
        for step in [1, 2, 5] {
            let top = step * decade;
            if top >= target {
                return top;
            }
        }
        match decade.checked_mul(10) {
            Some(d) => decade = d,
            None => return u64::MAX,
        }
    }
}

/// The newest samples that fit in `width` columns.
fn tail(data: &[u64], width: usize) -> &[u64] {
    &data[data.len().saturating_sub(width)..]
}

fn series(
    frame: &mut Frame,
    area: Rect,
    label: &str,
    data: &[u64],
    max: u64,
    style: Style,
    scale: bool,
) {
    let [text, spark] =
        Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(area);
    let last = data.last().copied().unwrap_or(0);
    let mut lines = vec![Line::from(vec![
        Span::styled(crate::text::width::pad_right(label, 5), style),
        Span::raw(format!("{:>6}/s", thousands(last))),
    ])];
    if scale {
        // The scale in words, so the bars' height means a number.
        let top = text_with("throughput.top", &[("n", &thousands(max))]);
        // Right-aligned by terminal cells, so a CJK word does not push the unit off.
        let pad = 13usize.saturating_sub(crate::text::width::cells(&top));
        lines.push(Line::raw(format!("{}{top}", " ".repeat(pad))));
    }
    frame.render_widget(ratatui::widgets::Paragraph::new(lines), text);
    // Right-aligned like a scrolling strip chart.
    let width = spark.width as usize;
    let tail = tail(data, width);
    let pad = width - tail.len();
    let mut bars = vec![None; pad];
    bars.extend(tail.iter().map(|v| Some(*v)));
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
    let width = inner.width.saturating_sub(13) as usize;
    let peak = tail(&t.produced_per_sec, width)
        .iter()
        .chain(tail(&t.consumed_per_sec, width))
        .copied()
        .max()
        .unwrap_or(0);
    let max = scale_max(peak);
    let top_h = inner.height.div_ceil(2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    let (prod, cons) = (theme.produced(), theme.consumed());
    series(
        frame,
        top,
        text("throughput.prod"),
        &t.produced_per_sec,
        max,
        prod,
        top_h > 1,
    );
    if bottom.height > 0 {
        series(
            frame,
            bottom,
            text("throughput.cons"),
            &t.consumed_per_sec,
            max,
            cons,
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_leaves_headroom_above_the_peak() {
        assert_eq!(scale_max(0), 1);
        assert_eq!(scale_max(5), 10);
        assert_eq!(scale_max(8), 20);
        assert_eq!(scale_max(100), 200);
        assert_eq!(scale_max(1_000_000), 2_000_000);
        for peak in [1, 3, 7, 40, 99, 12_345] {
            let max = scale_max(peak);
            assert!(max > peak, "peak {peak} fills the row at scale {max}");
        }
    }

    #[test]
    fn a_steady_rate_draws_a_flat_line_below_the_top_not_full_blocks() {
        use crate::ui::fixture;
        let mut app = fixture::app(80, 24);
        let mut snap = app.snapshot.clone();
        snap.throughput.produced_per_sec = vec![5; 60];
        snap.throughput.consumed_per_sec = vec![5; 60];
        app.set_snapshot(snap);
        let area = Rect::new(0, 0, 26, 5);
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(26, 5)).unwrap();
        term.draw(|f| render(f, area, &app)).unwrap();
        let buf = term.backend().buffer().clone();
        let row = |y: u16| -> String { (14..25).map(|x| buf[(x, y)].symbol()).collect() };
        // The top series spans rows 1-2: 5 of 10 fills the lower row and leaves the upper empty.
        assert_eq!(row(1).trim(), "", "{row1}", row1 = row(1));
        assert!(row(2).chars().all(|c| c == '█'), "{}", row(2));
        // The bottom series has one row: half a block, the same height all along.
        let cons = row(3);
        let first = cons.chars().next().unwrap();
        assert!(first != '█' && cons.chars().all(|c| c == first), "{cons}");
        let text: String = (1..14).map(|x| buf[(x, 2)].symbol()).collect();
        assert!(text.contains("top 10/s"), "{text}");
    }
}
