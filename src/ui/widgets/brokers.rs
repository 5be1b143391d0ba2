//! Brokers: id, state, controller mark, partitions led, bytes on disk; a killed broker counts
//! its silence against `broker.session.timeout.ms` until the controller notices and elects, and a
//! restarted one its fence against `broker.heartbeat.interval.ms` until its heartbeat lifts it.

use super::countdown::{broker_fence, broker_session};
use super::{human_bytes, mark, more_rows, panel, row_style, stale};
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
        BrokerState::Up => text("broker_state.up"),
        BrokerState::ShuttingDown => text("broker_state.shutting_down"),
        BrokerState::Down => text("broker_state.down"),
    }
}

/// Draws the brokers panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let focused = app.focus == Panel::Brokers;
    let snap = &app.snapshot;
    // In a lesson `b` goes back to the start, so killing a broker moves to `B`.
    let hint = if snap.attached.is_some() {
        text("panel.brokers_hint_attach")
    } else if app.lesson_mode {
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
                    format!(" {}", text("brokers.slow")),
                    theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync),
                ));
            }
            // Down at once, but the controller waits for the session to expire before it elects
            // new leaders: the wait is the outage, so it counts on the broker's own row.
            let state_w = if wide { 18 } else { 13 };
            if let Some(c) = broker_session(b, snap.now_ms, &snap.settings) {
                state.push(Span::styled(
                    format!(" {}", c.fit(state_w - 5)),
                    theme.error(),
                ));
            } else if let Some(c) = broker_fence(b, snap.now_ms, &snap.settings) {
                // Restarted but fenced: out of every ISR until its next heartbeat. A narrow row
                // keeps the word and leaves the clock to the border.
                let shown = if wide {
                    c.fit(state_w - 3)
                } else {
                    c.short.to_string()
                };
                state.push(Span::styled(
                    format!(" {shown}"),
                    theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync),
                ));
            } else if b.leaderless > 0 {
                state.push(Span::styled(
                    format!(" {}", text("brokers.electing")),
                    theme.error(),
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
            // A down broker's logs are closed: its size is as it stopped.
            let down = b.state == BrokerState::Down;
            let size = if snap.sizes_unknown() {
                "-".to_string()
            } else {
                human_bytes(b.bytes_on_disk)
            };
            cells.push(Cell::from(stale(size, down)));
            if wide {
                cells.push(Cell::from(
                    b.port.map(|p| p.to_string()).unwrap_or_default(),
                ));
            }
            Row::new(cells).style(row_style(selected, focused, theme))
        });
    // As wide as its head in the chosen language (a CJK character takes two cells).
    let led_w = (crate::text::width::cells(text("brokers.led")) as u16).max(3);
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "",
                "id",
                text("column.state"),
                text("brokers.led"),
                text("column.replicas"),
                text("column.disk"),
                text("column.port"),
            ],
            vec![
                Constraint::Length(2),
                Constraint::Length(2),
                Constraint::Length(18),
                Constraint::Length(led_w),
                Constraint::Length(8),
                Constraint::Length(10),
                Constraint::Length(5),
            ],
        )
    } else {
        (
            vec![
                "",
                "id",
                text("column.state"),
                text("brokers.led"),
                text("column.disk"),
            ],
            vec![
                Constraint::Length(2),
                Constraint::Length(2),
                Constraint::Length(13),
                Constraint::Length(led_w),
                Constraint::Length(10),
            ],
        )
    };
    let mut block = block;
    let room = area.width.saturating_sub(4) as usize;
    let silent = snap.brokers.iter().find_map(|b| {
        let who = format!("b{}", b.id);
        broker_session(b, snap.now_ms, &snap.settings)
            .map(|c| c.legend(&who, room, true))
            .or_else(|| {
                broker_fence(b, snap.now_ms, &snap.settings).map(|c| c.legend(&who, room, wide))
            })
    });
    // A lost quorum is the one thing the panel must say first: nothing is elected until it ends.
    let legend = match super::quorum::lost_line_in(snap, room).or(silent) {
        Some(text) => Some(text),
        None if snap.brokers.iter().any(|b| b.state == BrokerState::Down) => {
            Some(text("brokers.last_known").to_string())
                .filter(|t| crate::text::width::cells(t) <= room)
        }
        None => None,
    };
    if let Some(text) = legend.filter(|t| !t.is_empty()) {
        let style = if super::quorum::lost(snap) {
            theme.error()
        } else {
            theme.dim()
        };
        block = block.title_bottom(Line::styled(format!(" {text} "), style));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .block(more_rows(
            block,
            snap.brokers.len().saturating_sub(visible),
            theme,
        ));
    frame.render_widget(table, area);
    // The controllers' lines go in the rows the brokers leave free (a blank row between).
    let used = 2 + snap.brokers.len() as u16 + 1;
    if area.height > used + 2 {
        let quorum = Rect::new(
            area.x + 2,
            area.y + used + 1,
            area.width.saturating_sub(4),
            area.height - used - 2,
        );
        super::quorum::render(frame, quorum, app);
    }
    if snap.brokers.is_empty() {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        frame.render_widget(Line::styled(text("brokers.waiting"), theme.dim()), inner);
    }
}
