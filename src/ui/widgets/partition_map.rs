//! Partition map: brokers × partitions, each cell the replica's role and its LEO (an offline
//! replica's as it stopped); an in-sync follower falling behind counts its lag time against
//! `replica.lag.time.max.ms` in its cell, and the border names the config. After the cells, what
//! flowed a moment ago: producers writing into the leader (`P1→`) and consumers reading (`→CA`).

use super::countdown::{Countdown, follower_lag};
use super::{mark, more_rows, panel, row_style};
use crate::cluster::snapshot::ClusterSettings;
use crate::cluster::snapshot::{PartitionSnapshot, ReplicaRole};
use crate::lab::LabSnapshot;
use crate::text::width::cells;
use crate::ui::app::{App, Panel};
use crate::ui::pulses::{Pulses, short_label};
use crate::ui::rows::scroll_start;
use crate::ui::tables::note_row_formatted;
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
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

/// Where the map reads the clock: the snapshot's instant and timers.
struct Clock<'s> {
    now_ms: i64,
    /// Replicas that took records a moment ago.
    pulses: &'s Pulses,
    settings: &'s ClusterSettings,
    /// Whether cells have room for a follower's countdown.
    countdowns: bool,
}

fn cell_text(p: &PartitionSnapshot, broker: i32, clock: &Clock) -> Option<String> {
    let r = p.replica_states.iter().find(|r| r.broker == broker)?;
    // A replica whose broker was never seen has no known LEO (the lab reports -1).
    // `L+412`: records just arrived here (same width as `L 412`, so nothing shifts).
    let arrived = if clock.pulses.grew(&p.tp, broker, clock.now_ms) {
        "+"
    } else {
        " "
    };
    let mut s = if r.log_end_offset < 0 {
        role_letter(r.role).to_string()
    } else {
        format!("{}{arrived}{}", role_letter(r.role), r.log_end_offset)
    };
    if clock.countdowns
        && let Some(c) = follower_lag(r, clock.now_ms, clock.settings)
    {
        s.push(' ');
        s.push_str(&c.ratio());
    }
    Some(s)
}

fn cell<'a>(p: &PartitionSnapshot, broker: i32, clock: &Clock, theme: &Theme) -> Cell<'a> {
    match (
        p.replica_states.iter().find(|r| r.broker == broker),
        cell_text(p, broker, clock),
    ) {
        (Some(r), Some(s)) => Cell::from(Span::styled(s, theme.role(r.role))),
        _ => Cell::from(Span::styled("·", theme.dim())),
    }
}

/// Whether the flow column has room for full client ids: the longest producer's and consumer's
/// both on one row. Decided for the whole map from the clients alone, so names keep their form
/// while records come and go.
fn full_names(app: &App, width: u16) -> bool {
    let snap = &app.snapshot;
    let longest = |ids: &mut dyn Iterator<Item = &String>| ids.map(|c| cells(c)).max().unwrap_or(0);
    let p = longest(&mut snap.producers.iter().map(|p| &p.client_id));
    let c = longest(
        &mut snap
            .groups
            .iter()
            .flat_map(|g| g.members.iter().map(|m| &m.client_id)),
    );
    p + c + 3 <= width as usize
}

/// `producer-1→ →consumer-A`, or `P1→ →CA` without `full` names: who wrote into `tp`'s leader
/// and who read from it a moment ago (empty when nothing moved); at most two of each, then `+N`.
pub fn flow_text(app: &App, p: &PartitionSnapshot, full: bool) -> String {
    let names = |v: &[String], short: Option<char>| {
        let mut s: Vec<String> = v
            .iter()
            .take(2)
            .map(|c| short.map_or_else(|| c.clone(), |k| short_label(k, c)))
            .collect::<Vec<_>>();
        if v.len() > 2 {
            s.push(format!("+{}", v.len() - 2));
        }
        s.join(",")
    };
    let writers = app.pulses.writers(&app.snapshot, &p.tp);
    let readers = app.pulses.readers(&app.snapshot, &p.tp);
    let text = |short: bool| {
        let mut parts = Vec::new();
        if !writers.is_empty() {
            parts.push(format!("{}→", names(&writers, short.then_some('P'))));
        }
        if !readers.is_empty() {
            parts.push(format!("→{}", names(&readers, short.then_some('C'))));
        }
        parts.join(" ")
    };
    text(!full)
}

