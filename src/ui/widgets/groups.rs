//! Consumer groups: state, generation, assignor, and per member its partitions with position,
//! committed offset and lag; partitions that just moved stand out. A join phase counts down on
//! the group's header, a silent member on its own row.

use super::countdown::{Countdown, group_wait, legends, member_session};
use super::fit::fit_line;
use super::lag_trend;
use super::{leader_down, mark, more_rows, panel, row_style};
use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::{GroupPartitionSnapshot, GroupSnapshot};
use crate::lab::LabSnapshot;
use crate::text::width::cells;
use crate::ui::app::{App, Panel};
use crate::ui::rows::{GroupLine, GroupLineKind, scroll_start};
use crate::ui::tables::note_row_formatted;
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, Paragraph};

/// Seconds of lag history a group's header draws on a wide panel.
pub const LAG_TREND_WIDE: usize = 20;
/// Seconds of lag history a group's header draws on a narrow (80-column) panel.
pub const LAG_TREND_NARROW: usize = 8;
/// Seconds over which a rising lag is marked.
pub const LAG_RISING_WINDOW: usize = 10;

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
            " {}",
            text_with(
                "groups.pos_com_uncommitted",
                &[
                    ("pos", &opt(p.position)),
                    ("com", &opt(p.committed)),
                    ("n", &n.to_string()),
                ],
            )
        ))],
        (Some(n), true) => vec![Span::raw(format!(
            " {}",
            text_with(
                "groups.com_read",
                &[("com", &opt(p.committed)), ("n", &n.to_string())],
            )
        ))],
        (None, _) => vec![Span::raw(format!(
            " {}",
            text_with(
                "groups.pos_com",
                &[("pos", &opt(p.position)), ("com", &opt(p.committed))],
            )
        ))],
    }
}

fn consumer_state(snap: &LabSnapshot, line: &GroupLine) -> Option<ConsumerState> {
    line.consumer
        .and_then(|id| snap.consumers.iter().find(|c| c.id == id))
        .map(|c| c.state)
}

/// A member's silence, if its heartbeats stopped (at once when its consumer is known killed).
fn member_countdown(snap: &LabSnapshot, l: &GroupLine, member: usize) -> Option<Countdown> {
    let killed = consumer_state(snap, l) == Some(ConsumerState::Killed);
    member_session(&snap.groups[l.group].members[member], snap.now_ms, killed)
}

/// Terminal cells of a line so far.
/// A member's name, with its member epoch in a KIP-848 group (`N2 e3`).
fn member_label(m: &crate::cluster::snapshot::MemberSnapshot) -> String {
    match m.member_epoch {
        Some(e) => format!("{} e{e}", m.client_id),
        None => m.client_id.clone(),
    }
}

/// ` lag 17 ▅▇▆▄▃▂`: the group's total lag now and over the last seconds, marked as an error
/// while it is rising (a consumer falling behind), so a backlog's story shows, not only its size.
fn lag_trend_spans<'a>(g: &GroupSnapshot, theme: &Theme, narrow: bool) -> Vec<Span<'a>> {
    let Some(now) = crate::lab::lag_history::total_lag(g) else {
        return Vec::new();
    };
    let mut spans = vec![Span::raw(format!(
        " {}",
        text_with("groups.lag_total", &[("n", &now.to_string())])
    ))];
    let width = if narrow {
        LAG_TREND_NARROW
    } else {
        LAG_TREND_WIDE
    };
    if g.lag_history.len() > 1 {
        let style = if lag_trend::rising(&g.lag_history, LAG_RISING_WINDOW) && now > 0 {
            theme.error()
        } else {
            theme.dim()
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            lag_trend::sparkline(&g.lag_history, width),
            style,
        ));
    }
    spans
}

fn used(spans: &[Span]) -> usize {
    spans.iter().map(|s| cells(&s.content)).sum()
}

