//! The keymap as data: one table decodes keys into actions and generates the `?` help overlay.

use super::action::Action;
use super::app::Mode;
use crossterm::event::{
    Event as InputEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

/// One row of the keymap: the keys, how help shows them, what they do.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// Keys that trigger the action (without Ctrl or Alt).
    pub keys: &'static [KeyCode],
    /// How the help overlay spells the keys.
    pub shown: &'static str,
    /// The action.
    pub action: Action,
    /// Key of what it does in the text catalogue (`assets/text/`), for help and README.
    pub text_key: &'static str,
    /// Keys on the same help row with an action of their own (`]` beside `[`): the opposite
    /// direction of the same thing, so the help fits 80×24.
    pub more: &'static [(KeyCode, Action)],
}

impl Binding {
    /// What it does, in the catalogue's language.
    pub fn description(&self) -> &'static str {
        super::text::text(self.text_key)
    }

    /// The action of `code` on this row, if it is one of its keys.
    pub fn action_of(&self, code: KeyCode) -> Option<Action> {
        if self.keys.contains(&code) {
            return Some(self.action);
        }
        self.more.iter().find(|(k, _)| *k == code).map(|(_, a)| *a)
    }

    /// Every key of the row.
    pub fn all_keys(&self) -> impl Iterator<Item = KeyCode> + '_ {
        self.keys
            .iter()
            .copied()
            .chain(self.more.iter().map(|(k, _)| *k))
    }
}

const fn bind(
    keys: &'static [KeyCode],
    shown: &'static str,
    action: Action,
    text_key: &'static str,
) -> Binding {
    Binding {
        keys,
        shown,
        action,
        text_key,
        more: &[],
    }
}

/// A help row for two directions of one thing (`[` back, `]` on).
const fn pair(
    keys: &'static [KeyCode],
    shown: &'static str,
    action: Action,
    more: &'static [(KeyCode, Action)],
    text_key: &'static str,
) -> Binding {
    Binding {
        keys,
        shown,
        action,
        text_key,
        more,
    }
}

