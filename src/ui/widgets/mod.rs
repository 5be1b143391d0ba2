//! One small pure render function per panel: `render(frame, area, app)`.

pub mod brokers;
pub mod countdown;
pub mod dialog;
pub mod explain;
pub mod fit;
pub mod groups;
pub mod help;
pub mod lag_trend;
pub mod lesson;
pub mod partition_map;
pub mod partitions;
pub mod position;
pub mod producers;
pub mod quorum;
pub mod replica_log;
pub mod status;
pub mod throughput;
pub mod timeline;
pub mod transactions;

use super::theme::Theme;
use crate::text::text_with;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType};

/// Whether a partition's leader is down or missing: its offsets and size are the last known
/// (see [`known`]), never live.
pub fn leader_down(p: &crate::cluster::snapshot::PartitionSnapshot) -> bool {
    use crate::cluster::snapshot::ReplicaRole;
    let leader_offline = p
        .replica_states
        .iter()
        .any(|r| Some(r.broker) == p.leader && r.role == ReplicaRole::Offline);
    p.leader_down || p.leader.is_none() || leader_offline || p.high_watermark < 0
}

/// Whether a partition's offsets were ever known (a down leader's are kept as last known; -1
/// means nobody has seen them).
pub fn known(p: &crate::cluster::snapshot::PartitionSnapshot) -> bool {
    p.high_watermark >= 0
}

/// The mark in front of a last-known (stale) value: `~409`.
pub const STALE_MARK: &str = "~";

/// A value marked as last known when `stale`.
pub fn stale(value: String, stale: bool) -> String {
    if stale {
        format!("{STALE_MARK}{value}")
    } else {
        value
    }
}

/// `+N more` on a panel's bottom border when `hidden` rows do not fit, so no row vanishes unseen.
pub fn more_rows<'a>(block: Block<'a>, hidden: usize, theme: &Theme) -> Block<'a> {
    if hidden == 0 {
        return block;
    }
    block.title_bottom(Line::styled(
        format!(
            " {} ",
            text_with("panels.more", &[("n", &hidden.to_string())])
        ),
        theme.dim(),
    ))
}

/// A partition table's title, saying how many internal partitions `i` would show: `Partitions
/// (+1 internal: i)`.
pub fn internal_title(title: &str, app: &crate::ui::app::App, shown: bool) -> String {
    let n = app.tables.internal;
    if shown || n == 0 {
        title.to_string()
    } else {
        let n = n.to_string();
        format!(
            "{title}{}",
            crate::ui::text::text_with("panel.internal_hidden", &[("n", &n)])
        )
    }
}

/// A table's title while `/` filters it: the filter and how many of its rows match, `Partitions
/// /orders: 12 of 2000`.
pub fn filter_title(
    title: String,
    app: &crate::ui::app::App,
    shown: usize,
    total: usize,
) -> String {
    if app.filter.is_empty() {
        return title;
    }
    format!(
        "{title}{}",
        text_with(
            "panel.filtered",
            &[
                ("filter", app.filter.text()),
                ("n", &shown.to_string()),
                ("total", &total.to_string()),
            ],
        )
    )
}

/// `hint`, or nothing while the tables are filtered and it and `title` do not both fit a panel
/// `width` wide: a filtered table's title (its filter and count) matters more than the keys.
pub fn hint_if_room<'a>(
    app: &crate::ui::app::App,
    title: &str,
    hint: &'a str,
    width: u16,
) -> &'a str {
    let cells = crate::text::width::cells;
    // Both titles' spaces and the corners.
    if app.filter.is_empty() || cells(title) + cells(hint) + 6 <= width as usize {
        hint
    } else {
        ""
    }
}

/// The marker in front of the selected row (visible without colour too).
pub const SELECTED_MARK: &str = ">";

/// A panel's border and title; the focused panel gets a thick border.
pub fn panel<'a>(title: &'a str, hint: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    let mut block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(Line::styled(format!(" {title} "), theme.header()));
    if !hint.is_empty() {
        block = block.title(Line::styled(format!(" {hint} "), theme.dim()).right_aligned());
    }
    block
}

/// The style of a row: selected or plain.
pub fn row_style(selected: bool, focused: bool, theme: &Theme) -> Style {
    if selected {
        theme.selected(focused)
    } else {
        Style::new()
    }
}

/// The marker column of a row.
pub fn mark(selected: bool) -> &'static str {
    if selected { SELECTED_MARK } else { " " }
}

/// Bytes the way people read them: `912 B`, `1.2 KiB`, `48.0 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A count with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate in records/s without needless decimals: `5`, `2.5`, `1,000`.
pub fn rate(r: f64) -> String {
    if r >= 1000.0 || (r - r.round()).abs() < 1e-9 {
        thousands(r.round() as u64)
    } else {
        format!("{r:.1}")
    }
}

/// A broker list: `1,2,3`.
pub fn ids(ids: &[i32]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(human_bytes(912), "912 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(48 * 1024 * 1024), "48.0 MiB");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(rate(5.0), "5");
        assert_eq!(rate(2.5), "2.5");
        assert_eq!(rate(20_000.0), "20,000");
    }
}
