//! The pure `update`: one [`Action`] in, new [`App`] state and maybe a [`Command`] out — no I/O,
//! so tests drive it directly. The `App` methods here exist only to serve actions.

use super::attach_keys::attach_refusal;
use super::{App, DIALOG_GUARD_TICKS, Mode, Panel, RATE_STEPS, format_speed};
use crate::lab::clock::SPEED_RANGE;
use crate::lab::command::{Command, DirectorCommand, Travel};
use crate::ui::action::Action;
use crate::ui::confirm::Confirm;
use crate::ui::dialog::{Dialog, live_brokers};
use crate::ui::log_view::LogView;
use crate::ui::rows::scroll_start;
use crate::ui::text::{text, text_with};
use crate::ui::widgets::replica_log;
use ratatui::layout::{Position, Rect};

impl App {
    /// Whether the screen shows the past of a live run.
    pub fn in_past(&self) -> bool {
        self.snapshot.travel.is_some_and(|t| t.past)
    }

    /// Moves the screen `ms` from the instant it shows.
    fn travel_by(&mut self, ms: i64) -> Option<Command> {
        let on_screen = self
            .snapshot
            .travel
            .map_or(self.snapshot.now_ms, |t| t.at_ms);
        self.flash_travel((on_screen + ms).max(0));
        Some(Command::Travel(Travel::By(ms)))
    }

    fn flash_travel(&mut self, at_ms: i64) {
        let at = crate::cluster::event::secs_1(at_ms);
        self.flash = Some(text_with("flash.travel", &[("at", &at)]));
    }

