//! Brokers: id, state, controller mark, partitions led, bytes on disk.

use super::{human_bytes, mark, panel, row_style};
use crate::cluster::snapshot::BrokerState;
use crate::ui::app::{App, Panel};
use crate::ui::rows::scroll_start;
use crate::ui::text::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

/// The controller's mark.
pub const CONTROLLER_MARK: &str = "★";

/// How a broker state reads.
pub fn state_label(state: BrokerState) -> &'static str {
    match state {
        BrokerState::Up => "up",
        BrokerState::ShuttingDown => "shutting down",
        BrokerState::Down => "DOWN",
    }
}

/// Draws the brokers panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Panel::Brokers;
    let snap = &app.snapshot;
    // In a lesson `b` goes back to the start, so killing a broker moves to `B`.
    let hint = if app.lesson_mode {
        text("panel.brokers_hint_lesson")
    } else {
        text("panel.brokers_hint")
    };
    let block = panel(text("panel.brokers"), hint, focused, theme);
    let wide = area.width >= 50;
    let visible = area.height.saturating_sub(3) as usize;
    let start = scroll_start(app.selection.broker, visible);
    let rows = snap
        .brokers
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, b)| {
            let selected = i == app.selection.broker;
            let ctrl = if b.is_controller {
                CONTROLLER_MARK
            } else {
                " "
            };
            let mut state = vec![Span::styled(state_label(b.state), theme.broker(b.state))];
            if b.slow {
                state.push(Span::styled(
                    " slow",
                    theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync),
                ));
            }
            let mut cells = vec![
                Cell::from(format!("{}{ctrl}", mark(selected))),
                Cell::from(b.id.to_string()),
                Cell::from(Line::from(state)),
                Cell::from(b.partitions_led.to_string()),
            ];
            if wide {
                cells.push(Cell::from(b.replicas.to_string()));
            }
            cells.push(Cell::from(human_bytes(b.bytes_on_disk)));
            if wide {
                cells.push(Cell::from(
                    b.port.map(|p| p.to_string()).unwrap_or_default(),
                ));
            }
            Row::new(cells).style(row_style(selected, focused, theme))
        });
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["", "id", "state", "led", "replicas", "disk", "port"],
            vec![
                Constraint::Length(2),
                Constraint::Length(2),
                Constraint::Length(18),
                Constraint::Length(3),
                Constraint::Length(8),
                Constraint::Length(10),
                Constraint::Length(5),
            ],
        )
    } else {
        (
            vec!["", "id", "state", "led", "disk"],
            vec![
                Constraint::Length(2),
                Constraint::Length(2),
                Constraint::Length(13),
                Constraint::Length(3),
                Constraint::Length(10),
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
    if snap.brokers.is_empty() {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        frame.render_widget(Line::styled("waiting for the lab…", theme.dim()), inner);
    }
}
