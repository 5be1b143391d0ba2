//! Consumer groups: state, generation, assignor, and per member its partitions with position,
//! committed offset and lag; partitions that just moved stand out.

use super::{leader_down, mark, more_rows, panel, row_style};
use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::GroupPartitionSnapshot;
use crate::lab::LabSnapshot;
use crate::ui::app::{App, Panel};
use crate::ui::rows::{GroupLine, GroupLineKind, group_lines, scroll_start};
use crate::ui::text::text;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, Paragraph};

/// How long a moved partition stays highlighted, simulated ms.
pub const MOVED_HIGHLIGHT_MS: i64 = 5_000;

/// Whether a partition changed owner within [`MOVED_HIGHLIGHT_MS`] of `now_ms`.
pub fn recently_moved(p: &GroupPartitionSnapshot, now_ms: i64) -> bool {
    p.moved_at_ms
        .is_some_and(|at| now_ms >= at && now_ms - at <= MOVED_HIGHLIGHT_MS)
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// Records the owner has read but not committed yet: position − committed.
pub fn uncommitted(p: &GroupPartitionSnapshot) -> Option<i64> {
    match (p.position, p.committed) {
        (Some(pos), Some(com)) if pos > com => Some(pos - com),
        _ => None,
    }
}

/// Position and committed offset, then what lies between them, so a consumer read up to the HW
/// but not yet committed shows why it still lags (Kafka's lag is HW − committed). Narrow panels
/// drop the position, which is committed + read.
fn offsets(p: &GroupPartitionSnapshot, narrow: bool) -> Vec<Span<'static>> {
    match (uncommitted(p), narrow) {
        (Some(n), false) => vec![Span::raw(format!(
            " pos {} com {} uncommitted {n}",
            opt(p.position),
            opt(p.committed)
        ))],
        (Some(n), true) => vec![Span::raw(format!(" com {} read +{n}", opt(p.committed)))],
        (None, _) => vec![Span::raw(format!(
            " pos {} com {}",
            opt(p.position),
            opt(p.committed)
        ))],
    }
}

fn consumer_state(snap: &LabSnapshot, line: &GroupLine) -> Option<ConsumerState> {
    line.consumer
        .and_then(|id| snap.consumers.iter().find(|c| c.id == id))
        .map(|c| c.state)
}

fn line<'a>(
    snap: &'a LabSnapshot,
    l: &GroupLine,
    theme: &Theme,
    name_w: usize,
    narrow: bool,
) -> Line<'a> {
    let g = &snap.groups[l.group];
    match l.kind {
        GroupLineKind::Header => {
            let mut spans = vec![
                Span::styled(g.group_id.clone(), theme.header()),
                Span::raw(" "),
                Span::styled(g.state.to_string(), theme.group(g.state)),
                Span::raw(format!(" gen {}", g.generation)),
            ];
            if let Some(a) = &g.assignor {
                spans.push(Span::raw(format!(" {a}")));
            }
            if let Some(c) = g.coordinator {
                spans.push(Span::styled(format!(" coord b{c}"), theme.dim()));
            }
            let leader = g
                .leader_member
                .as_deref()
                .and_then(|id| g.members.iter().find(|m| m.member_id == id));
            if let Some(m) = leader {
                spans.push(Span::styled(
                    format!(" leader {}", m.client_id),
                    theme.dim(),
                ));
            }
            Line::from(spans)
        }
        GroupLineKind::Partition {
            partition,
            member,
            first,
        } => {
            let p = &g.partitions[partition];
            let who = match member {
                Some(m) if first => g.members[m].client_id.clone(),
                Some(_) => String::new(),
                None => "(unowned)".into(),
            };
            let moved = recently_moved(p, snap.now_ms);
            let down = snap
                .partitions
                .iter()
                .find(|sp| sp.tp == p.tp)
                .is_some_and(leader_down);
            let mut spans = vec![
                Span::raw(format!(" {who:<name_w$} ")),
                Span::styled(
                    format!("{:<6}", p.tp.to_string()),
                    if moved {
                        theme.moved()
                    } else {
                        Default::default()
                    },
                ),
                Span::raw(" "),
                if down {
                    // The HW is unknown while the leader is down, so the lag is too (not 0).
                    Span::styled("leader down", theme.error())
                } else {
                    Span::styled(
                        format!("lag {}", p.lag),
                        if p.lag > 0 {
                            theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync)
                        } else {
                            Default::default()
                        },
                    )
                },
            ];
            spans.extend(offsets(p, narrow));
            if moved {
                // A glyph where a word would be cut off.
                let mark = if narrow { " ↻" } else { " moved" };
                spans.push(Span::styled(mark, theme.moved()));
            }
            if let Some(ConsumerState::Killed) = consumer_state(snap, l) {
                spans.push(Span::styled(" killed", theme.error()));
            }
            Line::from(spans)
        }
        GroupLineKind::IdleMember { member } => {
            let mut spans = vec![
                Span::raw(format!(" {:<name_w$}  ", g.members[member].client_id)),
                Span::styled("no partitions", theme.dim()),
            ];
            // Killed at once, though the group keeps the member until session.timeout.ms.
            if let Some(ConsumerState::Killed) = consumer_state(snap, l) {
                spans.push(Span::styled(" killed", theme.error()));
            }
            Line::from(spans)
        }
        GroupLineKind::Outsider { consumer } => {
            let c = &snap.consumers[consumer];
            let (what, style) = match c.state {
                ConsumerState::Running => ("joining…", theme.dim()),
                // Not a member any more: the session timeout has already removed it.
                ConsumerState::Killed => ("killed, removed by session timeout", theme.error()),
                ConsumerState::Closed => ("closed", theme.dim()),
            };
            Line::from(vec![
                Span::raw(format!(" {:<name_w$}  ", c.client_id)),
                Span::styled(what, style),
            ])
        }
    }
}

/// Draws the groups panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Groups;
    let block = panel(
        text("panel.groups"),
        text("panel.groups_hint"),
        focused,
        theme,
    );
    let lines = group_lines(snap);
    if lines.is_empty() {
        let p = Paragraph::new(Line::styled(
            " no consumer groups yet: press c to start a consumer",
            theme.dim(),
        ))
        .block(block);
        frame.render_widget(p, area);
        return;
    }
    let name_w = snap
        .groups
        .iter()
        .flat_map(|g| g.members.iter().map(|m| m.client_id.len()))
        .chain(snap.consumers.iter().map(|c| c.client_id.len()))
        .max()
        .unwrap_or(8)
        .clamp(8, 20);
    let visible = area.height.saturating_sub(2) as usize;
    let start = scroll_start(app.selection.group_line, visible);
    let items = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, l)| {
            let selected = i == app.selection.group_line;
            let mut body = line(snap, l, theme, name_w, area.width < 50);
            body.spans.insert(0, Span::raw(mark(selected)));
            ListItem::new(body).style(row_style(selected, focused, theme))
        });
    let hidden = lines.len().saturating_sub(visible);
    frame.render_widget(
        List::new(items).block(more_rows(block, hidden, theme)),
        area,
    );
}