    fn move_selection(&mut self, delta: isize) {
        let panel = self.focus;
        if panel == Panel::Timeline {
            let max = self.timeline_scroll_max() as isize;
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

    fn broker_command(&mut self, make: fn(i32) -> Command, key: &'static str) -> Option<Command> {
        match self.selected_broker() {
            Some(id) => {
                self.flash = Some(text_with(key, &[("broker", &id.to_string())]));
                Some(make(id))
            }
            None => {
                self.flash = Some(text("flash.no_broker").into());
                None
            }
        }
    }

    /// Asks before a destructive broker command; `y` or Enter sends it.
    fn confirm_broker(&mut self, make: fn(i32) -> Confirm) {
        match self.selected_broker() {
            Some(id) => self.ask(make(id)),
            None => self.flash = Some(text("flash.no_broker").into()),
        }
    }

    /// Asks before a destructive consumer command; `y` or Enter sends it.
    fn confirm_consumer(&mut self, make: fn(u32, String) -> Confirm) {
        let lines = &self.tables.group_lines;
        let target = lines
            .get(self.selection.group_line)
            .and_then(|l| l.consumer)
            .and_then(|id| self.snapshot.consumers.iter().find(|c| c.id == id));
        match target {
            Some(c) => self.ask(make(c.id, c.client_id.clone())),
            None => {
                self.flash = Some(text("flash.select_consumer").into());
            }
        }
    }

    /// Asks before changing the selected partition's topic; `y` or Enter sends it.
    fn confirm_topic(&mut self, make: fn(String, i32) -> Option<Confirm>) {
        let topic = self
            .selected_partition()
            .map(|i| self.snapshot.partitions[i].tp.topic.clone());
        let now = topic.as_ref().and_then(|t| {
            self.snapshot
                .topics
                .iter()
                .find(|x| &x.name == t)
                .map(|x| x.partitions)
        });
        match topic.zip(now).and_then(|(t, n)| make(t, n)) {
            Some(c) => self.ask(c),
            None => self.flash = Some(text("flash.select_topic").into()),
        }
    }

    fn ask(&mut self, confirm: Confirm) {
        self.flash = None;
        self.mode = Mode::Confirm(confirm);
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
        let lines = &self.tables.group_lines;
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

    fn stop_producer(&mut self) -> Option<Command> {
        let Some(p) = self.selected_producer() else {
            self.flash = Some(text("flash.no_producer").into());
            return None;
        };
        let (id, client) = (p.id, p.client_id.clone());
        if !p.running {
            self.flash = Some(text_with("flash.producer_stopped", &[("client", &client)]));
            return None;
        }
        self.flash = Some(text_with("flash.stop_producer", &[("client", &client)]));
        Some(Command::StopProducer(id))
    }

    fn step_rate(&mut self, up: bool) -> Option<Command> {
        let Some(p) = self.selected_producer() else {
            self.flash = Some(text("flash.no_producer").into());
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
                self.flash = Some(text_with(
                    "flash.rate",
                    &[("client", &client), ("rate", &r.to_string())],
                ));
                Some(Command::SetProducerRate(id, r))
            }
            None => {
                let key = if up {
                    "flash.rate_highest"
                } else {
                    "flash.rate_lowest"
                };
                self.flash = Some(text_with(key, &[("client", &client)]));
                None
            }
        }
    }

    fn timeline_filter_changed(&mut self) {
        // The old scroll position counts lines of another list: follow the newest again.
        self.timeline_scroll = 0;
        self.flash = Some(text_with(
            "flash.timeline",
            &[("shown", &self.timeline_filter.label())],
        ));
    }

    /// Opens the selected partition's replica-log view, or closes the open one.
    fn toggle_log_view(&mut self) {
        if self.log_view.take().is_some() {
            self.flash = None;
            return;
        }
        let Some(i) = self.selected_partition() else {
            self.flash = Some(text("log_view.no_partition").into());
            return;
        };
        let tp = self.snapshot.partitions[i].tp.clone();
        self.open_log_view(tp);
    }

    /// Opens the replica-log view on `tp` (a lesson's `show_log`, or `l`), replacing an open one.
    pub(crate) fn open_log_view(&mut self, tp: crate::cluster::types::TopicPartition) {
        if self.log_view.as_ref().is_some_and(|v| v.tp == tp) {
            return;
        }
        self.flash = Some(text_with("log_view.opened", &[("tp", &tp.to_string())]));
        let mut view = LogView::new(tp);
        view.observe(&self.snapshot);
        self.log_view = Some(view);
    }

    /// Scrolls the open log view `delta` offsets back (negative: toward the tail).
    fn scroll_log_view(&mut self, delta: i64) {
        let cells = replica_log::cells_for(self.size.width);
        let Some(view) = &mut self.log_view else {
            return;
        };
        let max = view
            .partition(&self.snapshot)
            .map_or(0, |p| replica_log::scroll_max(p, view, cells));
        view.scroll = (view.scroll.min(max) + delta).clamp(0, max);
    }

    fn set_speed(&mut self, speed: f64) -> Option<Command> {
        // The clock's own range, so the message names the speed the lab will run at.
        let speed = speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1);
        self.speed = speed;
        self.flash = Some(text_with("flash.speed", &[("speed", &format_speed(speed))]));
        Some(Command::SetSpeed(speed))
    }
}

/// Applies one action; returns the command to send to the lab, if any. Pure: no I/O.
pub fn update(app: &mut App, action: Action) -> Option<Command> {
    match action {
        // A `q` typed into a dialog a moment too late must not end the demo (the wait is short
        // and not prolonged, so Ctrl-C pressed again always quits).
        Action::Quit if app.dialog_guard_ticks > 0 => {
            app.flash = Some(text("flash.key_ignored").into());
            return None;
        }
        Action::Quit => {
            app.should_quit = true;
            return None;
        }
        Action::Resize { width, height } => {
            app.size = Rect::new(0, 0, width, height);
            return None;
        }
        Action::Tick => {
            app.dialog_guard_ticks = app.dialog_guard_ticks.saturating_sub(1);
            return None;
        }
        _ => {}
    }
    // On a real cluster (`kafka-lab attach`) the lab's fault and clock keys say why they do
    // nothing, and writes need --allow-writes.
    if let Some(attached) = &app.snapshot.attached
        && app.mode == Mode::Normal
        && let Some(why) = attach_refusal(app, attached.writes_allowed, action)
    {
        app.flash = Some(text(why).into());
        return None;
    }
    let explain_max = match &app.mode {
        Mode::Explain { target, .. } => crate::ui::widgets::explain::scroll_max(app, target),
        _ => 0,
    };
    match &mut app.mode {
        Mode::Confirm(confirm) => {
            let confirm = confirm.clone();
            app.mode = Mode::Normal;
            // Keys typed right after the answer are dropped too, like after a dialog.
            app.dialog_guard_ticks = DIALOG_GUARD_TICKS;
            if action == Action::Submit {
                app.flash = Some(confirm.sent());
                return Some(confirm.command());
            }
            // The key that said no does nothing else.
            app.flash = Some(text_with("flash.not_sent", &[("what", &confirm.sent())]));
            None
        }
        Mode::Help => {
            if matches!(action, Action::Cancel | Action::ToggleHelp) {
                app.mode = Mode::Normal;
            }
            None
        }
        Mode::Transactions => {
            if matches!(action, Action::Cancel | Action::ToggleTransactions) {
                app.mode = Mode::Normal;
            }
            None
        }
        Mode::Explain { scroll, .. } => {
            match action {
                Action::Cancel | Action::Explain => app.mode = Mode::Normal,
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = (*scroll + 1).min(explain_max),
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::PageDown => *scroll = scroll.saturating_add(10).min(explain_max),
                Action::Top => *scroll = 0,
                _ => {}
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
                    app.dialog_guard_ticks = DIALOG_GUARD_TICKS;
                    app.flash = Some(text("flash.cancelled").into());
                }
                Action::Submit => match dialog.command(&app.snapshot) {
                    // A destructive dialog (a reset of offsets) asks once more, as its keys do.
                    Ok(cmd) if let Some(confirm) = Confirm::before(&cmd) => app.ask(confirm),
                    Ok(cmd) => {
                        app.flash = Some(text_with(
                            "flash.sent",
                            &[("what", &dialog.title().to_lowercase())],
                        ));
                        app.mode = Mode::Normal;
                        app.dialog_guard_ticks = DIALOG_GUARD_TICKS;
                        return Some(cmd);
                    }
                    Err(e) => dialog.error = Some(e),
                },
                _ => {}
            }
            None
        }
        Mode::Filter => {
            app.filter_key(action);
            None
        }
        Mode::Normal => normal(app, action),
    }
}

