//! UI state and the pure `update` that turns an [`Action`] into new state and maybe a [`Command`].

use super::action::Action;
use super::dialog::{Dialog, live_brokers};
use super::layout::{Areas, areas};
use super::rows::{group_lines, partition_order, scroll_start};
use super::theme::Theme;
use crate::cluster::event::Event;
use crate::lab::LabSnapshot;
use crate::lab::command::{Command, DirectorCommand};
use ratatui::layout::{Position, Rect};
use std::collections::VecDeque;

/// How many events the timeline keeps.
pub const EVENTS_MAX: usize = 500;
/// Simulated-time speeds the driver accepts.
pub const SPEED_MIN: f64 = 0.1;
/// Simulated-time speeds the driver accepts.
pub const SPEED_MAX: f64 = 100.0;
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
    /// A dialog.
    Dialog(Dialog),
}

/// The selected row of each list panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Index into `snapshot.brokers`.
    pub broker: usize,
    /// Index into [`partition_order`].
    pub partition: usize,
    /// Index into [`group_lines`].
    pub group_line: usize,
    /// Index into `snapshot.producers`.
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
    /// Timeline lines scrolled up from the newest event (0 = follow the newest).
    pub timeline_scroll: usize,
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
            mode: Mode::Normal,
            paused: false,
            speed: 1.0,
            theme,
            size: Rect::new(0, 0, width, height),
            flash: None,
            should_quit: false,
            lesson_mode: false,
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
        self.snapshot = snap;
        self.connected = true;
        self.clamp_selection();
    }

    /// Appends an event, dropping the oldest beyond [`EVENTS_MAX`]. A scrolled timeline stays on
    /// the lines it shows.
    pub fn push_event(&mut self, event: Event) {
        if self.events.len() == EVENTS_MAX {
            self.events.pop_front();
        }
        self.events.push_back(event);
        if self.timeline_scroll > 0 {
            self.timeline_scroll = (self.timeline_scroll + 1).min(self.events.len() - 1);
        }
    }

    /// Panel rectangles at the current size (`None` when the terminal is too small).
    pub fn areas(&self) -> Option<Areas> {
        areas(self.size, &self.snapshot)
    }

    fn rows(&self, panel: Panel) -> usize {
        match panel {
            Panel::Brokers => self.snapshot.brokers.len(),
            Panel::Partitions => self.snapshot.partitions.len(),
            Panel::Groups => group_lines(&self.snapshot).len(),
            Panel::Producers => self.snapshot.producers.len(),
            Panel::Timeline => self.events.len(),
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
        self.timeline_scroll = self
            .timeline_scroll
            .min(self.events.len().saturating_sub(1));
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
        self.snapshot.producers.get(self.selection.producer)
    }

    /// The index into `snapshot.partitions` the partitions panel selects.
    pub fn selected_partition(&self) -> Option<usize> {
        partition_order(&self.snapshot)
            .get(self.selection.partition)
            .copied()
    }

    fn move_selection(&mut self, delta: isize) {
        let panel = self.focus;
        if panel == Panel::Timeline {
            let max = self.events.len().saturating_sub(1) as isize;
            self.timeline_scroll = (self.timeline_scroll as isize - delta).clamp(0, max) as usize;
            return;
        }
        let n = self.rows(panel) as isize;
        if let Some(s) = self.selected_mut(panel) {
            *s = (*s as isize + delta).clamp(0, (n - 1).max(0)) as usize;
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        let Some(a) = self.areas() else { return };
        let pos = Position::new(column, row);
        let hit = [
            (Panel::Brokers, a.brokers),
            (Panel::Partitions, a.partitions),
            (Panel::Partitions, a.map),
            (Panel::Groups, a.groups),
            (Panel::Producers, a.producers),
            (Panel::Timeline, a.timeline),
        ]
        .into_iter()
        .find(|(_, r)| r.contains(pos));
        let Some((panel, rect)) = hit else { return };
        self.focus = panel;
        if panel == Panel::Timeline {
            return;
        }
        let first_row = rect.y + 1 + panel.header_rows();
        if row < first_row || row >= rect.y + rect.height.saturating_sub(1) {
            return;
        }
        let visible = rect.height.saturating_sub(2 + panel.header_rows()) as usize;
        let n = self.rows(panel);
        let Some(sel) = self.selected_mut(panel) else {
            return;
        };
        let index = scroll_start(*sel, visible) + (row - first_row) as usize;
        if index < n {
            *sel = index;
        }
    }

    fn broker_command(&mut self, make: fn(i32) -> Command, verb: &str) -> Option<Command> {
        match self.selected_broker() {
            Some(id) => {
                self.flash = Some(format!("{verb} broker {id}"));
                Some(make(id))
            }
            None => {
                self.flash = Some("no broker to select yet".into());
                None
            }
        }
    }

    fn consumer_command(&mut self, make: fn(u32) -> Command, verb: &str) -> Option<Command> {
        let lines = group_lines(&self.snapshot);
        let target = lines
            .get(self.selection.group_line)
            .and_then(|l| l.consumer)
            .and_then(|id| self.snapshot.consumers.iter().find(|c| c.id == id));
        match target {
            Some(c) => {
                self.flash = Some(format!("{verb} {}", c.client_id));
                Some(make(c.id))
            }
            None => {
                self.flash = Some("select a consumer in the Groups panel first (Tab, ↑↓)".into());
                None
            }
        }
    }

    fn default_topic(&self) -> String {
        self.selected_partition()
            .map(|i| self.snapshot.partitions[i].tp.topic.clone())
            .filter(|t| !t.starts_with("__"))
            .or_else(|| {
                self.snapshot
                    .topics
                    .iter()
                    .find(|t| !t.internal)
                    .map(|t| t.name.clone())
            })
            .unwrap_or_else(|| "test".into())
    }

    fn consumer_dialog(&self) -> Dialog {
        let lines = group_lines(&self.snapshot);
        let group = lines
            .get(self.selection.group_line)
            .and_then(|l| self.snapshot.groups.get(l.group));
        let group_id = group.map(|g| g.group_id.as_str()).unwrap_or("lab-group");
        let topic = group
            .and_then(|g| g.partitions.first())
            .map(|p| p.tp.topic.clone())
            .unwrap_or_else(|| self.default_topic());
        Dialog::consumer(group_id, &topic)
    }

    fn step_rate(&mut self, up: bool) -> Option<Command> {
        let Some(p) = self.selected_producer() else {
            self.flash = Some("no producer selected".into());
            return None;
        };
        let rate = p.rate_per_sec;
        let next = if up {
            RATE_STEPS.iter().copied().find(|s| *s > rate + 1e-9)
        } else {
            RATE_STEPS.iter().rev().copied().find(|s| *s < rate - 1e-9)
        };
        let (id, client) = (p.id, p.client_id.clone());
        match next {
            Some(r) => {
                self.flash = Some(format!("{client}: rate {r}/s"));
                Some(Command::SetProducerRate(id, r))
            }
            None => {
                self.flash = Some(format!(
                    "{client}: rate is already at the {} step",
                    if up { "highest" } else { "lowest" }
                ));
                None
            }
        }
    }

    fn set_speed(&mut self, speed: f64) -> Option<Command> {
        let speed = speed.clamp(SPEED_MIN, SPEED_MAX);
        self.speed = speed;
        self.flash = Some(format!("speed {}", format_speed(speed)));
        Some(Command::SetSpeed(speed))
    }
}

/// A speed as `1×`, `0.5×`, `16×`.
pub fn format_speed(speed: f64) -> String {
    let s = format!("{speed:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}×")
}

/// Applies one action; returns the command to send to the lab, if any. Pure: no I/O.
pub fn update(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::Quit => {
            app.should_quit = true;
            return None;
        }
        Action::Resize { width, height } => {
            app.size = Rect::new(0, 0, width, height);
            return None;
        }
        _ => {}
    }
    match &mut app.mode {
        Mode::Help => {
            if matches!(action, Action::Cancel | Action::ToggleHelp) {
                app.mode = Mode::Normal;
            }
            None
        }
        Mode::Dialog(dialog) => {
            match action {
                Action::Input(c) => dialog.input(c),
                Action::Backspace => dialog.backspace(),
                Action::NextField => dialog.next_field(),
                Action::PrevField => dialog.prev_field(),
                Action::Cancel => {
                    app.mode = Mode::Normal;
                    app.flash = Some("cancelled".into());
                }
                Action::Submit => match dialog.command(&app.snapshot) {
                    Ok(cmd) => {
                        app.flash = Some(format!("sent: {}", dialog.title().to_lowercase()));
                        app.mode = Mode::Normal;
                        return Some(cmd);
                    }
                    Err(e) => dialog.error = Some(e),
                },
                _ => {}
            }
            None
        }
        Mode::Normal => normal(app, action),
    }
}

