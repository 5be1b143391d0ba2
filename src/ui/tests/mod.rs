//! Unit tests of `update` and snapshot tests (insta, `TestBackend`) of every panel and the whole
//! screen, from the hand-made lab in [`super::fixture`]: one file per concern, the buffer-to-text
//! and key-pressing helpers here. Snapshots live in `tests/snapshots/`, named by test module.

use super::action::Action;
use super::app::{App, update};
use super::view::draw;
use crate::lab::command::Command;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

mod attach;
mod attach_clients;
mod chinese;
mod countdowns;
mod dialogs;
mod frames;
mod keys;
mod lesson;
mod log_view;
mod paging;
mod quorum;
mod reset;
mod run_loop;
mod screens;
mod timeline;
mod travel;

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buffer[(x, y)].symbol();
            skip = unicode_width(s).saturating_sub(1);
            line.push_str(s);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(s: &str) -> usize {
    use ratatui::text::Span;
    Span::raw(s).width().max(1)
}

fn screen(app: &App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

fn screen_text(app: &App) -> String {
    text(&screen(app))
}

type PanelFn = fn(&mut ratatui::Frame, Rect, &App);

fn panel_text(app: &App, area: Rect, render: PanelFn) -> String {
    let mut t = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    t.draw(|f| render(f, f.area(), app)).unwrap();
    text(t.backend().buffer())
}

fn press(app: &mut App, keys: &str) -> Vec<Command> {
    let mut out = Vec::new();
    for c in keys.chars() {
        let action = match c {
            '\t' => Action::NextField,
            '\n' => Action::Submit,
            '\x1b' => Action::Cancel,
            '\x08' => Action::Backspace,
            c => Action::Input(c),
        };
        out.extend(update(app, action));
    }
    out
}

/// A destructive action answered with `y`: nothing is sent until the answer, then the command;
/// then the keys-dropped wait after the answer passes, as it does between a presenter's keys.
fn confirmed(app: &mut App, action: Action) -> Option<Command> {
    assert_eq!(update(app, action), None, "{action:?} asks first");
    if !matches!(app.mode, super::app::Mode::Confirm(_)) {
        return None;
    }
    let sent = update(app, Action::Submit);
    for _ in 0..super::app::DIALOG_GUARD_TICKS {
        update(app, Action::Tick);
    }
    sent
}

fn clear_field(app: &mut App) {
    for _ in 0..40 {
        update(app, Action::Backspace);
    }
}
