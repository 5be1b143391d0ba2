//! The lesson banner: which lesson, how far (step i/N), the caption, and failed expectations.

use crate::lab::snapshot::LessonStatus;
use crate::text::width::{cells, char_cells, take_cells};
use crate::text::{text, text_with};
use crate::ui::app::App;
use crate::ui::widgets::status::sim_time;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the banner says the presenter can do next.
pub fn next_hint(l: &LessonStatus, now_ms: i64) -> String {
    if l.waiting_for_key {
        text("lesson.press_n").into()
    } else if l.reading_until_ms.is_some_and(|at| at > now_ms) {
        // The caption on screen is being read; the presenter may cut that short.
        text("lesson.reading").into()
    } else if l.finished {
        let total = l.passed + l.failed.len();
        let (passed, total) = (l.passed.to_string(), total.to_string());
        text_with("lesson.done", &[("passed", &passed), ("total", &total)])
    } else if let Some(at) = l.next_at_ms {
        if at <= now_ms {
            text("lesson.checking").into()
        } else {
            text_with("lesson.next_at", &[("at", &sim_time(at))])
        }
    } else {
        String::new()
    }
}

/// Caption rows at most: three on small terminals, four from 30 rows up; past that the last
/// row ends in `…`.
pub fn caption_rows_max(height: u16) -> usize {
    if height >= 30 { 4 } else { 3 }
}

/// The caption (or a placeholder before the first one) word-wrapped to `width` columns, each
/// row indented by one space, at most `rows_max` rows. Layout and drawing both use it, so the
/// banner is exactly as tall as its caption.
pub fn caption_lines(l: &LessonStatus, width: u16, rows_max: usize) -> Vec<String> {
    let text = l.caption.as_deref().unwrap_or(text("lesson.starting"));
    let width = usize::from(width.saturating_sub(1)).max(10);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    // Widths are terminal cells: a Chinese character takes two. Chinese has no spaces between
    // words, so each wide character is a unit a row may break after, while a run of narrow
    // characters (an English word, `session.timeout.ms`) moves to the next row whole (cut only
    // when longer than a row).
    for word in text.split_whitespace() {
        for (i, unit) in units(word).into_iter().enumerate() {
            let space = usize::from(i == 0 && !row.is_empty());
            if !row.is_empty() && cells(&row) + space + cells(unit) > width {
                rows.push(std::mem::take(&mut row));
            } else if space == 1 {
                row.push(' ');
            }
            let mut rest = unit;
            while cells(rest) > width {
                let head = take_cells(rest, width);
                rows.push(head.to_string());
                rest = &rest[head.len()..];
            }
            row.push_str(rest);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    if rows.len() > rows_max {
        rows.truncate(rows_max.max(1));
        if let Some(last) = rows.last_mut() {
            while cells(last) + 1 > width {
                last.pop();
            }
            last.push('…');
        }
    }
    rows.into_iter().map(|r| format!(" {r}")).collect()
}

/// `word` split where a row may break: each wide (CJK) character alone, narrow runs whole.
fn units(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if char_cells(c) > 1 {
            if start < i {
                out.push(&word[start..i]);
            }
            out.push(&word[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// Draws the banner into `area` (nothing outside lessons).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(l) = &app.snapshot.lesson else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let header = Line::from(vec![
        Span::styled(
            text_with(
                "lesson.step",
                &[
                    ("step", &l.step.min(l.steps).to_string()),
                    ("steps", &l.steps.to_string()),
                ],
            ),
            theme.paused(),
        ),
        Span::styled(
            format!(" {} ", next_hint(l, app.snapshot.now_ms)),
            theme.header(),
        ),
        Span::styled(format!("│ {}", l.title), theme.dim()),
    ]);
    frame.render_widget(header, Rect::new(area.x, area.y, area.width, 1));
    let failed_rows = u16::from(!l.failed.is_empty());
    let caption_rows = area.height.saturating_sub(1 + failed_rows);
    if caption_rows > 0 {
        let rows = caption_lines(l, area.width, usize::from(caption_rows));
        let caption = Paragraph::new(rows.into_iter().map(Line::raw).collect::<Vec<_>>());
        frame.render_widget(
            caption,
            Rect::new(area.x, area.y + 1, area.width, caption_rows),
        );
    }
    if let Some(first) = l.failed.first() {
        let more = match l.failed.len() {
            1 => String::new(),
            n => text_with("lesson.more", &[("n", &(n - 1).to_string())]),
        };
        let line = Line::styled(
            text_with(
                "lesson.failed",
                &[("first", &first.to_string()), ("more", &more)],
            ),
            theme.error(),
        );
        frame.render_widget(
            line,
            Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        );
    }
}
