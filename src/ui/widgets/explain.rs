//! The `e` overlay: the explanation of the selected row or event, wrapped to the screen and
//! scrollable with ↑↓ when it is longer than the screen is high.

use super::help::wrap_words;
use crate::ui::app::App;
use crate::ui::explain::{Target, explain};
use crate::ui::text::text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

/// Widest the overlay gets: longer lines are hard to follow from the back of a room.
const WIDTH_MAX: u16 = 78;

/// The explanation of `target` as lines of at most `width` columns, a blank line between
/// paragraphs.
pub fn explain_lines(app: &App, target: &Target, width: usize) -> (String, Vec<String>) {
    let x = explain(&app.snapshot, target, app.lesson_mode);
    let mut lines = Vec::new();
    for (i, p) in x.paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.extend(wrap_words(p, width));
    }
    (x.title, lines)
}

/// The box of the overlay over `area` and its wrapped lines.
fn layout(area: Rect, app: &App, target: &Target) -> (Rect, String, Vec<String>) {
    let width = WIDTH_MAX.min(area.width);
    // Borders and one space of margin each side.
    let (title, lines) = explain_lines(app, target, width.saturating_sub(4).max(1) as usize);
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    (rect, title, lines)
}

/// The farthest the overlay scrolls at the app's size: the last line at the bottom.
pub fn scroll_max(app: &App, target: &Target) -> u16 {
    let (rect, _, lines) = layout(app.size, app, target);
    lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize) as u16
}

/// Draws the explanation of `target` centred over `area`, scrolled down `scroll` lines.
pub fn render(frame: &mut Frame, area: Rect, app: &App, target: &Target, scroll: u16) {
    let theme = &app.theme;
    let (rect, title, lines) = layout(area, app, target);
    let visible = rect.height.saturating_sub(2) as usize;
    let scroll = (scroll as usize).min(lines.len().saturating_sub(visible));
    let more = visible < lines.len();
    let hint = if more {
        format!(" {} · {} ", text("explain.more"), text("explain.close"))
    } else {
        format!(" {} ", text("explain.close"))
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(Line::styled(format!(" {title} "), theme.header()))
        .title_bottom(Line::styled(hint, theme.dim()).right_aligned());
    let body: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(visible)
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(body).block(block), rect);
}