/// Every key of the dashboard in normal mode, in the order help lists them.
pub const KEYMAP: &[Binding] = &[
    bind(
        &[KeyCode::Char('b')],
        "b",
        Action::KillBroker,
        "help.kill_broker",
    ),
    bind(
        &[KeyCode::Char('s')],
        "s",
        Action::ShutdownBroker,
        "help.shutdown_broker",
    ),
    bind(
        &[KeyCode::Char('r')],
        "r",
        Action::RestartBroker,
        "help.restart_broker",
    ),
    pair(
        &[KeyCode::Char('K')],
        "K R",
        Action::KillController,
        &[(KeyCode::Char('R'), Action::RestartController)],
        "help.controller",
    ),
    bind(
        &[KeyCode::Char('t')],
        "t",
        Action::CreateTopic,
        "help.create_topic",
    ),
    bind(
        &[KeyCode::Char('A')],
        "A",
        Action::AddPartition,
        "help.add_partition",
    ),
    bind(
        &[KeyCode::Char('D')],
        "D",
        Action::DeleteTopic,
        "help.delete_topic",
    ),
    pair(
        &[KeyCode::Char('p')],
        "p P",
        Action::SpawnProducer,
        &[(KeyCode::Char('P'), Action::StopProducer)],
        "help.spawn_producer",
    ),
    pair(
        &[KeyCode::Char('+'), KeyCode::Char('=')],
        "+ -",
        Action::RateUp,
        &[
            (KeyCode::Char('-'), Action::RateDown),
            (KeyCode::Char('_'), Action::RateDown),
        ],
        "help.rate",
    ),
    bind(
        &[KeyCode::Char('c')],
        "c",
        Action::SpawnConsumer,
        "help.spawn_consumer",
    ),
    bind(
        &[KeyCode::Char('k')],
        "k",
        Action::KillConsumer,
        "help.kill_consumer",
    ),
    bind(
        &[KeyCode::Char('x')],
        "x",
        Action::CloseConsumer,
        "help.close_consumer",
    ),
    bind(
        &[KeyCode::Char('o')],
        "o",
        Action::ResetOffsets,
        "help.reset_offsets",
    ),
    bind(
        &[KeyCode::Char(' ')],
        "space",
        Action::TogglePause,
        "help.toggle_pause",
    ),
    pair(
        &[KeyCode::Char(','), KeyCode::Char('<')],
        ", .",
        Action::Slower,
        &[
            (KeyCode::Char('.'), Action::Faster),
            (KeyCode::Char('>'), Action::Faster),
        ],
        "help.speed",
    ),
    pair(
        &[KeyCode::Char('[')],
        "[ ]",
        Action::BackSecond,
        &[(KeyCode::Char(']'), Action::ForwardSecond)],
        "help.travel_second",
    ),
    pair(
        &[KeyCode::Char('{')],
        "{ }",
        Action::BackTenSeconds,
        &[(KeyCode::Char('}'), Action::ForwardTenSeconds)],
        "help.travel_ten_seconds",
    ),
    bind(
        &[KeyCode::Char('g')],
        "g",
        Action::JumpToEvent,
        "help.jump_to_event",
    ),
    bind(&[KeyCode::Char('u')], "u", Action::Undo, "help.undo"),
    bind(
        &[KeyCode::Char('v')],
        "v",
        Action::ToggleRoutine,
        "help.toggle_routine",
    ),
    bind(
        &[KeyCode::Char('f')],
        "f",
        Action::CycleTimelineKind,
        "help.cycle_timeline_kind",
    ),
    bind(
        &[KeyCode::Char('i')],
        "i",
        Action::ToggleInternal,
        "help.toggle_internal",
    ),
    bind(&[KeyCode::Char('/')], "/", Action::Filter, "help.filter"),
    bind(&[KeyCode::Tab], "Tab", Action::FocusNext, "help.focus_next"),
    bind(
        &[KeyCode::BackTab],
        "S-Tab",
        Action::FocusPrev,
        "help.focus_prev",
    ),
    pair(
        &[KeyCode::Up],
        "↑ ↓ j",
        Action::Up,
        &[
            (KeyCode::Down, Action::Down),
            (KeyCode::Char('j'), Action::Down),
        ],
        "help.select",
    ),
    pair(
        &[KeyCode::PageUp],
        "PgUp/Dn",
        Action::PageUp,
        &[(KeyCode::PageDown, Action::PageDown)],
        "help.page",
    ),
    bind(&[KeyCode::Home], "Home", Action::Top, "help.top"),
    bind(&[KeyCode::End], "End", Action::Bottom, "help.bottom"),
    bind(&[KeyCode::Char('e')], "e", Action::Explain, "help.explain"),
    bind(
        &[KeyCode::Char('l')],
        "l",
        Action::ToggleLogView,
        "help.toggle_log_view",
    ),
    bind(
        &[KeyCode::Char('T')],
        "T",
        Action::ToggleTransactions,
        "help.toggle_transactions",
    ),
    bind(
        &[KeyCode::Char('?')],
        "?",
        Action::ToggleHelp,
        "help.toggle_help",
    ),
    bind(&[KeyCode::Char('q')], "q C-c", Action::Quit, "help.quit"),
];

/// Keys added in lesson mode; they win over [`KEYMAP`], whose `b` (kill broker) moves to `B`.
pub const LESSON_KEYMAP: &[Binding] = &[
    bind(
        &[KeyCode::Char('n')],
        "n",
        Action::LessonNext,
        "help.lesson_next",
    ),
    bind(
        &[KeyCode::Char('b')],
        "b",
        Action::LessonRestart,
        "help.lesson_restart",
    ),
    bind(
        &[KeyCode::Char('B')],
        "B",
        Action::KillBroker,
        "help.kill_broker",
    ),
];

