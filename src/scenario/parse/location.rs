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