fn normal(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::ToggleHelp => app.mode = Mode::Help,
        Action::Cancel => app.flash = None,
        Action::FocusNext => app.focus = Panel::ALL[(app.focus.index() + 1) % Panel::ALL.len()],
        Action::FocusPrev => {
            app.focus = Panel::ALL[(app.focus.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
        }
        Action::Up => app.move_selection(-1),
        Action::Down => app.move_selection(1),
        Action::PageUp => app.move_selection(-(app.visible_rows(app.focus) as isize)),
        Action::PageDown => app.move_selection(app.visible_rows(app.focus) as isize),
        Action::Top => app.move_selection(-(EVENTS_MAX as isize) * 4),
        Action::Bottom => app.move_selection(EVENTS_MAX as isize * 4),
        Action::Click { column, row } => app.click(column, row),
        Action::KillBroker => return app.broker_command(Command::KillBroker, "kill"),
        Action::ShutdownBroker => return app.broker_command(Command::ShutdownBroker, "shut down"),
        Action::RestartBroker => return app.broker_command(Command::RestartBroker, "restart"),
        Action::KillConsumer => return app.consumer_command(Command::KillConsumer, "kill"),
        Action::CloseConsumer => return app.consumer_command(Command::CloseConsumer, "close"),
        Action::SpawnProducer => app.mode = Mode::Dialog(Dialog::producer(&app.default_topic())),
        Action::SpawnConsumer => app.mode = Mode::Dialog(app.consumer_dialog()),
        Action::CreateTopic => app.mode = Mode::Dialog(Dialog::topic(live_brokers(&app.snapshot))),
        Action::RateUp => return app.step_rate(true),
        Action::RateDown => return app.step_rate(false),
        Action::TogglePause => {
            app.paused = !app.paused;
            app.flash = Some(if app.paused { "paused" } else { "resumed" }.into());
            return Some(Command::SetPaused(app.paused));
        }
        Action::Slower => return app.set_speed(app.speed / 2.0),
        Action::Faster => return app.set_speed(app.speed * 2.0),
        Action::LessonNext if app.lesson_mode => {
            let waiting = app
                .snapshot
                .lesson
                .as_ref()
                .is_some_and(|l| l.waiting_for_key);
            app.flash = Some(
                if waiting {
                    "next step"
                } else {
                    "no step is waiting for n"
                }
                .into(),
            );
            // The driver also resumes time a `pause` step stopped, so it is sent either way.
            return Some(Command::Director(DirectorCommand::Next));
        }
        Action::LessonRestart if app.lesson_mode => {
            app.events.clear();
            app.timeline_scroll = 0;
            app.flash = Some("lesson restarted from the beginning".into());
            return Some(Command::Director(DirectorCommand::Restart));
        }
        Action::LessonNext | Action::LessonRestart => {}
        Action::Quit
        | Action::Resize { .. }
        | Action::Input(_)
        | Action::Backspace
        | Action::NextField
        | Action::PrevField
        | Action::Submit => {}
    }
    None
}
