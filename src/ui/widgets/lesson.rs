//! The lesson banner: which lesson, how far (step i/N), the caption, and failed expectations.

use crate::lab::snapshot::LessonStatus;
use crate::text::{text, text_with};
use crate::ui::app::App;
use crate::ui::caption::caption_lines;
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
