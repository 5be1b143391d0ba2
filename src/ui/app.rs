//! UI state: the focused panel, selections, mode, speed and the newest lab snapshot. The pure
//! `update` that turns an `Action` into new state and maybe a `Command` is in `app/update.rs`.

use super::confirm::Confirm;
use super::dialog::Dialog;
use super::explain::Target;
use super::layout::{Areas, areas};
use super::log_view::LogView;
use super::pulses::Pulses;
use super::rows::GroupLineKind;
use super::tables::{NameFilter, Tables};
use super::theme::Theme;
use super::timeline_filter::{TimelineFilter, shown};
use crate::cluster::event::{Event, EventKind, NoteText};
use crate::lab::LabSnapshot;
use ratatui::layout::Rect;
use std::collections::VecDeque;

mod attach_keys;
mod filter;
mod reset;
mod update;

pub use update::update;

/// How many events the timeline keeps.
pub const EVENTS_MAX: usize = 500;
/// Ticks after a dialog or a confirmation closes during which every key is dropped, so a key
/// typed for it a moment too late never acts on the dashboard (3 × 100 ms; each dropped key
/// starts the wait again, so a burst of typing is dropped whole).
pub const DIALOG_GUARD_TICKS: u8 = 3;
/// Producer rates that `+` and `-` step through, records/s.
pub const RATE_STEPS: &[f64] = &[
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    1_000.0,
    2_000.0,
    5_000.0,
    10_000.0,
    20_000.0,
    50_000.0,
    100_000.0,
    200_000.0,
    500_000.0,
    1_000_000.0,
];

/// A panel that can hold focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    /// Brokers (target of `b`, `s`, `r`).
    Brokers,
    /// Partitions table and map.
    Partitions,
    /// Consumer groups (target of `c`, `k`, `x`).
    Groups,
    /// Producers (target of `+`, `-`).
    Producers,
    /// Event timeline.
    Timeline,
}

impl Panel {
    /// Focus order of Tab.
    pub const ALL: [Panel; 5] = [
        Panel::Brokers,
        Panel::Partitions,
        Panel::Groups,
        Panel::Producers,
        Panel::Timeline,
    ];

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// Rows above the first data row inside the panel's border (a table header).
    pub fn header_rows(self) -> u16 {
        match self {
            Panel::Brokers | Panel::Partitions | Panel::Producers => 1,
            Panel::Groups | Panel::Timeline => 0,
        }
    }
}

/// What the keyboard is talking to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard.
    Normal,
    /// The `?` overlay.
    Help,
    /// The `T` overlay: open transactions.
    Transactions,
    /// The `e` overlay: what is explained, and how many lines it is scrolled down.
    Explain {
        /// The subject, by identity.
        target: Target,
        /// Lines scrolled past.
        scroll: u16,
    },
    /// A dialog.
    Dialog(Dialog),
    /// Typing the `/` filter of the tables (Enter keeps it, Esc clears it).
    Filter,
    /// A destructive command waiting for `y` or Enter (any other key cancels it).
    Confirm(Confirm),
}

/// The selected row of each list panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Index into `snapshot.brokers`.
    pub broker: usize,
    /// Index into the listed partitions ([`Tables::partitions`]).
    pub partition: usize,
    /// Index into the listed group lines ([`Tables::group_lines`]).
    pub group_line: usize,
    /// Index into the listed producers ([`Tables::producers`]).
    pub producer: usize,
}

/// Everything the dashboard draws from.
#[derive(Clone, Debug)]
pub struct App {
    /// The newest snapshot.
    pub snapshot: LabSnapshot,
    /// Whether any snapshot arrived yet.
    pub connected: bool,
    /// The newest events, oldest first, at most [`EVENTS_MAX`].
    pub events: VecDeque<Event>,
    /// Focused panel.
    pub focus: Panel,
    /// Selected rows.
    pub selection: Selection,
    /// Timeline lines scrolled up from the newest shown event (0 = follow the newest).
    pub timeline_scroll: usize,
    /// What the timeline shows: the story, every line (`v`) or one kind (`f`).
    pub timeline_filter: TimelineFilter,
    /// Internal topics (`__consumer_offsets`) listed in the partition tables (`i`).
    pub show_internal: bool,
    /// Normal, help or dialog.
    pub mode: Mode,
    /// Paused as last asked (the snapshot confirms it).
    pub paused: bool,
    /// Speed as last asked (the snapshot confirms it).
    pub speed: f64,
    /// Colours.
    pub theme: Theme,
    /// Terminal size.
    pub size: Rect,
    /// A one-line message for the status bar (what was sent, or why nothing was).
    pub flash: Option<String>,
    /// Set by `Quit`.
    pub should_quit: bool,
    /// Running a lesson: the lesson keys are bound and the banner is drawn.
    pub lesson_mode: bool,
    /// Ticks left in which keys are dropped because a dialog or a confirmation just closed.
    pub dialog_guard_ticks: u8,
    /// The replica-log view (`l`), when open: it replaces the panels above the timeline.
    pub log_view: Option<LogView>,
    /// Which replicas took records a moment ago (the partition map's `L+412`).
    pub pulses: Pulses,
    /// The lesson's last `show_log`: the log view opens when it changes, so a presenter who
    /// closes the view keeps it closed until the lesson asks again.
    pub lesson_log: Option<crate::cluster::types::TopicPartition>,
    /// The tables' `/` filter (empty: every row).
    pub filter: NameFilter,
    /// What the tables list for the snapshot, filter and `i`: see [`App::refresh_tables`].
    pub tables: Tables,
}

