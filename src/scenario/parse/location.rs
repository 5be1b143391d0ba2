//! Where in the file an error points: the span being checked, and its line, column and snippet.

use crate::scenario::model::ScenarioError;
use std::ops::Range;

impl ScenarioError {
    /// An error at byte `offset` of `source`, with the line quoted and a caret under the column.
    pub(super) fn at(file: &str, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].chars().count() + 1;
        let text = source[line_start..].lines().next().unwrap_or("");
        let snippet = format!("\n  | {text}\n  | {}^", " ".repeat(column - 1));
        Self {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
        }
    }
}

/// The part of the file being checked, so every error names the place it comes from.
pub(super) struct Ctx<'a> {
    /// The file (or built-in lesson) name.
    pub(super) file: &'a str,
    /// The whole file.
    pub(super) source: &'a str,
    /// The bytes of the table or value being checked.
    pub(super) span: Range<usize>,
}

impl<'a> Ctx<'a> {
    /// An error at the start of this span.
    pub(super) fn err(&self, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(self.file, self.source, self.span.start, message)
    }

    /// The same context pointing at `field = …` inside this table, when it is written there.
    pub(super) fn at_field(&self, field: &str) -> Ctx<'a> {
        let text = self.source.get(self.span.clone()).unwrap_or("");
        let start = text
            .match_indices(field)
            .find(|(i, _)| {
                let before = text[..*i].chars().next_back();
                let after = text[i + field.len()..].trim_start().chars().next();
                matches!(before, None | Some('\n' | ' ' | '\t' | '{' | ',')) && after == Some('=')
            })
            .map_or(self.span.start, |(i, _)| self.span.start + i);
        Ctx {
            file: self.file,
            source: self.source,
            span: start..self.span.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "[[step]]\ncaption = \"über\"\nkill_broker = 4\n";

    fn whole() -> Ctx<'static> {
        Ctx {
            file: "f.toml",
            source: SOURCE,
            span: 0..SOURCE.len(),
        }
    }

    #[test]
    fn error_quotes_the_line_with_a_caret_under_the_column() {
        let at = SOURCE.find("über").unwrap() + "über".len();
        let e = ScenarioError::at("f.toml", SOURCE, at, "bad");
        assert_eq!(
            (e.line, e.column),
            (2, 16),
            "columns count characters, not bytes"
        );
        assert_eq!(
            e.to_string(),
            "f.toml:2:16: bad\n  | caption = \"über\"\n  |                ^"
        );
    }

    #[test]
    fn an_offset_past_the_end_points_after_the_last_line() {
        let e = ScenarioError::at("f.toml", "a = 1", 99, "bad");
        assert_eq!((e.line, e.column), (1, 6));
    }

    #[test]
    fn at_field_finds_the_key_and_not_a_longer_name_containing_it() {
        let cx = whole().at_field("broker");
        assert_eq!(cx.span.start, 0, "no `broker =` here: stays at the table");
        let cx = whole().at_field("kill_broker");
        assert_eq!(cx.err("x").line, 3);
        assert_eq!(cx.err("x").column, 1);
    }
}
