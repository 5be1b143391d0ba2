//! A dialog box: labelled fields, the focused one marked, the validation error in place.

use crate::ui::app::App;
use crate::ui::dialog::Dialog;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

/// Draws `dialog` centred over `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog) {
    let theme = &app.theme;
    let width = 60u16.min(area.width);
    let height = (dialog.fields.len() as u16 + 7).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let label_w = dialog
        .fields
        .iter()
        .map(|f| crate::text::width::cells(f.label))
        .max()
        .unwrap_or(0);
    let mut lines = vec![Line::raw("")];
    for (i, f) in dialog.fields.iter().enumerate() {
        let focused = i == dialog.focus;
        let value_style = if focused {
            theme.selected(true)
        } else {
            theme.header().remove_modifier(Modifier::BOLD)
        };
        let cursor = if focused { "▏" } else { " " };
        lines.push(Line::from(vec![
            // Right-aligned by terminal cells: a CJK label is twice as wide as it is long.
            Span::raw(format!(
                "{}{}{}: ",
                if focused { ">" } else { " " },
                " ".repeat(label_w.saturating_sub(crate::text::width::cells(f.label))),
                f.label
            )),
            Span::styled(format!("{}{cursor}", f.value), value_style),
            Span::styled(format!("  {}", f.hint), theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    match &dialog.error {
        Some(e) => lines.push(Line::styled(format!(" ✗ {e}"), theme.error())),
        None => lines.push(Line::raw("")),
    }
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(Line::styled(
            format!(" {} ", dialog.title()),
            theme.header(),
        ))
        .title_bottom(
            Line::styled(crate::text::text("dialog.footer"), theme.dim()).right_aligned(),
        );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
