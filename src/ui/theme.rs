//! Colours by role, readable on light and dark terminals; `NO_COLOR` turns them into modifiers.

use crate::cluster::event::EventCategory;
use crate::cluster::snapshot::{BrokerState, GroupState, ReplicaRole};
use ratatui::style::{Color, Modifier, Style};

/// The styles every widget draws with. Text keeps the terminal's default foreground; colour only
/// marks meaning, so both light and dark themes stay readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours are used at all (false under `NO_COLOR`).
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self::colored()
    }
}

impl Theme {
    /// The coloured theme.
    pub fn colored() -> Self {
        Self { color: true }
    }

    /// Modifiers only (bold, reversed, underlined, dim): what `NO_COLOR` asks for.
    pub fn monochrome() -> Self {
        Self { color: false }
    }

    /// Honours `NO_COLOR` (present and non-empty means no colour), see <https://no-color.org>.
    pub fn from_env() -> Self {
        Self::from_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given `NO_COLOR` value.
    pub fn from_no_color(value: Option<&std::ffi::OsStr>) -> Self {
        match value {
            Some(v) if !v.is_empty() => Self::monochrome(),
            _ => Self::colored(),
        }
    }

    fn fg(&self, color: Color, fallback: Modifier) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new().add_modifier(fallback)
        }
    }

    /// Panel border: thick and coloured when focused.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan, Modifier::BOLD)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// Column headers.
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row: reversed when its panel has focus, bold otherwise.
    pub fn selected(&self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Secondary text (timestamps, units).
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// A replica's role.
    pub fn role(&self, role: ReplicaRole) -> Style {
        match role {
            ReplicaRole::Leader => self
                .fg(Color::Green, Modifier::BOLD)
                .add_modifier(Modifier::BOLD),
            ReplicaRole::InSync => self.fg(Color::Cyan, Modifier::empty()),
            ReplicaRole::OutOfSync => self
                .fg(Color::Yellow, Modifier::REVERSED)
                .add_modifier(Modifier::BOLD),
            ReplicaRole::Offline => self.fg(Color::Red, Modifier::DIM | Modifier::CROSSED_OUT),
        }
    }

    /// A broker's state.
    pub fn broker(&self, state: BrokerState) -> Style {
        match state {
            BrokerState::Up => self.fg(Color::Green, Modifier::empty()),
            BrokerState::ShuttingDown => self
                .fg(Color::Yellow, Modifier::BOLD)
                .add_modifier(Modifier::BOLD),
            BrokerState::Down => self
                .fg(Color::Red, Modifier::REVERSED)
                .add_modifier(Modifier::BOLD),
        }
    }

    /// A group's state: rebalancing stands out.
    pub fn group(&self, state: GroupState) -> Style {
        match state {
            GroupState::Stable => self.fg(Color::Green, Modifier::empty()),
            // A reconciling KIP-848 group keeps consuming: marked, but not as loudly.
            GroupState::Reconciling => self.fg(Color::Yellow, Modifier::empty()),
            GroupState::PreparingRebalance | GroupState::CompletingRebalance => self
                .fg(Color::Yellow, Modifier::REVERSED)
                .add_modifier(Modifier::BOLD),
            GroupState::Empty | GroupState::Dead => self.dim(),
        }
    }

    /// A partition that changed owner a moment ago.
    pub fn moved(&self) -> Style {
        self.fg(Color::Magenta, Modifier::REVERSED)
            .add_modifier(Modifier::BOLD)
    }

    /// Something wrong: errors in dialogs, failed counters, offline partitions.
    pub fn error(&self) -> Style {
        self.fg(Color::Red, Modifier::BOLD)
            .add_modifier(Modifier::BOLD)
    }

    /// An event category in the timeline.
    pub fn category(&self, category: EventCategory) -> Style {
        match category {
            EventCategory::Election => self
                .fg(Color::Magenta, Modifier::BOLD)
                .add_modifier(Modifier::BOLD),
            EventCategory::Isr => self.fg(Color::Yellow, Modifier::empty()),
            EventCategory::Rebalance => self.fg(Color::Cyan, Modifier::empty()),
            // Frequent and routine: dimmed default text reads on light and dark themes alike.
            EventCategory::Commit => self.dim(),
            EventCategory::Fault => self
                .fg(Color::Red, Modifier::BOLD)
                .add_modifier(Modifier::BOLD),
            EventCategory::Log => self.dim().add_modifier(Modifier::ITALIC),
            EventCategory::Info => Style::new(),
        }
    }

    /// A lesson check in the timeline: green when it passed, red when it failed; without colour
    /// bold, and reversed for a failure.
    pub fn check(&self, passed: bool) -> Style {
        if passed {
            self.fg(Color::Green, Modifier::BOLD)
                .add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::Red, Modifier::REVERSED)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// Sparkline of produced records.
    pub fn produced(&self) -> Style {
        self.fg(Color::Green, Modifier::empty())
    }

    /// Sparkline of consumed records.
    pub fn consumed(&self) -> Style {
        self.fg(Color::Cyan, Modifier::empty())
    }

    /// The paused marker in the status bar.
    pub fn paused(&self) -> Style {
        self.fg(Color::Yellow, Modifier::REVERSED)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_present_and_non_empty_turns_colour_off() {
        assert!(!Theme::from_no_color(Some(OsStr::new("1"))).color);
        assert!(Theme::from_no_color(Some(OsStr::new(""))).color);
        assert!(Theme::from_no_color(None).color);
    }

    #[test]
    fn monochrome_theme_uses_no_colour_at_all() {
        let t = Theme::monochrome();
        for role in [
            ReplicaRole::Leader,
            ReplicaRole::InSync,
            ReplicaRole::OutOfSync,
            ReplicaRole::Offline,
        ] {
            assert_eq!(t.role(role).fg, None);
        }
        assert_eq!(t.category(EventCategory::Fault).fg, None);
        assert_eq!(t.border(true).fg, None);
    }
}
