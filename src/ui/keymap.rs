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
    /// What it does, for the help overlay.
    pub description: &'static str,
}

const fn bind(
    keys: &'static [KeyCode],
    shown: &'static str,
    action: Action,
    description: &'static str,
) -> Binding {
    Binding {
        keys,
        shown,
        action,
        description,
    }
}

/// Every key of the dashboard in normal mode, in the order help lists them.
pub const KEYMAP: &[Binding] = &[
    bind(
        &[KeyCode::Char('b')],
        "b",
        Action::KillBroker,
        "kill selected broker (crash)",
    ),
    bind(
        &[KeyCode::Char('s')],
        "s",
        Action::ShutdownBroker,
        "shut broker down gracefully",
    ),
    bind(
        &[KeyCode::Char('r')],
        "r",
        Action::RestartBroker,
        "restart selected broker",
    ),
    bind(
        &[KeyCode::Char('t')],
        "t",
        Action::CreateTopic,
        "create a topic…",
    ),
    bind(
        &[KeyCode::Char('p')],
        "p",
        Action::SpawnProducer,
        "spawn a producer…",
    ),
    bind(
        &[KeyCode::Char('+'), KeyCode::Char('=')],
        "+",
        Action::RateUp,
        "selected producer faster",
    ),
    bind(
        &[KeyCode::Char('-'), KeyCode::Char('_')],
        "-",
        Action::RateDown,
        "selected producer slower",
    ),
    bind(
        &[KeyCode::Char('c')],
        "c",
        Action::SpawnConsumer,
        "spawn consumer into group…",
    ),
    bind(
        &[KeyCode::Char('k')],
        "k",
        Action::KillConsumer,
        "kill selected consumer (crash)",
    ),
    bind(
        &[KeyCode::Char('x')],
        "x",
        Action::CloseConsumer,
        "close consumer (LeaveGroup)",
    ),
    bind(
        &[KeyCode::Char(' ')],
        "space",
        Action::TogglePause,
        "pause / resume time",
    ),
    bind(
        &[KeyCode::Char(','), KeyCode::Char('<')],
        ",",
        Action::Slower,
        "slower time (÷2)",
    ),
    bind(
        &[KeyCode::Char('.'), KeyCode::Char('>')],
        ".",
        Action::Faster,
        "faster time (×2)",
    ),
    bind(
        &[KeyCode::Tab],
        "Tab",
        Action::FocusNext,
        "focus next panel",
    ),
    bind(
        &[KeyCode::BackTab],
        "S-Tab",
        Action::FocusPrev,
        "focus previous panel",
    ),
    bind(&[KeyCode::Up], "↑", Action::Up, "select up / older events"),
    bind(
        &[KeyCode::Down, KeyCode::Char('j')],
        "↓ j",
        Action::Down,
        "select down / newer",
    ),
    bind(&[KeyCode::PageUp], "PgUp", Action::PageUp, "page up"),
    bind(&[KeyCode::PageDown], "PgDn", Action::PageDown, "page down"),
    bind(
        &[KeyCode::Home],
        "Home",
        Action::Top,
        "first row / oldest event",
    ),
    bind(
        &[KeyCode::End],
        "End",
        Action::Bottom,
        "last row / newest event",
    ),
    bind(&[KeyCode::Char('?')], "?", Action::ToggleHelp, "this help"),
    bind(&[KeyCode::Char('q')], "q C-c", Action::Quit, "quit"),
];

/// Keys added in lesson mode; they win over [`KEYMAP`], whose `b` (kill broker) moves to `B`.
pub const LESSON_KEYMAP: &[Binding] = &[
    bind(
        &[KeyCode::Char('n')],
        "n",
        Action::LessonNext,
        "lesson: next step",
    ),
    bind(
        &[KeyCode::Char('b')],
        "b",
        Action::LessonRestart,
        "lesson: back to start",
    ),
    bind(
        &[KeyCode::Char('B')],
        "B",
        Action::KillBroker,
        "kill selected broker (crash)",
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
            .any(|l| l.action == b.action || l.keys.iter().any(|k| b.keys.contains(k)))
    };
    LESSON_KEYMAP
        .iter()
        .chain(KEYMAP.iter().filter(|b| !taken(b)))
        .collect()
}

/// The binding for a key in normal mode.
pub fn lookup(code: KeyCode) -> Option<&'static Binding> {
    lookup_in(false, code)
}

/// The binding for a key in normal mode, in or out of a lesson.
pub fn lookup_in(lesson: bool, code: KeyCode) -> Option<&'static Binding> {
    bindings(lesson)
        .into_iter()
        .find(|b| b.keys.contains(&code))
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
        Mode::Normal => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            code => lookup_in(lesson, code).map(|b| b.action),
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
            MouseEventKind::ScrollUp if matches!(mode, Mode::Normal) => Some(Action::Up),
            MouseEventKind::ScrollDown if matches!(mode, Mode::Normal) => Some(Action::Down),
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
                for k in b.keys {
                    assert!(seen.insert(*k), "{k:?} is bound twice (lesson {lesson})");
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
            ('b', Action::KillBroker),
            ('s', Action::ShutdownBroker),
            ('r', Action::RestartBroker),
            ('t', Action::CreateTopic),
            ('+', Action::RateUp),
            ('-', Action::RateDown),
            (' ', Action::TogglePause),
            (',', Action::Slower),
            ('.', Action::Faster),
            ('?', Action::ToggleHelp),
            ('q', Action::Quit),
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