fn line<'a>(
    snap: &'a LabSnapshot,
    l: &GroupLine,
    theme: &Theme,
    name_w: usize,
    width: usize,
) -> Line<'a> {
    let narrow = width < 48;
    let g = &snap.groups[l.group];
    match l.kind {
        GroupLineKind::Header => {
            let mut spans = vec![
                Span::styled(g.group_id.clone(), theme.header()),
                Span::raw(" "),
                Span::styled(g.state.to_string(), theme.group(g.state)),
            ];
            // The join phase's clock goes first: it is why the group is not consuming.
            if let Some(c) = group_wait(g, snap.now_ms) {
                let text = c.fit(width.saturating_sub(used(&spans) + 1));
                if !text.is_empty() {
                    spans.push(Span::styled(
                        format!(" {text}"),
                        theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync),
                    ));
                }
            }
            // A KIP-848 group counts group epochs, not generations, and names its protocol.
            let (key, proto) = if g.protocol == "consumer" {
                (
                    "groups.epoch",
                    format!(" {}", text("groups.consumer_protocol")),
                )
            } else {
                ("groups.gen", String::new())
            };
            spans.push(Span::raw(format!(
                " {}{proto}",
                text_with(key, &[("n", &g.generation.to_string())])
            )));
            spans.extend(lag_trend_spans(g, theme, narrow));
            if let Some(a) = &g.assignor {
                spans.push(Span::raw(format!(" {a}")));
            }
            if let Some(c) = g.coordinator {
                spans.push(Span::styled(
                    format!(" {}", text_with("groups.coord", &[("b", &c.to_string())])),
                    theme.dim(),
                ));
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
                Some(m) if first => member_label(&g.members[m]),
                Some(_) => String::new(),
                None => text("groups.unowned").into(),
            };
            let moved = recently_moved(p, snap.now_ms);
            let down = snap
                .partitions
                .iter()
                .find(|sp| sp.tp == p.tp)
                .is_some_and(leader_down);
            let silent = member.and_then(|m| member_countdown(snap, l, m));
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
                if down && p.stale {
                    // The last known lag, marked: it cannot move until a leader is back (the
                    // partitions panel says why when this panel is too narrow to).
                    let why = if narrow {
                        String::new()
                    } else {
                        format!(" {}", text("partitions.leader_down"))
                    };
                    Span::styled(format!("lag ~{}{why}", lag_text(p.lag)), theme.error())
                } else if down {
                    // The HW is unknown while the leader is down, so the lag is too (not 0).
                    Span::styled(text("partitions.leader_down"), theme.error())
                } else {
                    Span::styled(
                        format!("lag {}", lag_text(p.lag)),
                        if p.lag.is_some_and(|l| l > 0) {
                            theme.role(crate::cluster::snapshot::ReplicaRole::OutOfSync)
                        } else {
                            Default::default()
                        },
                    )
                },
            ];
            // A glyph where a word would be cut off.
            let moved_mark = if narrow {
                " ↻".to_string()
            } else {
                format!(" {}", text("groups.moved"))
            };
            if let Some(ConsumerState::Killed) = consumer_state(snap, l) {
                spans.push(Span::styled(
                    format!(" {}", text("groups.killed")),
                    theme.error(),
                ));
            }
            // A silent member's clock matters more than its offsets: it comes first, and a narrow
            // panel drops the offsets for it.
            let reserve = if moved { cells(&moved_mark) } else { 0 };
            push_countdown(
                &mut spans,
                silent.clone(),
                width.saturating_sub(reserve),
                theme,
            );
            if !(narrow && silent.is_some()) {
                spans.extend(offsets(p, narrow));
            }
            if moved {
                spans.push(Span::styled(moved_mark, theme.moved()));
            }
            Line::from(spans)
        }
        GroupLineKind::IdleMember { member } => {
            let mut spans = vec![
                Span::raw(format!(" {:<name_w$}  ", member_label(&g.members[member]))),
                Span::styled(text("groups.no_partitions"), theme.dim()),
            ];
            // Killed at once, though the group keeps the member until session.timeout.ms.
            if let Some(ConsumerState::Killed) = consumer_state(snap, l) {
                spans.push(Span::styled(
                    format!(" {}", text("groups.killed")),
                    theme.error(),
                ));
            }
            push_countdown(&mut spans, member_countdown(snap, l, member), width, theme);
            Line::from(spans)
        }
        GroupLineKind::Outsider { consumer } => {
            let c = &snap.consumers[consumer];
            let (what, style) = match c.state {
                ConsumerState::Running => (text("groups.joining"), theme.dim()),
                // Not a member any more: the session timeout has already removed it.
                ConsumerState::Killed => (text("groups.killed_removed"), theme.error()),
                ConsumerState::Closed => (text("groups.closed"), theme.dim()),
            };
            Line::from(vec![
                Span::raw(format!(" {:<name_w$}  ", c.client_id)),
                Span::styled(what, style),
            ])
        }
    }
}