/// The bindings in force, in help order: in lesson mode the lesson keys first, then every
/// dashboard binding whose key or action they did not take over.
pub fn bindings(lesson: bool) -> Vec<&'static Binding> {
    if !lesson {
        return KEYMAP.iter().collect();
    }
    let taken = |b: &Binding| {
        LESSON_KEYMAP
            .iter()
            .any(|l| l.action == b.action || l.all_keys().any(|k| b.all_keys().any(|m| m == k)))
    };
    LESSON_KEYMAP
        .iter()
        .chain(KEYMAP.iter().filter(|b| !taken(b)))
        .collect()
}

/// The action of a key in normal mode.
pub fn lookup(code: KeyCode) -> Option<Action> {
    lookup_in(false, code)
}

/// The action of a key in normal mode, in or out of a lesson.
pub fn lookup_in(lesson: bool, code: KeyCode) -> Option<Action> {
    bindings(lesson).into_iter().find_map(|b| b.action_of(code))
}

/// Decodes a key press for the current mode. Ctrl-C quits from anywhere.
pub fn action_for_key(mode: &Mode, key: KeyEvent) -> Option<Action> {
    action_for_key_in(mode, false, key)
}

/// Decodes a key press, in or out of a lesson.
pub fn action_for_key_in(mode: &Mode, lesson: bool, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::Quit);
    }
    if ctrl {
        return None;
    }
    // A fast Esc followed by a key arrives as Alt+key: in an overlay the Esc wins (it closes),
    // on the dashboard the key does.
    if key.modifiers.contains(KeyModifiers::ALT) && !matches!(mode, Mode::Normal) {
        return Some(Action::Cancel);
    }
    match mode {
        Mode::Dialog(_) => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Tab | KeyCode::Down => Some(Action::NextField),
            KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Input(c)),
            _ => None,
        },
        // Only `y` or Enter says yes; every other key says no and does nothing else.
        Mode::Confirm(_) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => Some(Action::Submit),
            _ => Some(Action::Cancel),
        },
        Mode::Help => match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                Some(Action::Cancel)
            }
            _ => None,
        },
        Mode::Transactions => match key.code {
            KeyCode::Esc | KeyCode::Char('T') | KeyCode::Char('q') | KeyCode::Enter => {
                Some(Action::Cancel)
            }
            _ => None,
        },
        Mode::Explain { .. } => match key.code {
            KeyCode::Esc | KeyCode::Char('e') | KeyCode::Char('q') | KeyCode::Enter => {
                Some(Action::Cancel)
            }
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::Home => Some(Action::Top),
            _ => None,
        },
        Mode::Filter => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Input(c)),
            _ => None,
        },
        Mode::Normal => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            code => lookup_in(lesson, code),
        },
    }
}

/// Decodes any terminal input (keys, mouse, resize).
pub fn action_for_input(mode: &Mode, input: &InputEvent) -> Option<Action> {
    action_for_input_in(mode, false, input)
}

