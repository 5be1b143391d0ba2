//! Partitions table: leader, epoch, replicas, ISR (out-of-sync highlighted), offsets, segments.
//! A partition whose leader is down keeps its last known offsets and size, marked `~`.

use super::countdown::retention;
use super::{human_bytes, ids, known, leader_down, mark, more_rows, panel, row_style, stale};
use crate::cluster::snapshot::{PartitionSnapshot, ReplicaRole};
use crate::lab::LabSnapshot;
use crate::text::width::cells;
use crate::ui::app::{App, Panel};
use crate::ui::rows::scroll_start;
use crate::ui::tables::{PartitionColumns, note_row_formatted};
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

/// The `HW` cell: `HW/LSO` while an open transaction holds the LSO below the HW.
fn hw_text(p: &PartitionSnapshot) -> String {
    if lso_differs(p) {
        format!("{}/{}", p.high_watermark, p.last_stable_offset)
    } else {
        p.high_watermark.to_string()
    }
}

/// An open transaction holds the LSO below the HW: then the column says both, `HW/LSO`.
fn lso_differs(p: &PartitionSnapshot) -> bool {
    known(p) && p.last_stable_offset < p.high_watermark
}

/// The widths the listed partitions (`order`) need, measured once per snapshot.
pub fn columns(snap: &LabSnapshot, order: &[usize]) -> PartitionColumns {
    let mut c = PartitionColumns::default();
    // The longest text of a known value, with room for the stale mark when its leader is down.
    let widest = |current: &mut usize, p: &PartitionSnapshot, text: String| {
        if known(p) {
            *current = (*current).max(text.len() + usize::from(leader_down(p)));
        }
    };
    for p in order.iter().map(|i| &snap.partitions[*i]) {
        c.name_chars = c
            .name_chars
            .max(p.tp.topic.len() + 1 + digits(p.tp.partition));
        widest(&mut c.start_digits, p, p.log_start_offset.to_string());
        widest(&mut c.hw_chars, p, hw_text(p));
        widest(&mut c.leo_digits, p, p.log_end_offset.to_string());
        c.any_down |= leader_down(p);
        c.any_elr |= !p.elr.is_empty();
        c.any_lso |= lso_differs(p);
    }
    c
}

/// Decimal digits of a partition number.
fn digits(n: i32) -> usize {
    n.to_string().len()
}

/// Draws the partitions table: only the rows on screen are formatted; the widths come from
/// [`columns`], measured when the snapshot arrived.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Partitions;
    let order = &app.tables.partitions;
    let c = app.tables.columns;
    let any_down = c.any_down;
    // The marks a room must decode are named in the title, without colour.
    let any_elr = c.any_elr;
    let hint = match (any_down && area.width >= 60, any_elr) {
        (true, true) if area.width >= 80 => text("panel.partitions_hint_down_elr"),
        (true, _) => text("panel.partitions_hint_down"),
        (false, true) => text("panel.partitions_hint_elr"),
        (false, false) => text("panel.partitions_hint"),
    };
    let title = super::internal_title(text("panel.partitions"), app, app.show_internal);
    let title = super::filter_title(title, app, order.len(), app.tables.partitions_unfiltered);
    let block = panel(
        &title,
        super::hint_if_room(app, &title, hint, area.width),
        focused,
        theme,
    );
    let visible = area.height.saturating_sub(3) as usize;
    let start = scroll_start(app.selection.partition, visible);
    let name_w = c.name_chars.clamp(9, 24) as u16;
    let digits = |w: usize, header: &str| -> u16 { w.max(1).max(cells(header)) as u16 };
    let hw_head = if c.any_lso { "HW/LSO" } else { "HW" };
    let (start_w, leo_w) = (
        digits(c.start_digits, text("partitions.start")),
        digits(c.leo_digits, "LEO"),
    );
    let hw_w = digits(c.hw_chars, hw_head);
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
            note_row_formatted();
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
            cells.push(value(if snap.sizes_unknown() {
                "-".to_string()
            } else {
                human_bytes(p.size_bytes)
            }));
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
