//! Where each panel goes: one pure function of the terminal size, used by drawing and by mouse
//! clicks alike.

use super::caption::{caption_lines, caption_rows_max};
use crate::lab::LabSnapshot;
use ratatui::layout::Rect;

/// The smallest terminal the dashboard draws into.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the dashboard draws into.
pub const MIN_HEIGHT: u16 = 24;

/// The rectangle of every panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// Brokers table.
    pub brokers: Rect,
    /// Brokers × partitions map.
    pub map: Rect,
    /// Partitions table.
    pub partitions: Rect,
    /// Consumer groups.
    pub groups: Rect,
    /// Producers.
    pub producers: Rect,
    /// Throughput sparklines.
    pub throughput: Rect,
    /// Event timeline.
    pub timeline: Rect,
    /// Status bar (one line).
    pub status: Rect,
    /// The lesson banner at the top (no rows outside lessons).
    pub banner: Rect,
}

/// Rows of the lesson banner: a header, the caption wrapped over the rows it needs (up to
/// [`caption_rows_max`]) and a row for failed expectations when there are any.
pub fn banner_rows(area: Rect, snap: &LabSnapshot) -> u16 {
    match &snap.lesson {
        None => 0,
        Some(l) => {
            let caption = caption_lines(l, area.width, caption_rows_max(area.height)).len();
            1 + caption as u16 + u16::from(!l.failed.is_empty())
        }
    }
}

fn split_h(area: Rect, left: u16) -> (Rect, Rect) {
    let left = left.min(area.width);
    (
        Rect::new(area.x, area.y, left, area.height),
        Rect::new(area.x + left, area.y, area.width - left, area.height),
    )
}

fn take_v(area: &mut Rect, height: u16) -> Rect {
    let height = height.min(area.height);
    let top = Rect::new(area.x, area.y, area.width, height);
    area.y += height;
    area.height -= height;
    top
}

/// Panel rectangles for a terminal of `area`, or `None` when it is below the minimum size.
/// Below 120×36 panels share rows compactly; above, tables get room to breathe.
pub fn areas(area: Rect, snap: &LabSnapshot) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let mut rest = area;
    let status = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    rest.height -= 1;
    let banner = take_v(&mut rest, banner_rows(area, snap));
    let brokers_rows = snap.brokers.len() as u16 + 3;
    let w = area.width;
    if w < 120 || area.height < 36 {
        let top_h = brokers_rows.clamp(5, 6 + rest.height.saturating_sub(23) / 3);
        let top = take_v(&mut rest, top_h);
        // Fixed shares of the rows below the brokers, whatever the lab holds, so nothing
        // reflows as topics or groups appear (at 80×24: partitions 6, groups and producers 6,
        // timeline 5). A tall lesson banner takes its rows from groups, then partitions, leaving
        // the timeline at least one event row.
        let r = rest.height;
        let mut mid_h = (r * 3 / 10).max(6);
        let mut parts_h = mid_h;
        // At most a few rows each: the taller of the two gives one back until the timeline has
        // its three.
        while r.saturating_sub(parts_h + mid_h) < 3 && (mid_h > 4 || parts_h > 4) {
            if mid_h >= parts_h && mid_h > 4 {
                mid_h -= 1;
            } else {
                parts_h -= 1;
            }
        }
        let parts = take_v(&mut rest, parts_h);
        let mid = take_v(&mut rest, mid_h);
        let bottom = rest;
        let (brokers, map) = split_h(top, 36.max(w * 2 / 5));
        let (groups, producers) = split_h(mid, w * 58 / 100);
        let (timeline, throughput) = split_h(bottom, w - 26.max(w / 4));
        Some(Areas {
            brokers,
            map,
            partitions: parts,
            groups,
            producers,
            throughput,
            timeline,
            status,
            banner,
        })
    } else {
        // Heights from the terminal and the broker count alone, so the panels do not jump as
        // topics, groups or producers appear: the timeline a third, producers a sixth, the
        // brokers and the partitions/groups row share the rest.
        let lower_h = ((area.height - 1) / 6).clamp(7, 10);
        let timeline_h = ((area.height - 1) / 3)
            .max(5)
            .min(rest.height.saturating_sub(lower_h + 12))
            .max(3);
        let avail = rest.height.saturating_sub(lower_h + timeline_h);
        let top_h = brokers_rows
            .max(avail / 2)
            .clamp(6, 16)
            .min(avail.saturating_sub(6));
        let top = take_v(&mut rest, top_h);
        let mid = take_v(&mut rest, avail - top_h);
        let lower = take_v(&mut rest, lower_h);
        let timeline = rest;
        let (brokers, map) = split_h(top, (w * 2 / 5).min(64));
        let (partitions, groups) = split_h(mid, w * 11 / 20);
        let (producers, throughput) = split_h(lower, w * 11 / 20);
        Some(Areas {
            brokers,
            map,
            partitions,
            groups,
            producers,
            throughput,
            timeline,
            status,
            banner,
        })
    }
}