/// The first follower falling behind among `order`'s partitions, with who it is (`test-1 b2`),
/// for the border.
pub fn first_lagging(snap: &LabSnapshot, order: &[usize]) -> Option<(String, Countdown)> {
    order.iter().find_map(|i| {
        let p = &snap.partitions[*i];
        p.replica_states.iter().find_map(|r| {
            follower_lag(r, snap.now_ms, &snap.settings)
                .map(|c| (format!("{} b{}", p.tp, r.broker), c))
        })
    })
}

/// The widest cell of any replica, with followers' countdowns and without: measured once per
/// snapshot over every partition, so cells keep their width as the map pages or filters.
pub fn cell_widths(snap: &LabSnapshot, pulses: &Pulses) -> (u16, u16) {
    let width_with = |countdowns: bool| -> u16 {
        let clock = Clock {
            now_ms: snap.now_ms,
            pulses,
            settings: &snap.settings,
            countdowns,
        };
        snap.partitions
            .iter()
            .flat_map(|p| p.replica_states.iter().map(move |r| (p, r.broker)))
            .filter_map(|(p, b)| cell_text(p, b, &clock))
            .map(|s| cells(&s))
            .max()
            .unwrap_or(3)
            .max(3) as u16
    };
    (width_with(true), width_with(false))
}

/// Draws the partition map; it scrolls with the partitions table's selection, and when not every
/// broker fits, its columns follow the brokers panel's selection. Only the rows on screen are
/// formatted.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Partitions;
    let order = &app.tables.partitions;
    let visible = area.height.saturating_sub(3) as usize;
    let start = scroll_start(app.selection.partition, visible);
    let name_w = app.tables.columns.name_chars.clamp(9, 22) as u16 + 1;
    let inner_w = area.width.saturating_sub(2);
    // Countdowns in the cells only when every broker still fits with them.
    let n_brokers = snap.brokers.len().max(1) as u16;
    let (wide_w, narrow_w) = app.tables.map_cells;
    let countdowns = name_w + n_brokers * (wide_w + 1) <= inner_w;
    let cell_w = if countdowns { wide_w } else { narrow_w };
    let clock = Clock {
        now_ms: snap.now_ms,
        pulses: &app.pulses,
        settings: &snap.settings,
        countdowns,
    };
    let fit = (inner_w.saturating_sub(name_w) / (cell_w + 1)).max(1) as usize;
    let n = snap.brokers.len();
    let first = if n <= fit {
        0
    } else {
        scroll_start(app.selection.broker, fit)
    };
    let shown = &snap.brokers[first.min(n)..(first + fit).min(n)];
    // What is left after the broker columns shows the flow between clients and the leader.
    let flow_w = inner_w
        .saturating_sub(name_w)
        .saturating_sub(shown.len() as u16 * (cell_w + 1))
        .saturating_sub(1);
    let full = full_names(app, flow_w);
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
    let title = super::internal_title(&title, app, app.show_internal);
    let legend = if area.width as usize >= 57 + cells(&title) {
        legend()
    } else {
        ""
    };
    let mut block = panel(&title, legend, false, theme);
    if let Some((who, c)) = &app.tables.lagging {
        let text = c.legend(who, area.width.saturating_sub(4) as usize, clock.countdowns);
        if !text.is_empty() {
            block = block.title_bottom(Line::styled(format!(" {text} "), theme.dim()));
        }
    }
    let rows = order
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(row, &i)| {
            note_row_formatted();
            let p = &snap.partitions[i];
            let selected = row == app.selection.partition;
            let mut cells = vec![Cell::from(format!("{}{}", mark(selected), p.tp))];
            cells.extend(shown.iter().map(|b| cell(p, b.id, &clock, theme)));
            if flow_w >= 4 {
                let flow = flow_text(app, p, full);
                cells.push(Cell::from(super::fit::fit_words(&flow, flow_w as usize)));
            }
            Row::new(cells).style(row_style(selected, focused, theme))
        });
    let mut header = vec![Cell::from(format!(" {}", text("partitions.partition")))];
    header.extend(shown.iter().map(|b| {
        let s = format!("b{}", b.id);
        Cell::from(Span::styled(s, theme.broker(b.state)))
    }));
    let mut widths = vec![Constraint::Length(name_w)];
    widths.extend(shown.iter().map(|_| Constraint::Length(cell_w)));
    if flow_w >= 4 {
        widths.push(Constraint::Length(flow_w));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .block(more_rows(block, order.len().saturating_sub(visible), theme));
    frame.render_widget(table, area);
}
