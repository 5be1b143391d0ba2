//! The replica-log view (`l`): every replica's log of one partition as a strip of offset cells,
//! aligned by offset, leader on top: committed cells `■` below the HW, the uncommitted tail `□`,
//! new cells lit up (reversed), cells a truncation dropped `x` and cells retention deleted `-`;
//! under each strip
//! its log start `S`, HW `H`, LEO `L`, epoch starts `eN` and segment bases `[`; under the leader's
//! strip each group's committed offset `c` and position `p`. One character per offset, so long
//! logs show a window on the tail that ↑/PgUp scroll back to the log start.

use super::panel;
use crate::cluster::snapshot::{PartitionSnapshot, ReplicaRole, ReplicaSnapshot};
use crate::lab::LabSnapshot;
use crate::ui::app::App;
use crate::ui::log_view::{FlowKind, LogView, Row};
use crate::ui::text::{text, text_with};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Columns in front of the cells (the strips' indent).
const INDENT: u16 = 2;

/// The offsets a window of `cells` columns shows: `[start, start + cells)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First offset shown.
    pub start: i64,
    /// How many offsets fit.
    pub cells: i64,
}

impl Window {
    /// The column of `offset`, when shown.
    fn column(&self, offset: i64) -> Option<usize> {
        (offset >= self.start && offset < self.start + self.cells)
            .then(|| (offset - self.start) as usize)
    }
}

/// The lowest log start and one past the highest offset any strip shows (a LEO, or a dropped
/// cell still on screen).
fn extent(p: &PartitionSnapshot, view: &LogView) -> (i64, i64) {
    let known = p.replica_states.iter().filter(|r| r.log_end_offset >= 0);
    let lo = known
        .clone()
        .map(|r| r.log_start_offset.max(0))
        .min()
        .unwrap_or(0);
    let hi = known
        .map(|r| r.log_end_offset)
        .max()
        .unwrap_or(0)
        .max(view.dropped_end());
    (lo, hi.max(lo))
}

/// How many offsets fit across a terminal `width` wide (inside the border and the indent).
pub fn cells_for(width: u16) -> i64 {
    width.saturating_sub(2 + INDENT).max(1) as i64
}

/// The farthest the view scrolls back: the log start at the left edge.
pub fn scroll_max(p: &PartitionSnapshot, view: &LogView, cells: i64) -> i64 {
    let (lo, hi) = extent(p, view);
    // One blank cell after the newest offset: where the next record goes.
    (hi + 1 - cells - lo).max(0)
}

/// The window shown for `cells` columns: the tail (and the next free offset), `scroll` offsets
/// back, never before the log start.
pub fn window(p: &PartitionSnapshot, view: &LogView, cells: i64) -> Window {
    let (lo, hi) = extent(p, view);
    let scroll = view.scroll.clamp(0, scroll_max(p, view, cells));
    let start = (hi + 1 - cells - scroll).max(lo);
    Window { start, cells }
}

/// Replicas leader first, then the others in assignment order.
fn strips(p: &PartitionSnapshot) -> Vec<&ReplicaSnapshot> {
    let mut v: Vec<&ReplicaSnapshot> = p.replica_states.iter().collect();
    v.sort_by_key(|r| r.role != ReplicaRole::Leader);
    v
}

/// One cell of a replica's strip: its glyph and style.
fn cell(
    p: &PartitionSnapshot,
    r: &ReplicaSnapshot,
    view: &LogView,
    offset: i64,
    leader_leo: i64,
    theme: &Theme,
) -> (char, Style) {
    let row = Row::Replica(r.broker);
    let new = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
    if r.log_end_offset < 0 {
        return (' ', Style::new());
    }
    if offset < r.log_start_offset {
        if view.shows(&row, FlowKind::Deleted, offset) {
            return ('-', theme.error());
        }
        return (' ', Style::new());
    }
    if offset >= r.log_end_offset {
        if view.shows(&row, FlowKind::Truncated, offset) {
            return ('x', theme.error().add_modifier(Modifier::CROSSED_OUT));
        }
        if offset < leader_leo {
            return ('·', theme.dim());
        }
        return (' ', Style::new());
    }
    // The glyph carries the meaning; colour only repeats it, and an offline strip is dimmed.
    let tint = |c: Color| {
        if r.role == ReplicaRole::Offline {
            theme.dim()
        } else if theme.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    };
    // A replica's own HW (a follower's lags one fetch; a stopped ex-leader's tail above the HW
    // it knew was never committed, whatever the new leader's HW says).
    let hw = r.high_watermark.min(p.high_watermark);
    let marker = r
        .markers
        .iter()
        .find(|(o, _)| *o == offset)
        .map(|(_, c)| *c);
    let (glyph, style) = if let Some(commit) = marker {
        // A transaction marker: C for COMMIT, A for ABORT (a control batch, never shown to
        // applications).
        if commit {
            ('C', tint(Color::Green))
        } else {
            ('A', tint(Color::Red))
        }
    } else if offset >= hw {
        ('□', tint(Color::Yellow))
    } else {
        ('■', tint(Color::Green))
    };
    // New cells keep their committed/uncommitted glyph and light up, with or without colour.
    if view.shows(&row, FlowKind::Appended, offset) {
        return (glyph, new);
    }
    (glyph, style)
}