impl App {
    /// A fresh dashboard of `width`×`height` cells.
    pub fn new(theme: Theme, width: u16, height: u16) -> Self {
        Self {
            snapshot: LabSnapshot {
                speed: 1.0,
                ..LabSnapshot::default()
            },
            connected: false,
            events: VecDeque::with_capacity(EVENTS_MAX),
            focus: Panel::Brokers,
            selection: Selection::default(),
            timeline_scroll: 0,
            timeline_filter: TimelineFilter::default(),
            show_internal: false,
            mode: Mode::Normal,
            paused: false,
            speed: 1.0,
            theme,
            size: Rect::new(0, 0, width, height),
            flash: None,
            should_quit: false,
            lesson_mode: false,
            dialog_guard_ticks: 0,
            log_view: None,
            pulses: Pulses::default(),
            lesson_log: None,
            filter: NameFilter::default(),
            tables: Tables::default(),
        }
    }

    /// The same dashboard in lesson mode.
    pub fn lesson(mut self) -> Self {
        self.lesson_mode = true;
        self
    }

    /// Takes a new snapshot, keeping selections in range.
    pub fn set_snapshot(&mut self, snap: LabSnapshot) {
        self.paused = snap.paused;
        self.speed = snap.speed;
        if let Some(view) = &mut self.log_view {
            view.observe(&snap);
        }
        self.pulses.observe(&snap);
        let wanted = snap.lesson.as_ref().and_then(|l| l.show_log.clone());
        self.snapshot = snap;
        self.connected = true;
        self.refresh_tables();
        self.clamp_selection();
        if wanted != self.lesson_log {
            self.lesson_log = wanted.clone();
            if let Some(tp) = wanted {
                self.open_log_view(tp);
            }
        }
    }

    /// Appends an event, dropping the oldest beyond [`EVENTS_MAX`]. A scrolled timeline stays on
    /// the lines it shows (an event the filter hides moves nothing).
    pub fn push_event(&mut self, event: Event) {
        // A run resumed from its past: the events of the future it left are gone from it (after
        // an undo, the undone action's instant too).
        let cut = match &event.kind {
            EventKind::Note {
                text: NoteText::Rewound { at_ms, .. },
            } => Some(*at_ms),
            EventKind::Note {
                text: NoteText::Undone { at_ms, .. },
            } => Some(at_ms - 1),
            _ => None,
        };
        if let Some(at) = cut {
            self.events.retain(|e| e.at_ms <= at);
            self.timeline_scroll = 0;
        }
        if self.events.len() == EVENTS_MAX {
            self.events.pop_front();
        }
        let shown = self.timeline_filter.shows(&event);
        if let Some(view) = &mut self.log_view {
            view.observe_event(&event);
        }
        self.events.push_back(event);
        if self.timeline_scroll > 0 && shown {
            self.timeline_scroll = (self.timeline_scroll + 1).min(self.timeline_scroll_max());
        }
    }

    /// The events the timeline's filter shows, oldest first.
    pub fn timeline_events(&self) -> Vec<&Event> {
        shown(&self.events, &self.timeline_filter)
    }

    /// The farthest the timeline scrolls up: the oldest shown events fill the panel, no blank
    /// rows.
    pub fn timeline_scroll_max(&self) -> usize {
        self.rows(Panel::Timeline)
            .saturating_sub(self.visible_rows(Panel::Timeline))
    }

    /// Panel rectangles at the current size (`None` when the terminal is too small).
    pub fn areas(&self) -> Option<Areas> {
        areas(self.size, &self.snapshot)
    }

    fn rows(&self, panel: Panel) -> usize {
        match panel {
            Panel::Brokers => self.snapshot.brokers.len(),
            Panel::Partitions => self.tables.partitions.len(),
            Panel::Groups => self.tables.group_lines.len(),
            Panel::Producers => self.tables.producers.len(),
            Panel::Timeline => self
                .events
                .iter()
                .filter(|e| self.timeline_filter.shows(e))
                .count(),
        }
    }

