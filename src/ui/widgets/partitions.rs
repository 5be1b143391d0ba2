//! Partitions table: leader, epoch, replicas, ISR (out-of-sync highlighted), offsets, segments.
//! A partition whose leader is down keeps its last known offsets and size, marked `~`.

use super::countdown::retention;
use super::{human_bytes, ids, known, leader_down, mark, more_rows, panel, row_style, stale};
use crate::cluster::snapshot::{PartitionSnapshot, ReplicaRole};
use crate::text::width::cells;
use crate::ui::app::{App, Panel};
use crate::ui::rows::{partition_order_shown, scroll_start};
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

/// The ISR cell: members, then replicas outside the ISR marked `✗` in the out-of-sync style, or
/// `e` when they are eligible leader replicas (ELR): out of the ISR but able to lead cleanly.
pub fn isr_line<'a>(p: &PartitionSnapshot, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::raw(ids(&p.isr))];
    for r in p.replicas.iter().filter(|r| !p.isr.contains(r)) {
        let role = p
            .replica_states
            .iter()
            .find(|s| s.broker == *r)
            .map(|s| s.role)
            .unwrap_or(ReplicaRole::OutOfSync);
        let role = if role == ReplicaRole::Offline {
            ReplicaRole::Offline
        } else {
            ReplicaRole::OutOfSync
        };
        let mark = if p.elr.contains(r) { 'e' } else { '✗' };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("{mark}{r}"), theme.role(role)));
    }
    Line::from(spans)
}

/// `topic-N` in at most `width` chars: a long topic name is cut with `…`, the partition kept.
fn fit_name(tp: &crate::cluster::types::TopicPartition, width: usize) -> String {
    let full = tp.to_string();
    if cells(&full) <= width {
        return full;
    }
    let suffix = format!("-{}", tp.partition);
    let keep = width.saturating_sub(suffix.len() + 1);
    let topic: String = tp.topic.chars().take(keep).collect();
    format!("{topic}…{suffix}")
}

