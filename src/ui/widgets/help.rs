//! The `?` overlay, generated from the keymap table so it can never drift from the keys.

use crate::ui::app::App;
use crate::ui::keymap::bindings;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

/// Width of the key column.
const KEY_W: usize = 6;

/// One help line per binding, in keymap order.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    bindings(app.lesson_mode)
        .into_iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:>KEY_W$} ", b.shown), app.theme.header()),
                Span::raw(b.description),
            ])
        })
        .collect()
}

/// Draws the help overlay centred over `area`, in two columns when one does not fit.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let lines = help_lines(app);
    let footer = 2u16;
    let one_col = lines.len() as u16 + 2 + footer <= area.height;
    let cols: u16 = if one_col { 1 } else { 2 };
    let rows = (lines.len() as u16).div_ceil(cols);
    let col_w = 38u16;
    let width = (col_w * cols + 3).min(area.width);
    let height = (rows + 2 + footer).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border(true))
        .title(Line::styled(" Keys ", app.theme.header()))
        .title_bottom(Line::styled(" Esc or ? closes ", app.theme.dim()).right_aligned());
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let chunks = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols as usize])
        .spacing(1)
        .split(body);
    for (i, chunk) in chunks.iter().enumerate() {
        let part: Vec<Line> = lines
            .iter()
            .skip(i * rows as usize)
            .take(rows as usize)
            .cloned()
            .collect();
        frame.render_widget(Paragraph::new(part), *chunk);
    }
    frame.render_widget(
        Line::styled(
            " Dialogs: Tab next field, Enter submit, Esc cancel. Click a row to select it.",
            app.theme.dim(),
        ),
        foot,
    );
}
