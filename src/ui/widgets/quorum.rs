//! The KRaft quorum inside the Brokers panel: one line per controller (role, epoch, metadata
//! LEO and HW, lag, the election or fetch timer running) where rows are free, and the panel's
//! bottom line says "quorum lost" while fewer than a majority of controllers run.

use super::countdown::secs;
use crate::cluster::kraft::{ControllerSnapshot, Role};
use crate::lab::LabSnapshot;
use crate::ui::app::App;
use crate::ui::text::{text, text_with};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// How a KRaft role reads.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Leader => text("quorum.role.leader"),
        Role::Follower => text("quorum.role.follower"),
        Role::Candidate => text("quorum.role.candidate"),
        Role::Unattached => text("quorum.role.unattached"),
        Role::Observer => text("quorum.role.observer"),
        Role::Down => text("quorum.role.down"),
    }
}

/// The controllers (voters), in id order.
pub fn voters(snap: &LabSnapshot) -> impl Iterator<Item = &ControllerSnapshot> {
    snap.quorum.iter().filter(|n| n.voter)
}

/// Whether fewer than a majority of controllers run.
pub fn lost(snap: &LabSnapshot) -> bool {
    let total = voters(snap).count();
    let up = voters(snap).filter(|n| n.role != Role::Down).count();
    total > 0 && up < total / 2 + 1
}

/// The line that says the quorum is lost, if it is.
pub fn lost_line(snap: &LabSnapshot) -> Option<String> {
    lost(snap).then(|| text("quorum.lost").to_string())
}

/// The same, in at most `room` cells: the short form on a narrow panel.
pub fn lost_line_in(snap: &LabSnapshot, room: usize) -> Option<String> {
    lost_line(snap).map(|full| {
        if crate::text::width::cells(&full) + 2 <= room {
            full
        } else {
            text("quorum.lost_short").to_string()
        }
    })
}

/// One controller's line: `c2 follower e3 LEO 41 HW 41 lag 1 fetch 1.2s`.
pub fn line(n: &ControllerSnapshot, now_ms: i64) -> String {
    let mut out = text_with(
        "quorum.row",
        &[
            ("id", n.id.to_string().as_str()),
            ("role", role_label(n.role)),
            ("epoch", n.epoch.to_string().as_str()),
            ("leo", n.log_end_offset.to_string().as_str()),
            ("hw", n.high_watermark.to_string().as_str()),
        ],
    );
    if n.lag > 0 {
        out.push_str(&text_with(
            "quorum.lag",
            &[("lag", n.lag.to_string().as_str())],
        ));
    }
    if let Some(at) = n.timer_ms {
        let key = if n.role == Role::Follower {
            "quorum.timer_fetch"
        } else {
            "quorum.timer_election"
        };
        out.push_str(&text_with(key, &[("left", secs(at - now_ms).as_str())]));
    }
    out
}

/// Draws the quorum lines in `area` (the Brokers panel's free rows); nothing if none are free.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let snap = &app.snapshot;
    let theme = &app.theme;
    let nodes: Vec<&ControllerSnapshot> = voters(snap).collect();
    if area.height < 2 || nodes.is_empty() {
        return;
    }
    let mut lines = vec![Line::styled(text("quorum.head"), theme.header())];
    for n in nodes {
        let style = match n.role {
            Role::Down => theme.error(),
            Role::Leader => theme.header(),
            _ => theme.dim(),
        };
        lines.push(Line::from(Span::styled(line(n, snap.now_ms), style)));
    }
    for (i, l) in lines.into_iter().take(area.height as usize).enumerate() {
        let r = Rect::new(area.x, area.y + i as u16, area.width, 1);
        frame.render_widget(l, r);
    }
}