/// Draws the partitions table.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Partitions;
    let order = partition_order_shown(snap, app.show_internal);
    let any_down = order.iter().any(|i| leader_down(&snap.partitions[*i]));
    // The marks a room must decode are named in the title, without colour.
    let any_elr = order.iter().any(|i| !snap.partitions[*i].elr.is_empty());
    let hint = match (any_down && area.width >= 60, any_elr) {
        (true, true) if area.width >= 80 => text("panel.partitions_hint_down_elr"),
        (true, _) => text("panel.partitions_hint_down"),
        (false, true) => text("panel.partitions_hint_elr"),
        (false, false) => text("panel.partitions_hint"),
    };
    let title = super::internal_title(text("panel.partitions"), snap, app.show_internal);
    let block = panel(&title, hint, focused, theme);
    let visible = area.height.saturating_sub(3) as usize;
    let start = scroll_start(app.selection.partition, visible);
    let name_w = super::partition_name_width(snap, &order, 9, 24);
    let digits = |f: fn(&PartitionSnapshot) -> i64, header: &str| -> u16 {
        order
            .iter()
            .map(|i| &snap.partitions[*i])
            .filter(|p| known(p))
            .map(|p| f(p).to_string().len() + usize::from(leader_down(p)))
            .max()
            .unwrap_or(1)
            .max(cells(header)) as u16
    };
    // An open transaction holds the LSO below the HW: then the column says both, `HW/LSO`.
    let lso_differs = |p: &PartitionSnapshot| known(p) && p.last_stable_offset < p.high_watermark;
    let any_lso = order.iter().any(|i| lso_differs(&snap.partitions[*i]));
    let hw_head = if any_lso { "HW/LSO" } else { "HW" };
    let hw_text = |p: &PartitionSnapshot| {
        if lso_differs(p) {
            format!("{}/{}", p.high_watermark, p.last_stable_offset)
        } else {
            p.high_watermark.to_string()
        }
    };
    let (start_w, leo_w) = (
        digits(|p| p.log_start_offset, text("partitions.start")),
        digits(|p| p.log_end_offset, "LEO"),
    );
    let hw_w = order
        .iter()
        .map(|i| &snap.partitions[*i])
        .filter(|p| known(p))
        .map(|p| hw_text(p).len() + usize::from(leader_down(p)))
        .max()
        .unwrap_or(1)
        .max(cells(hw_head)) as u16;
    // When the panel is narrow, long topic names give way (keeping the partition number) before
    // ratatui squeezes every column.
    // Wide enough for "leader down", which stands in for an unknown size, when a row needs it.
    let size_w: u16 = if any_down { 11 } else { 9 };
    let others: u16 = 4 + 6 + 9 + 10 + hw_w + 1 + leo_w + 1 + size_w + 1;
    let name_w = name_w.min(area.width.saturating_sub(2 + others + 1)).max(9);
    let partition_head = format!(" {}", text("partitions.partition"));
    let columns: [(&str, u16, bool); 10] = [
        (partition_head.as_str(), name_w + 1, true),
        (text("partitions.ldr"), 3, true),
        ("epoch", 5, true),
        (text("column.replicas"), 8, true),
        (text("partitions.isr"), 9, true),
        (text("partitions.start"), start_w, false),
        (hw_head, hw_w, true),
        ("LEO", leo_w, true),
        (text("partitions.seg"), 3, false),
        (text("partitions.size"), size_w, true),
    ]
    // A head wider than its column (a CJK one) widens it rather than being cut.
    .map(|(head, w, always)| (head, w.max(cells(head) as u16), always));
    // Log start offset and segment count only when every column fits.
    let total: u16 = columns.iter().map(|c| c.1 + 1).sum();
    let full = total <= area.width.saturating_sub(2) + 1;
    let rows = order
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(row, &i)| {
            let p = &snap.partitions[i];
            let selected = row == app.selection.partition;
            let down = leader_down(p);
            let leader = match p.leader {
                // Still the leader on the controller's books, but its broker is down.
                Some(l) if down => Cell::from(Span::styled(format!("↓{l}"), theme.error())),
                Some(l) => Cell::from(l.to_string()),
                None => Cell::from(Span::styled(text("partitions.none"), theme.error())),
            };
            let mut cells = vec![
                Cell::from(format!(
                    "{}{}",
                    mark(selected),
                    fit_name(&p.tp, name_w as usize)
                )),
                leader,
                Cell::from(p.leader_epoch.to_string()),
                Cell::from(ids(&p.replicas)),
                Cell::from(isr_line(p, theme)),
            ];
            if down && !known(p) {
                // Nobody has read the leader's log: unknown, not -1 or 0 B.
                let unknown = || Cell::from(Span::styled("-", theme.dim()));
                cells.extend((0..if full { 4 } else { 2 }).map(|_| unknown()));
                cells.push(Cell::from(Span::styled(
                    text("partitions.leader_down"),
                    theme.error(),
                )));
                return Row::new(cells).style(row_style(selected, focused, theme));
            }
            // Last known while the leader is down, marked so nobody reads them as live.
            let value = |v: String| {
                let v = stale(v, down);
                if down {
                    Cell::from(Span::styled(v, theme.dim()))
                } else {
                    Cell::from(v)
                }
            };
            if full {
                cells.push(value(p.log_start_offset.to_string()));
            }
            cells.push(value(hw_text(p)));
            cells.push(value(p.log_end_offset.to_string()));
            if full {
                cells.push(value(p.segments.to_string()));
            }
            cells.push(value(human_bytes(p.size_bytes)));
            Row::new(cells).style(row_style(selected, focused, theme))
        });
    let shown: Vec<_> = columns.iter().filter(|c| full || c.2).collect();
    let widths: Vec<Constraint> = shown.iter().map(|c| Constraint::Length(c.1)).collect();
    let header = Row::new(shown.iter().map(|c| c.0).collect::<Vec<_>>()).style(theme.header());
    let hidden = order.len().saturating_sub(visible);
    let mut block = more_rows(block, hidden, theme);
    // Retention's clock, where the border has room for it whole.
    let next = retention(snap.next_retention_check_ms, snap.now_ms, &snap.settings);
    let room = (area.width as usize).saturating_sub(20);
    // `setting()` adds Kafka's default when the teaching profile shortened the interval; where
    // that does not fit, the config's name alone (its value, unlabelled, would pass for Kafka's).
    let left = super::countdown::secs(next.limit_ms - next.elapsed_ms);
    let line = [next.setting(), next.config.to_string()]
        .into_iter()
        .map(|s| {
            text_with(
                "partitions.next_retention_check",
                &[("in", &left), ("setting", &s)],
            )
        })
        .find(|t| cells(t) + 2 <= room)
        .unwrap_or_default();
    if snap.next_retention_check_ms > 0 && !line.is_empty() {
        block = block.title_bottom(Line::styled(format!(" {line} "), theme.dim()).right_aligned());
    }
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}
