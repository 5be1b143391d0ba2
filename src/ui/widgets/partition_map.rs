//! Partition map: brokers × partitions, each cell the replica's role and its LEO.

use super::{mark, panel, row_style};
use crate::cluster::snapshot::{PartitionSnapshot, ReplicaRole};
use crate::ui::app::{App, Panel};
use crate::ui::rows::{partition_order, scroll_start};
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

/// One-letter role, readable without colour.
pub fn role_letter(role: ReplicaRole) -> &'static str {
    match role {
        ReplicaRole::Leader => "L",
        ReplicaRole::InSync => "F",
        ReplicaRole::OutOfSync => "O",
        ReplicaRole::Offline => "X",
    }
}

/// What the letters mean.
pub fn legend() -> &'static str {
    text("panel.partition_map_legend")
}

fn cell<'a>(p: &PartitionSnapshot, broker: i32, theme: &Theme) -> Cell<'a> {
    match p.replica_states.iter().find(|r| r.broker == broker) {
        // A replica whose broker is down has no known LEO (the lab reports -1).
        Some(r) if r.log_end_offset < 0 => {
            Cell::from(Span::styled(role_letter(r.role), theme.role(r.role)))
        }
        Some(r) => Cell::from(Span::styled(
            format!("{} {}", role_letter(r.role), r.log_end_offset),
            theme.role(r.role),
        )),
        None => Cell::from(Span::styled("·", theme.dim())),
    }
}

/// Draws the partition map; it scrolls with the partitions table's selection, and when not every
/// broker fits, its columns follow the brokers panel's selection.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Partitions;
    let order = partition_order(snap);
    let visible = area.height.saturating_sub(3) as usize;
    let start = scroll_start(app.selection.partition, visible);
    let name_w = super::partition_name_width(snap, &order, 9, 22) + 1;
    let cell_w = snap
        .partitions
        .iter()
        .flat_map(|p| p.replica_states.iter())
        .map(|r| r.log_end_offset.to_string().len() + 2)
        .max()
        .unwrap_or(3)
        .max(3) as u16;
    let inner_w = area.width.saturating_sub(2);
    let fit = (inner_w.saturating_sub(name_w) / (cell_w + 1)).max(1) as usize;
    let n = snap.brokers.len();
    let first = if n <= fit {
        0
    } else {
        scroll_start(app.selection.broker, fit)
    };
    let shown = &snap.brokers[first.min(n)..(first + fit).min(n)];
    let title = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) if shown.len() < n => {
            let (first, last) = (a.id.to_string(), b.id.to_string());
            text_with(
                "panel.partition_map_some",
                &[
                    ("first", &first),
                    ("last", &last),
                    ("brokers", &n.to_string()),
                ],
            )
        }
        _ => text("panel.partition_map").to_string(),
    };
    let legend = if area.width >= 70 + title.len() as u16 - 13 {
        legend()
    } else {
        ""
    };
    let block = panel(&title, legend, false, theme);
    let rows = order
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(row, &i)| {
            let p = &snap.partitions[i];
            let selected = row == app.selection.partition;
            let mut cells = vec![Cell::from(format!("{}{}", mark(selected), p.tp))];
            cells.extend(shown.iter().map(|b| cell(p, b.id, theme)));
            Row::new(cells).style(row_style(selected, focused, theme))
        });
    let mut header = vec![Cell::from(" partition")];
    header.extend(shown.iter().map(|b| {
        let s = format!("b{}", b.id);
        Cell::from(Span::styled(s, theme.broker(b.state)))
    }));
    let mut widths = vec![Constraint::Length(name_w)];
    widths.extend(shown.iter().map(|_| Constraint::Length(cell_w)));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}
