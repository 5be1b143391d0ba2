//! Terminal width of text: a CJK character takes two cells, so padding and cutting count cells
//! (`unicode-width`), never chars or bytes, and never split a character.

use unicode_width::UnicodeWidthChar;
use unicode_width::UnicodeWidthStr;

/// Terminal cells `s` takes.
pub fn cells(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Terminal cells one char takes (0 for control chars).
pub fn char_cells(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest prefix of `s` that fits in `width` cells, ending on a char boundary.
pub fn take_cells(s: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = char_cells(c);
        if used + w > width {
            return &s[..i];
        }
        used += w;
    }
    s
}

/// `s` padded with spaces on the right to `width` cells (unchanged when already wider).
pub fn pad_right(s: &str, width: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(cells(s))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_cells_and_is_never_cut_mid_character() {
        assert_eq!(cells("分区"), 4);
        assert_eq!(cells("ISR 副本"), 8);
        assert_eq!(take_cells("分区副本", 5), "分区");
        assert_eq!(take_cells("ab分", 3), "ab");
        assert_eq!(take_cells("abc", 9), "abc");
        assert_eq!(pad_right("主题", 6), "主题  ");
        assert_eq!(cells(&pad_right("主题", 6)), 6);
    }
}