/// A row of single-character marks placed by column, later marks over earlier ones.
struct Marks {
    chars: Vec<(char, Style)>,
}

impl Marks {
    fn new(cells: usize) -> Self {
        Self {
            chars: vec![(' ', Style::new()); cells],
        }
    }

    fn put(&mut self, column: usize, text: &str, style: Style) {
        for (i, c) in text.chars().enumerate() {
            if let Some(slot) = self.chars.get_mut(column + i) {
                *slot = (c, style);
            }
        }
    }

    /// Whether `column` holds a mark already.
    fn taken(&self, column: usize) -> bool {
        self.chars.get(column).is_some_and(|(c, _)| *c != ' ')
    }

    fn line(self) -> Line<'static> {
        let mut spans = vec![Span::raw(" ".repeat(INDENT as usize))];
        spans.extend(
            self.chars
                .into_iter()
                .map(|(c, s)| Span::styled(c.to_string(), s)),
        );
        Line::from(spans)
    }
}

fn role_name(r: &ReplicaSnapshot) -> &'static str {
    match r.role {
        ReplicaRole::Leader => text("log_view.leader"),
        ReplicaRole::InSync => text("log_view.in_sync"),
        ReplicaRole::OutOfSync => text("log_view.out_of_sync"),
        ReplicaRole::Offline => text("log_view.offline"),
    }
}

/// The three lines of one replica: who it is with its offsets, its cells, its marks.
fn strip_lines(
    p: &PartitionSnapshot,
    r: &ReplicaSnapshot,
    view: &LogView,
    w: Window,
    leader_leo: i64,
    theme: &Theme,
) -> [Line<'static>; 3] {
    let behind = leader_leo - r.log_end_offset;
    let mut head = vec![
        Span::styled(
            format!("b{} {}", r.broker, role_name(r)),
            theme.role(r.role),
        ),
        Span::raw(text_with(
            "log_view.replica_offsets",
            &[
                ("start", &r.log_start_offset.to_string()),
                ("hw", &r.high_watermark.to_string()),
                ("leo", &r.log_end_offset.to_string()),
            ],
        )),
    ];
    if r.role != ReplicaRole::Leader && r.log_end_offset >= 0 && behind > 0 {
        head.push(Span::styled(
            text_with("log_view.behind", &[("n", &behind.to_string())]),
            theme.dim(),
        ));
    }
    let mut cells = vec![Span::raw(" ".repeat(INDENT as usize))];
    cells.extend((w.start..w.start + w.cells).map(|o| {
        let (c, s) = cell(p, r, view, o, leader_leo, theme);
        Span::styled(c.to_string(), s)
    }));
    let mut marks = Marks::new(w.cells as usize);
    let dim = theme.dim();
    let bold = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    for base in &r.segment_bases {
        if let Some(c) = w.column(*base) {
            marks.put(c, "[", dim);
        }
    }
    if r.log_end_offset >= 0
        && let Some(c) = w.column(r.log_start_offset)
    {
        marks.put(c, "S", bold);
    }
    for (epoch, start) in &r.epoch_starts {
        if let Some(c) = w.column(*start) {
            // Beside a segment or log-start mark rather than over it: `[e4`, `Se0`.
            let c = if marks.taken(c) { c + 1 } else { c };
            marks.put(
                c,
                &format!("e{epoch}"),
                Style::new().add_modifier(Modifier::BOLD),
            );
        }
    }
    // The offsets whose records a truncation dropped, under the cells (the cells above may
    // already hold the new leader's records at those offsets).
    let row = Row::Replica(r.broker);
    for o in w.start..w.start + w.cells {
        if view.shows(&row, FlowKind::Truncated, o)
            && let Some(c) = w.column(o)
        {
            marks.put(c, "x", theme.error());
        }
    }
    if r.log_end_offset >= 0 {
        // Nothing uncommitted: HW and LEO are the same offset, and both are named.
        if r.high_watermark == r.log_end_offset {
            if let Some(c) = w.column(r.log_end_offset) {
                marks.put(c, "H=L", bold);
            }
        } else {
            for (offset, m) in [(r.high_watermark, "H"), (r.log_end_offset, "L")] {
                if let Some(c) = w.column(offset) {
                    marks.put(c, m, bold);
                }
            }
        }
    }
    [Line::from(head), Line::from(cells), marks.line()]
}