    fn selected_mut(&mut self, panel: Panel) -> Option<&mut usize> {
        match panel {
            Panel::Brokers => Some(&mut self.selection.broker),
            Panel::Partitions => Some(&mut self.selection.partition),
            Panel::Groups => Some(&mut self.selection.group_line),
            Panel::Producers => Some(&mut self.selection.producer),
            Panel::Timeline => None,
        }
    }

    fn clamp_selection(&mut self) {
        for p in Panel::ALL {
            let n = self.rows(p);
            if let Some(s) = self.selected_mut(p) {
                *s = (*s).min(n.saturating_sub(1));
            }
        }
        self.timeline_scroll = self.timeline_scroll.min(self.timeline_scroll_max());
    }

    /// Rectangle of a panel at the current size.
    pub fn panel_area(&self, panel: Panel) -> Option<Rect> {
        let a = self.areas()?;
        Some(match panel {
            Panel::Brokers => a.brokers,
            Panel::Partitions => a.partitions,
            Panel::Groups => a.groups,
            Panel::Producers => a.producers,
            Panel::Timeline => a.timeline,
        })
    }

    /// Data rows a panel shows at once.
    pub fn visible_rows(&self, panel: Panel) -> usize {
        self.panel_area(panel)
            .map(|r| r.height.saturating_sub(2 + panel.header_rows()) as usize)
            .unwrap_or(1)
            .max(1)
    }

    /// The broker the broker panel selects.
    pub fn selected_broker(&self) -> Option<i32> {
        self.snapshot
            .brokers
            .get(self.selection.broker)
            .map(|b| b.id)
    }

    /// The producer the producer panel selects.
    pub fn selected_producer(&self) -> Option<&crate::clients::view::ProducerSnapshot> {
        self.tables
            .producers
            .get(self.selection.producer)
            .and_then(|i| self.snapshot.producers.get(*i))
    }

    /// The event the timeline points at: the newest one shown (the bottom row at its scroll).
    pub fn selected_event(&self) -> Option<&Event> {
        // The bottom row the timeline shows: the filtered list, scrolled as the panel draws it.
        let events = self.timeline_events();
        let scroll = self.timeline_scroll.min(self.timeline_scroll_max());
        let end = events.len().saturating_sub(scroll);
        end.checked_sub(1).and_then(|i| events.get(i).copied())
    }

    /// What `e` explains: the focused panel's selected row, or the timeline's selected event.
    pub fn explain_target(&self) -> Target {
        let snap = &self.snapshot;
        if let Some(view) = &self.log_view {
            return Target::Partition(view.tp.clone());
        }
        let target = match self.focus {
            Panel::Brokers => self.selected_broker().map(Target::Broker),
            Panel::Partitions => self
                .selected_partition()
                .map(|i| Target::Partition(snap.partitions[i].tp.clone())),
            Panel::Producers => self.selected_producer().map(|p| Target::Producer(p.id)),
            Panel::Timeline => self
                .selected_event()
                .map(|e| Target::Event(Box::new(e.clone()))),
            Panel::Groups => self
                .tables
                .group_lines
                .get(self.selection.group_line)
                .and_then(|line| {
                    let g = snap.groups.get(line.group)?;
                    let member = |m: usize| Target::Member {
                        group: g.group_id.clone(),
                        member_id: g.members[m].member_id.clone(),
                    };
                    Some(match line.kind {
                        GroupLineKind::Header => Target::Group(g.group_id.clone()),
                        GroupLineKind::Partition {
                            member: Some(m), ..
                        }
                        | GroupLineKind::IdleMember { member: m } => member(m),
                        GroupLineKind::Partition { member: None, .. } => {
                            Target::Group(g.group_id.clone())
                        }
                        GroupLineKind::Outsider { consumer } => {
                            Target::Consumer(snap.consumers[consumer].id)
                        }
                    })
                }),
        };
        target.unwrap_or(Target::Nothing)
    }

    /// The index into `snapshot.partitions` the partitions panel selects.
    pub fn selected_partition(&self) -> Option<usize> {
        self.tables
            .partitions
            .get(self.selection.partition)
            .copied()
    }

    /// Lists the tables' rows again for the snapshot, the filter and `i`: when a snapshot
    /// arrives or either changes, never per frame.
    pub fn refresh_tables(&mut self) {
        self.tables = Tables::build(
            &self.snapshot,
            &self.pulses,
            self.show_internal,
            &self.filter,
        );
    }
}

/// A speed as `1×`, `0.5×`, `0.125×`, `64×`: the status bar and the speed message both use it.
pub fn format_speed(speed: f64) -> String {
    let s = format!("{speed:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}×")
}