/// Decodes any terminal input, in or out of a lesson.
pub fn action_for_input_in(mode: &Mode, lesson: bool, input: &InputEvent) -> Option<Action> {
    match input {
        InputEvent::Key(key) => action_for_key_in(mode, lesson, *key),
        InputEvent::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: m.column,
                row: m.row,
            }),
            // The wheel moves the selection, or scrolls an explanation.
            MouseEventKind::ScrollUp if matches!(mode, Mode::Normal | Mode::Explain { .. }) => {
                Some(Action::Up)
            }
            MouseEventKind::ScrollDown if matches!(mode, Mode::Normal | Mode::Explain { .. }) => {
                Some(Action::Down)
            }
            _ => None,
        },
        InputEvent::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice() {
        for lesson in [false, true] {
            let mut seen = HashSet::new();
            for b in bindings(lesson) {
                for k in b.all_keys() {
                    assert!(seen.insert(k), "{k:?} is bound twice (lesson {lesson})");
                }
            }
        }
    }

    #[test]
    fn lesson_mode_binds_n_and_b_and_moves_kill_broker_to_shift_b() {
        let n = Mode::Normal;
        let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(
            action_for_key_in(&n, true, k('n')),
            Some(Action::LessonNext)
        );
        assert_eq!(
            action_for_key_in(&n, true, k('b')),
            Some(Action::LessonRestart)
        );
        assert_eq!(
            action_for_key_in(&n, true, k('B')),
            Some(Action::KillBroker)
        );
        assert_eq!(
            action_for_key_in(&n, false, k('b')),
            Some(Action::KillBroker)
        );
        assert_eq!(action_for_key_in(&n, false, k('n')), None);
    }

    #[test]
    fn issue_keys_map_to_their_actions() {
        let n = Mode::Normal;
        let cases = [
            ('p', Action::SpawnProducer),
            ('c', Action::SpawnConsumer),
            ('k', Action::KillConsumer),
            ('x', Action::CloseConsumer),
            ('o', Action::ResetOffsets),
            ('b', Action::KillBroker),
            ('s', Action::ShutdownBroker),
            ('r', Action::RestartBroker),
            ('K', Action::KillController),
            ('R', Action::RestartController),
            ('t', Action::CreateTopic),
            ('A', Action::AddPartition),
            ('D', Action::DeleteTopic),
            ('+', Action::RateUp),
            ('-', Action::RateDown),
            (' ', Action::TogglePause),
            (',', Action::Slower),
            ('.', Action::Faster),
            ('?', Action::ToggleHelp),
            ('T', Action::ToggleTransactions),
            ('v', Action::ToggleRoutine),
            ('f', Action::CycleTimelineKind),
            ('i', Action::ToggleInternal),
            ('q', Action::Quit),
            ('j', Action::Down),
            ('_', Action::RateDown),
            ('>', Action::Faster),
            ('[', Action::BackSecond),
            (']', Action::ForwardSecond),
            ('{', Action::BackTenSeconds),
            ('}', Action::ForwardTenSeconds),
            ('g', Action::JumpToEvent),
            ('u', Action::Undo),
        ];
        for (c, a) in cases {
            assert_eq!(
                action_for_key(&n, key(KeyCode::Char(c))),
                Some(a),
                "key {c:?}"
            );
        }
        assert_eq!(
            action_for_key(&n, key(KeyCode::Tab)),
            Some(Action::FocusNext)
        );
        assert_eq!(
            action_for_key(&n, KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
    }

    #[test]
    fn ctrl_c_quits_even_inside_a_dialog() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for_key(&Mode::Normal, ctrl_c), Some(Action::Quit));
        let dialog = Mode::Dialog(super::super::dialog::Dialog::topic(3));
        assert_eq!(action_for_key(&dialog, ctrl_c), Some(Action::Quit));
        // A plain `q` in a dialog is text, not quit.
        assert_eq!(
            action_for_key(&dialog, key(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        );
    }

    #[test]
    fn esc_then_key_typed_fast_closes_the_overlay_or_acts_on_the_dashboard() {
        let alt_t = KeyEvent::new(KeyCode::Char('t'), KeyModifiers::ALT);
        assert_eq!(action_for_key(&Mode::Help, alt_t), Some(Action::Cancel));
        let dialog = Mode::Dialog(super::super::dialog::Dialog::topic(3));
        assert_eq!(action_for_key(&dialog, alt_t), Some(Action::Cancel));
        assert_eq!(
            action_for_key(&Mode::Normal, alt_t),
            Some(Action::CreateTopic)
        );
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut k = key(KeyCode::Char('b'));
        k.kind = KeyEventKind::Release;
        assert_eq!(action_for_key(&Mode::Normal, k), None);
    }
}
