//! The lesson banner: which lesson, how far (step i/N), the caption, and failed expectations.

use crate::lab::snapshot::LessonStatus;
use crate::ui::app::App;
use crate::ui::widgets::status::sim_time;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// What the banner says the presenter can do next.
pub fn next_hint(l: &LessonStatus, now_ms: i64) -> String {
    if l.waiting_for_key {
        "press n for the next step".into()
    } else if l.finished {
        let total = l.passed + l.failed.len();
        format!("done: {}/{total} checks passed · b starts over", l.passed)
    } else if let Some(at) = l.next_at_ms {
        if at <= now_ms {
            "checking the next expectation…".into()
        } else {
            format!("next step at {}", sim_time(at))
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
            format!(" LESSON {}/{} ", l.step.min(l.steps), l.steps),
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
        let text = l
            .caption
            .clone()
            .unwrap_or_else(|| "The lesson is starting…".into());
        let caption = Paragraph::new(Line::raw(format!(" {text}"))).wrap(Wrap { trim: false });
        frame.render_widget(
            caption,
            Rect::new(area.x, area.y + 1, area.width, caption_rows),
        );
    }
    if let Some(first) = l.failed.first() {
        let more = match l.failed.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        let line = Line::styled(format!(" ✗ FAILED {first}{more}"), theme.error());
        frame.render_widget(
            line,
            Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        );
    }
}