/// Appends a member's silence in the room left on its line.
fn push_countdown(spans: &mut Vec<Span>, c: Option<Countdown>, width: usize, theme: &Theme) {
    let Some(c) = c else { return };
    let text = c.fit(width.saturating_sub(used(spans) + 1));
    if !text.is_empty() {
        spans.push(Span::styled(format!(" {text}"), theme.error()));
    }
}

/// Draws the groups panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Groups;
    let title = super::filter_title(
        text("panel.groups").to_string(),
        app,
        app.tables.groups_shown,
        snap.groups.len(),
    );
    // Attached read-only, the client keys need --allow-writes; with it they work as in the lab.
    let hint = text(
        if snap.attached.as_ref().is_some_and(|a| !a.writes_allowed) {
            "panel.groups_hint_attach"
        } else {
            "panel.groups_hint"
        },
    );
    let block = panel(
        &title,
        super::hint_if_room(app, &title, hint, area.width),
        focused,
        theme,
    );
    let lines = &app.tables.group_lines;
    if lines.is_empty() {
        let p = Paragraph::new(Line::styled(
            format!(" {}", text("groups.empty")),
            theme.dim(),
        ))
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(block);
        frame.render_widget(p, area);
        return;
    }
    let name_w = app.tables.group_name_chars;
    let visible = area.height.saturating_sub(2) as usize;
    let start = scroll_start(app.selection.group_line, visible);
    let items = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, l)| {
            note_row_formatted();
            let selected = i == app.selection.group_line;
            // The line's room: the panel less its borders and the selection mark.
            let width = area.width.saturating_sub(3) as usize;
            let mut body = line(snap, l, theme, name_w, width);
            body.spans.insert(0, Span::raw(mark(selected)));
            // Cut at a word with `…`, never mid-word ("leade").
            let body = fit_line(body, area.width.saturating_sub(2) as usize);
            ListItem::new(body).style(row_style(selected, focused, theme))
        });
    let hidden = lines.len().saturating_sub(visible);
    let mut block = more_rows(block, hidden, theme);
    // The rows show the clocks; the border names the configs behind them.
    let room = (area.width as usize).saturating_sub(if hidden > 0 { 14 } else { 4 });
    let text = legends(&app.tables.group_waits, room);
    if !text.is_empty() {
        block = block.title_bottom(Line::styled(format!(" {text} "), theme.dim()).right_aligned());
    }
    frame.render_widget(List::new(items).block(block), area);
}

/// The member-name column: the longest member or consumer name, 8 to 20 chars.
pub fn name_chars(snap: &LabSnapshot) -> usize {
    snap.groups
        .iter()
        .flat_map(|g| g.members.iter().map(|m| member_label(m).chars().count()))
        .chain(snap.consumers.iter().map(|c| c.client_id.len()))
        .max()
        .unwrap_or(8)
        .clamp(8, 20)
}

/// The clocks running on `lines` (a join phase, a silent member), named for the border.
pub fn waits(snap: &LabSnapshot, lines: &[GroupLine]) -> Vec<(String, Countdown)> {
    lines
        .iter()
        .filter_map(|l| {
            let g = &snap.groups[l.group];
            match l.kind {
                GroupLineKind::Header => {
                    group_wait(g, snap.now_ms).map(|c| (g.group_id.clone(), c))
                }
                GroupLineKind::Partition {
                    member: Some(m),
                    first: true,
                    ..
                }
                | GroupLineKind::IdleMember { member: m } => {
                    member_countdown(snap, l, m).map(|c| (g.members[m].client_id.clone(), c))
                }
                _ => None,
            }
        })
        .collect()
}

/// A lag as `kafka-consumer-groups.sh` prints it: `-` when nothing is committed.
fn lag_text(lag: Option<i64>) -> String {
    lag.map_or_else(|| "-".to_string(), |l| l.to_string())
}
