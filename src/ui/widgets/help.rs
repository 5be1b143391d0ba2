//! The `?` overlay, generated from the keymap table so it can never drift from the keys.

use crate::cluster::config::Profile;
use crate::ui::app::App;
use crate::ui::keymap::bindings;
use crate::ui::text::text;
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
                Span::raw(b.description()),
            ])
        })
        .collect()
}

/// The help's last words, below the keys: the dialogs, then the Kafka version the lab follows
/// and its profile; wrapped to the overlay's width, never cut off.
pub fn footer(app: &App) -> String {
    let key = match app.snapshot.cluster.settings.profile {
        Profile::Teaching => "help.version_teaching",
        Profile::Kafka => "help.version_kafka",
    };
    format!("{} {}", text("help.footer"), text(key))
}

/// Width of one column of keys, border excluded.
const COL_W: u16 = 38;

/// `text` broken at spaces into lines of at most `width` columns (a longer word gets its own line).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let w = Span::raw(word).width();
        if !line.is_empty() && Span::raw(line.as_str()).width() + 1 + w > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws the help overlay centred over `area`, in two columns when one does not fit.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let lines = help_lines(app);
    // Box width for `cols` columns, and the footer wrapped inside it (one space of margin).
    let layout = |cols: u16| {
        let width = (COL_W * cols + 3).min(area.width);
        let footer = wrap_words(&footer(app), width.saturating_sub(3).max(1) as usize);
        (width, footer)
    };
    let (width, footer) = layout(1);
    // Keys, a blank line, the footer, and the two borders.
    let one_col = lines.len() + 1 + footer.len() + 2 <= area.height as usize;
    let cols: u16 = if one_col { 1 } else { 2 };
    let (width, footer) = if one_col { (width, footer) } else { layout(2) };
    let rows = (lines.len() as u16).div_ceil(cols);
    let foot_h = footer.len() as u16;
    // The blank line between keys and footer goes first when the screen is short.
    let gap = u16::from(rows + 1 + foot_h + 2 <= area.height);
    let height = (rows + gap + foot_h + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(app.theme.border(true))
        .title(Line::styled(
            format!(" {} ", text("help.title")),
            app.theme.header(),
        ))
        .title_bottom(
            Line::styled(format!(" {} ", text("help.close")), app.theme.dim()).right_aligned(),
        );
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [body, foot] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(foot_h)]).areas(inner);
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
    let footer: Vec<Line> = footer
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), app.theme.dim()))
        .collect();
    frame.render_widget(Paragraph::new(footer), foot);
}

#[cfg(test)]
mod tests {
    use crate::cluster::config::KAFKA_VERSION;
    use crate::text::{Lang, text_in};

    #[test]
    fn the_help_names_the_kafka_version_the_lab_follows_in_every_language() {
        let version = format!("Kafka {KAFKA_VERSION}");
        for lang in [Lang::En, Lang::Zh] {
            for key in ["help.version_teaching", "help.version_kafka"] {
                assert!(text_in(lang, key).contains(&version), "{lang:?} {key}");
            }
        }
    }
}