fn normal(app: &mut App, action: Action) -> Option<Command> {
    // Every key (a click is aimed, not typed) while a dialog closes was meant for the dialog.
    if app.dialog_guard_ticks > 0 && !matches!(action, Action::Click { .. }) {
        app.dialog_guard_ticks = DIALOG_GUARD_TICKS;
        app.flash = Some(text("flash.key_ignored").into());
        return None;
    }
    // The log view takes the keys that move and close things; every other key (time, faults,
    // lessons) still acts, so a room can watch the logs while it happens.
    if app.log_view.is_some() {
        let page = replica_log::cells_for(app.size.width) - 1;
        match action {
            Action::ToggleLogView | Action::Cancel => app.toggle_log_view(),
            Action::Up => app.scroll_log_view(10),
            Action::Down => app.scroll_log_view(-10),
            Action::PageUp => app.scroll_log_view(page),
            Action::PageDown => app.scroll_log_view(-page),
            Action::Top => app.scroll_log_view(i64::MAX / 4),
            Action::Bottom => app.scroll_log_view(-(i64::MAX / 4)),
            _ => return normal_keys(app, action),
        }
        return None;
    }
    normal_keys(app, action)
}

fn normal_keys(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::ToggleLogView => app.toggle_log_view(),
        Action::ToggleHelp => app.mode = Mode::Help,
        Action::ToggleTransactions => app.mode = Mode::Transactions,
        Action::Explain => {
            app.mode = Mode::Explain {
                target: app.explain_target(),
                scroll: 0,
            }
        }
        // Esc also lists every row again when the tables are filtered.
        Action::Cancel => {
            app.flash = None;
            app.clear_filter();
        }
        Action::Filter => app.open_filter(),
        Action::FocusNext => app.focus = Panel::ALL[(app.focus.index() + 1) % Panel::ALL.len()],
        Action::FocusPrev => {
            app.focus = Panel::ALL[(app.focus.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
        }
        Action::Up => app.move_selection(-1),
        Action::Down => app.move_selection(1),
        Action::PageUp => app.move_selection(-(app.visible_rows(app.focus) as isize)),
        Action::PageDown => app.move_selection(app.visible_rows(app.focus) as isize),
        // Past any table's last row, however many partitions the cluster holds.
        Action::Top => app.move_selection(-(isize::MAX / 2)),
        Action::Bottom => app.move_selection(isize::MAX / 2),
        Action::Click { column, row } => app.click(column, row),
        Action::ToggleRoutine => {
            app.timeline_filter.verbose = !app.timeline_filter.verbose;
            app.timeline_filter.category = None;
            app.timeline_filter_changed();
        }
        Action::CycleTimelineKind => {
            app.timeline_filter.category = app.timeline_filter.next_category();
            app.timeline_filter_changed();
        }
        Action::ToggleInternal => {
            app.show_internal = !app.show_internal;
            // The selection indexes the shown rows: start over at the top rather than point
            // at a different partition.
            app.selection.partition = 0;
            app.refresh_tables();
            app.flash = Some(
                text(if app.show_internal {
                    "flash.internal_shown"
                } else {
                    "flash.internal_hidden"
                })
                .into(),
            );
        }
        Action::KillBroker => app.confirm_broker(Confirm::KillBroker),
        Action::ShutdownBroker => app.confirm_broker(Confirm::ShutdownBroker),
        Action::RestartBroker => {
            return app.broker_command(Command::RestartBroker, "flash.restart_broker");
        }
        Action::AddPartition => app.confirm_topic(|t, n| Some(Confirm::AddPartition(t, n))),
        Action::DeleteTopic => app.confirm_topic(|t, _| Some(Confirm::DeleteTopic(t))),
        Action::KillController => match app.snapshot.controller {
            Some(id) => app.ask(Confirm::KillController(id)),
            None => app.flash = Some(text("flash.no_active_controller").into()),
        },
        Action::RestartController => {
            let down = app
                .snapshot
                .quorum
                .iter()
                .find(|n| n.voter && n.role == crate::cluster::kraft::Role::Down)
                .map(|n| n.id);
            let Some(id) = down else {
                app.flash = Some(text("flash.no_controller_down").into());
                return None;
            };
            app.flash = Some(text_with(
                "flash.restart_controller",
                &[("node", &id.to_string())],
            ));
            return Some(Command::RestartController(id));
        }
        Action::KillConsumer => app.confirm_consumer(Confirm::KillConsumer),
        Action::CloseConsumer => app.confirm_consumer(Confirm::CloseConsumer),
        Action::ResetOffsets => app.open_reset_dialog(),
        Action::SpawnProducer => app.mode = Mode::Dialog(Dialog::producer(&app.default_topic())),
        Action::SpawnConsumer => app.mode = Mode::Dialog(app.consumer_dialog()),
        Action::CreateTopic => app.mode = Mode::Dialog(Dialog::topic(live_brokers(&app.snapshot))),
        Action::StopProducer => return app.stop_producer(),
        Action::RateUp => return app.step_rate(true),
        Action::RateDown => return app.step_rate(false),
        // In the past, space resumes from the instant on screen (the journal forks).
        Action::TogglePause if app.in_past() => {
            app.flash = Some(text("flash.resume_here").into());
            return Some(Command::Travel(Travel::Resume));
        }
        Action::BackSecond => return app.travel_by(-1_000),
        Action::ForwardSecond => return app.travel_by(1_000),
        Action::BackTenSeconds => return app.travel_by(-10_000),
        Action::ForwardTenSeconds => return app.travel_by(10_000),
        Action::JumpToEvent => {
            let Some(at) = app.selected_event().map(|e| e.at_ms) else {
                app.flash = Some(text("flash.no_event").into());
                return None;
            };
            app.flash_travel(at);
            return Some(Command::Travel(Travel::To(at)));
        }
        Action::Undo => {
            app.flash = Some(text("flash.undo").into());
            return Some(Command::Travel(Travel::Undo));
        }
        Action::TogglePause => {
            app.paused = !app.paused;
            app.flash = Some(
                text(if app.paused {
                    "flash.paused"
                } else {
                    "flash.resumed"
                })
                .into(),
            );
            return Some(Command::SetPaused(app.paused));
        }
        Action::Slower => return app.set_speed(app.speed / 2.0),
        Action::Faster => return app.set_speed(app.speed * 2.0),
        Action::LessonNext if app.lesson_mode => {
            let now = app.snapshot.now_ms;
            let waiting = app.snapshot.lesson.as_ref().is_some_and(|l| {
                l.waiting_for_key || l.reading_until_ms.is_some_and(|at| at > now)
            });
            app.flash = Some(
                text(if waiting {
                    "flash.next_step"
                } else {
                    "flash.no_step_waiting"
                })
                .into(),
            );
            // The driver also resumes time a `pause` step stopped, so it is sent either way.
            return Some(Command::Director(DirectorCommand::Next));
        }
        Action::LessonRestart if app.lesson_mode => {
            app.events.clear();
            app.timeline_scroll = 0;
            app.flash = Some(text("flash.lesson_restarted").into());
            return Some(Command::Director(DirectorCommand::Restart));
        }
        Action::LessonNext | Action::LessonRestart => {}
        Action::Quit
        | Action::Resize { .. }
        | Action::Tick
        | Action::Input(_)
        | Action::Backspace
        | Action::NextField
        | Action::PrevField
        | Action::Submit => {}
    }
    None
}
