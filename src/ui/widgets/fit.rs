//! Cutting text to a width at a word boundary with `…`, never mid-word, so a header or a hint
//! that does not fit still reads as words.

use crate::text::width::{cells, char_cells, take_cells};
use ratatui::text::{Line, Span};

/// The ellipsis that ends cut text.
pub const ELLIPSIS: char = '…';

/// How many bytes of `text` to keep so that they plus `…` fit in `width` terminal cells, cutting
/// where `sep` starts or between two CJK characters (Chinese has no spaces between words);
/// `None` when the whole text fits. Counting cells keeps a CJK character (two cells) whole.
fn cut_at(text: &str, width: usize, sep: &str) -> Option<usize> {
    if cells(text) <= width {
        return None;
    }
    let head = take_cells(text, width.saturating_sub(1));
    // The cut lands on a boundary when the text right after it starts with `sep`, or when a
    // wide character stands on either side of it.
    let rest = &text[head.len()..];
    let wide = |c: Option<char>| c.is_some_and(|c| char_cells(c) > 1);
    if rest.starts_with(sep) {
        return Some(head.trim_end().len());
    }
    if wide(head.chars().next_back()) || wide(rest.chars().next()) {
        return Some(head.len());
    }
    match head.rfind(sep) {
        Some(byte) => Some(head[..byte].trim_end().len()),
        // One word longer than the room: cut it, as nothing else would show at all.
        None => Some(head.len()),
    }
}

/// `text` in at most `width` cells, cut at the last `sep` that fits and ended with `…`.
pub fn fit_at(text: &str, width: usize, sep: &str) -> String {
    match cut_at(text, width, sep) {
        None => text.to_string(),
        Some(keep) => {
            let mut out = text[..keep].to_string();
            out.push(ELLIPSIS);
            out
        }
    }
}

/// `text` in at most `width` cells, cut at a word boundary and ended with `…`.
pub fn fit_words(text: &str, width: usize) -> String {
    fit_at(text, width, " ")
}

/// A styled line in at most `width` cells, cut at a word boundary with `…` in the style of the
/// span it cuts.
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let keep = cut_at(&text, width, " ");
    let mut left = keep.unwrap_or(usize::MAX);
    let mut spans = Vec::new();
    let mut last_style = line.style;
    for s in line.spans {
        if left == 0 {
            break;
        }
        // `left` counts bytes of the joined text, so it falls on a char boundary of this span.
        let n = s.content.len();
        last_style = s.style;
        if n <= left {
            left -= n;
            spans.push(Span::styled(s.content.into_owned(), s.style));
        } else {
            spans.push(Span::styled(s.content[..left].to_string(), s.style));
            left = 0;
        }
    }
    if keep.is_some() {
        spans.push(Span::styled(ELLIPSIS.to_string(), last_style));
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_untouched() {
        assert_eq!(fit_words("lab-group Stable", 16), "lab-group Stable");
        assert_eq!(fit_words("lab-group Stable", 40), "lab-group Stable");
    }

    #[test]
    fn long_text_is_cut_at_the_last_word_that_fits() {
        // "…leade" was the bug: a word cut in half.
        let header = "lab-group Stable gen 3 range coord b1 leader consumer-A";
        let cut = fit_words(header, 42);
        assert_eq!(cut, "lab-group Stable gen 3 range coord b1…");
        assert!(cut.chars().count() <= 42);
        // A cut that lands just before a space keeps the whole word.
        assert_eq!(fit_words("one two three", 8), "one two…");
    }

    #[test]
    fn a_single_long_word_is_cut_rather_than_dropped() {
        assert_eq!(fit_words("__consumer_offsets", 8), "__consu…");
    }

    #[test]
    fn chinese_is_cut_between_characters_within_its_cells() {
        // 12 cells of text in 7: three characters (6 cells) and the ellipsis, none split.
        assert_eq!(fit_words("消费者组再均衡", 7), "消费者…");
        assert_eq!(fit_words("消费者组再均衡", 8), "消费者…");
        assert_eq!(cells(&fit_words("leader 选举完成了", 10)), 10);
        assert_eq!(fit_words("leader 选举完成了", 10), "leader 选…");
        let line = Line::from(vec![Span::raw("分区"), Span::raw("副本同步")]);
        let cut = fit_line(line, 7);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "分区副…");
    }

    #[test]
    fn hints_are_cut_between_groups_of_keys() {
        let hints = "? help  q quit  Tab focus  b/s/r broker";
        assert_eq!(fit_at(hints, 30, "  "), "? help  q quit  Tab focus…");
    }

    #[test]
    fn a_styled_line_keeps_its_styles_up_to_the_cut() {
        use ratatui::style::Style;
        let bold = Style::new().bold();
        let line = Line::from(vec![
            Span::styled("lab-group", bold),
            Span::raw(" Stable gen 3 leader consumer-A"),
        ]);
        let cut = fit_line(line, 24);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "lab-group Stable gen 3…");
        assert_eq!(cut.spans[0].style, bold);
        let whole = fit_line(Line::from("short"), 24);
        assert_eq!(whole.spans.len(), 1);
    }
}