/// Two lines per group reading this partition: its offsets, then `c` and `p` under the cells.
fn group_lines(snap: &LabSnapshot, view: &LogView, w: Window, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for g in &snap.groups {
        let Some(gp) = g.partitions.iter().find(|gp| gp.tp == view.tp) else {
            continue;
        };
        let owner = gp
            .owner
            .as_ref()
            .and_then(|m| g.members.iter().find(|x| &x.member_id == m))
            .map(|m| m.client_id.clone());
        let committed = gp
            .committed
            .map_or(text("partitions.none").into(), |c| c.to_string());
        let mut head = text_with(
            "log_view.group_committed",
            &[("group", &g.group_id), ("committed", &committed)],
        );
        if let Some(pos) = gp.position {
            head.push_str(&text_with(
                "log_view.group_position",
                &[("pos", &pos.to_string())],
            ));
        }
        if let Some(o) = owner {
            head.push_str(&format!(" · {o}"));
        }
        out.push(Line::from(vec![
            Span::raw(" ".repeat(INDENT as usize)),
            Span::styled(head, theme.dim()),
        ]));
        let mut marks = Marks::new(w.cells as usize);
        let row = Row::Group(g.group_id.clone());
        if let Some(pos) = gp.position {
            // The records this consumer read a moment ago, trailing behind its position.
            for o in w.start..w.start + w.cells {
                if view.shows(&row, FlowKind::Read, o)
                    && let Some(c) = w.column(o)
                {
                    marks.put(c, "›", theme.consumed());
                }
            }
            if let Some(c) = w.column(pos) {
                marks.put(c, "p", Style::new().add_modifier(Modifier::BOLD));
            }
        }
        if let Some(c) = gp.committed.and_then(|c| w.column(c)) {
            marks.put(c, "c", Style::new().add_modifier(Modifier::BOLD));
        }
        out.push(marks.line());
    }
    out
}

/// The offsets ruler: a number every few cells, where it starts.
fn ruler(w: Window, theme: &Theme) -> Line<'static> {
    let digits = (w.start + w.cells).max(1).to_string().len() as i64;
    let step = [5, 10, 20, 50, 100, 1000]
        .into_iter()
        .find(|s| *s > digits + 2)
        .unwrap_or(10_000);
    let mut marks = Marks::new(w.cells as usize);
    let first = (w.start + step - 1) / step * step;
    let mut o = first;
    while o < w.start + w.cells {
        let label = o.to_string();
        // A number cut by the right edge would read as another number.
        if let Some(c) = w.column(o).filter(|c| c + label.len() <= w.cells as usize) {
            marks.put(c, &label, theme.dim());
        }
        o += step;
    }
    marks.line()
}

/// The view's lines for an inner width of `width` cells, in blocks: the ruler, then each
/// replica's strip (the leader's with the groups' positions under it).
pub fn blocks(app: &App, view: &LogView, width: u16) -> Vec<Vec<Line<'static>>> {
    let snap = &app.snapshot;
    let theme = &app.theme;
    let Some(p) = view.partition(snap) else {
        return vec![vec![Line::raw(text_with(
            "log_view.gone",
            &[("tp", &view.tp.to_string())],
        ))]];
    };
    let cells = width.saturating_sub(INDENT).max(1) as i64;
    let w = window(p, view, cells);
    let leader_leo = p
        .replica_states
        .iter()
        .map(|r| r.log_end_offset)
        .max()
        .unwrap_or(0);
    let mut out = vec![vec![ruler(w, theme)]];
    for (i, r) in strips(p).into_iter().enumerate() {
        let mut block = strip_lines(p, r, view, w, leader_leo, theme).to_vec();
        if i == 0 {
            block.extend(group_lines(snap, view, w, theme));
        }
        out.push(block);
    }
    out
}

