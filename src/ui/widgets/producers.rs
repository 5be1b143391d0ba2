//! Producers: rate, acks (and idempotence), key mode, and sent / acknowledged / failed counters.

use super::{mark, more_rows, panel, rate, row_style, thousands};
use crate::clients::view::{ClientOrigin, ProducerSnapshot};
use crate::ui::app::{App, Panel};
use crate::ui::rows::scroll_start;
use crate::ui::tables::note_row_formatted;
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, List, ListItem, Paragraph, Row, Table};

fn failed_style(p: &ProducerSnapshot, theme: &Theme) -> Style {
    if p.failed > 0 {
        theme.error()
    } else {
        Style::new()
    }
}

/// `no key`, `10 keys` (or `round robin`, which ignores keys), in the language in force.
fn key_mode(p: &ProducerSnapshot) -> String {
    if p.partitioner == crate::clients::spec::Partitioner::RoundRobin {
        return text("producers.round_robin").into();
    }
    match p.key_mode {
        crate::clients::spec::KeyMode::None => text("producers.no_key").into(),
        crate::clients::spec::KeyMode::Keyed { distinct_keys } => {
            text_with("producers.keys", &[("n", &distinct_keys.to_string())])
        }
    }
}

/// `acks`, and whether the producer is idempotent: what decides if a retry can duplicate.
fn acks(p: &ProducerSnapshot) -> String {
    if p.idempotent {
        format!("{} {}", p.acks, text("panel.producers_idempotent"))
    } else {
        p.acks.to_string()
    }
}

fn name(p: &ProducerSnapshot) -> String {
    let wire = if p.origin == ClientOrigin::Wire {
        format!(" {}", text("producers.wire"))
    } else {
        String::new()
    };
    // What ended it matters for transactions: a killed producer leaves its transaction open, a
    // fenced one was a zombie; a frozen one still runs, to its own mind.
    let fenced = p.transaction == Some(crate::clients::view::ProducerTxnState::Fenced);
    let stopped = if p.killed {
        format!(" {}", text("producers.killed"))
    } else if fenced {
        format!(" {}", text("producers.fenced"))
    } else if p.paused {
        format!(" {}", text("producers.paused"))
    } else if p.running {
        String::new()
    } else {
        format!(" {}", text("producers.stopped"))
    };
    format!("{}{wire}{stopped}", p.client_id)
}

/// The oldest open transaction on the bottom border: its id, state, partitions and age against
/// `transaction.timeout.ms` (the coordinator aborts it there), and how many more are open.
fn open_transaction(app: &App, width: u16) -> Option<Line<'static>> {
    let snap = &app.snapshot;
    let t = snap.transactions.first()?;
    let age = (snap.now_ms - t.started_ms).max(0);
    let more = snap.transactions.len() - 1;
    let mut s = text_with(
        "producers.transaction",
        &[
            ("id", &t.transactional_id),
            ("state", t.state),
            ("partitions", &t.partitions.len().to_string()),
            ("age", &super::countdown::secs(age)),
            ("timeout", &t.timeout_ms.to_string()),
        ],
    );
    if more > 0 {
        s.push_str(&format!(" +{more}"));
    }
    let room = (width as usize).saturating_sub(4);
    let s = crate::text::width::take_cells(&s, room).to_string();
    let style = if age > i64::from(t.timeout_ms) / 2 {
        app.theme.error()
    } else {
        app.theme.dim()
    };
    Some(Line::styled(format!(" {s} "), style).right_aligned())
}

/// Draws the producers panel: a table when wide, two lines per producer when narrow.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let snap = &app.snapshot;
    let focused = app.focus == Panel::Producers;
    let title = super::filter_title(
        text("panel.producers").to_string(),
        app,
        app.tables.producers.len(),
        snap.producers.len(),
    );
    // Attached read-only, the client keys need --allow-writes; with it they work as in the lab.
    let hint = text(
        if snap.attached.as_ref().is_some_and(|a| !a.writes_allowed) {
            "panel.producers_hint_attach"
        } else {
            "panel.producers_hint"
        },
    );
    let mut block = panel(
        &title,
        super::hint_if_room(app, &title, hint, area.width),
        focused,
        theme,
    );
    if let Some(line) = open_transaction(app, area.width) {
        block = block.title_bottom(line);
    }
    let listed: Vec<&ProducerSnapshot> = app
        .tables
        .producers
        .iter()
        .filter_map(|i| snap.producers.get(*i))
        .collect();
    if listed.is_empty() && app.filter.is_empty() {
        let p = Paragraph::new(Line::styled(" no producers: press p", theme.dim())).block(block);
        frame.render_widget(p, area);
        return;
    }
    let sel = app.selection.producer;
    if area.width >= 64 {
        let visible = area.height.saturating_sub(3) as usize;
        let rows = listed
            .iter()
            .enumerate()
            .skip(scroll_start(sel, visible))
            .take(visible)
            .map(|(i, p)| {
                note_row_formatted();
                Row::new(vec![
                    Cell::from(format!("{}{}", mark(i == sel), name(p))),
                    Cell::from(p.topic.clone()),
                    Cell::from(format!("{}/s", rate(p.rate_per_sec))),
                    Cell::from(acks(p)),
                    Cell::from(key_mode(p)),
                    Cell::from(thousands(p.sent)),
                    Cell::from(thousands(p.acknowledged)),
                    Cell::from(Span::styled(thousands(p.failed), failed_style(p, theme))),
                ])
                .style(row_style(i == sel, focused, theme))
            });
        let widths = [
            Constraint::Min(11),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(6),
        ];
        let client_head = format!(" {}", text("producers.client"));
        let header = Row::new(vec![
            client_head.as_str(),
            text("producers.topic"),
            text("producers.rate"),
            "acks",
            "key",
            text("producers.sent"),
            text("producers.acked"),
            text("producers.failed"),
        ])
        .style(theme.header());
        let hidden = listed.len().saturating_sub(visible);
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .block(more_rows(block, hidden, theme));
        frame.render_widget(table, area);
    } else {
        let visible = (area.height.saturating_sub(2) / 2).max(1) as usize;
        let items = listed
            .iter()
            .enumerate()
            .skip(scroll_start(sel, visible))
            .take(visible)
            .map(|(i, p)| {
                note_row_formatted();
                let first = Line::from(format!(
                    "{}{} → {} {}/s acks={}",
                    mark(i == sel),
                    name(p),
                    p.topic,
                    rate(p.rate_per_sec),
                    acks(p)
                ));
                let second = Line::from(vec![
                    Span::raw(format!(
                        "  {} {} ",
                        key_mode(p),
                        text_with(
                            "producers.sent_ack",
                            &[
                                ("sent", &thousands(p.sent)),
                                ("acked", &thousands(p.acknowledged)),
                            ],
                        )
                    )),
                    Span::styled(
                        text_with("producers.fail", &[("n", &thousands(p.failed))]),
                        failed_style(p, theme),
                    ),
                ]);
                ListItem::new(vec![first, second]).style(row_style(i == sel, focused, theme))
            });
        let hidden = listed.len().saturating_sub(visible);
        frame.render_widget(
            List::new(items).block(more_rows(block, hidden, theme)),
            area,
        );
    }
}
