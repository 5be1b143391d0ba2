//! Lesson captions wrapped to the banner's width, in terminal cells. The layout sizes the banner
//! with them and the banner widget draws them, so this sits below both.

use crate::lab::snapshot::LessonStatus;
use crate::text::text;
use crate::text::width::{cells, char_cells, take_cells};

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