/// The legend under the strips: what the cells mean, then what the marks under them mean.
pub fn legend() -> [&'static str; 2] {
    [text("log_view.legend_cells"), text("log_view.legend_marks")]
}

/// Draws the view over the panels above the timeline, so the timeline (where truncations and
/// elections are told) and the lesson banner stay in sight.
pub fn render(frame: &mut Frame, area: Rect, app: &App, view: &LogView) {
    let snap = &app.snapshot;
    let title = match view.partition(snap) {
        Some(p) => text_with(
            "log_view.title",
            &[
                ("tp", &p.tp.to_string()),
                (
                    "leader",
                    &p.leader
                        .map_or(text("partitions.none").into(), |l| format!("b{l}")),
                ),
                ("epoch", &p.leader_epoch.to_string()),
            ],
        ),
        None => view.tp.to_string(),
    };
    let mut hint = text("log_view.hint").to_string();
    if view.scroll > 0 {
        hint = text_with("log_view.hint_scrolled", &[("n", &view.scroll.to_string())]);
    }
    let block = panel(&title, &hint, true, &app.theme);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let blocks = blocks(app, view, inner.width);
    let rows = inner.height as usize;
    let tight: usize = blocks.iter().map(Vec::len).sum();
    // With room to spare (160×48), a blank line between strips keeps them apart.
    let gap = tight + blocks.len() + 2 <= rows;
    let mut body: Vec<Line> = Vec::with_capacity(rows);
    for (i, block) in blocks.into_iter().enumerate() {
        if gap && i > 0 {
            body.push(Line::raw(""));
        }
        body.extend(block);
    }
    let legend: Vec<Line> = legend()
        .iter()
        .map(|l| {
            Line::styled(
                super::fit::fit_words(l, inner.width as usize),
                app.theme.dim(),
            )
        })
        .collect();
    // The legend gives way to the strips on a short screen.
    let legend_rows = legend.len().min(rows.saturating_sub(body.len()));
    body.truncate(rows.saturating_sub(legend_rows));
    while body.len() + legend_rows < rows {
        body.push(Line::raw(""));
    }
    body.extend(legend.into_iter().take(legend_rows));
    frame.render_widget(Paragraph::new(body), inner);
}

/// The rectangle the view covers: every panel above the timeline, full width.
pub fn area(areas: &crate::ui::layout::Areas) -> Rect {
    let top = areas.brokers.y;
    let bottom = areas.timeline.y.max(top + 1);
    Rect::new(areas.brokers.x, top, areas.status.width, bottom - top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture;

    fn test0(snap: &LabSnapshot) -> &PartitionSnapshot {
        snap.partitions
            .iter()
            .find(|p| p.tp.to_string() == "test-0")
            .unwrap()
    }

    #[test]
    fn a_long_log_shows_its_tail_and_scrolls_back_to_the_log_start() {
        let snap = fixture::snapshot();
        let p = test0(&snap);
        let mut view = LogView::new(p.tp.clone());
        let w = window(p, &view, 50);
        // LEO 412 is the newest offset: the window ends one past it, where the next record goes.
        assert_eq!(w.start, 413 - 50);
        view.scroll = 10_000;
        let w = window(p, &view, 50);
        assert_eq!(w.start, 0, "scrolled all the way back: the log start");
    }

    #[test]
    fn cells_tell_committed_uncommitted_and_missing_apart() {
        let snap = fixture::snapshot();
        let p = test0(&snap);
        let view = LogView::new(p.tp.clone());
        let theme = Theme::monochrome();
        let leader = &p.replica_states[0];
        let follower = &p.replica_states[1];
        assert_eq!(cell(p, leader, &view, 408, 412, &theme).0, '■');
        assert_eq!(cell(p, leader, &view, 409, 412, &theme).0, '□');
        assert_eq!(cell(p, leader, &view, 412, 412, &theme).0, ' ');
        assert_eq!(cell(p, follower, &view, 411, 412, &theme).0, '·');
        let mut with_markers = leader.clone();
        with_markers.markers = vec![(405, true), (407, false)];
        assert_eq!(cell(p, &with_markers, &view, 405, 412, &theme).0, 'C');
        assert_eq!(cell(p, &with_markers, &view, 407, 412, &theme).0, 'A');
        assert_eq!(cell(p, &with_markers, &view, 406, 412, &theme).0, '■');
    }
}
