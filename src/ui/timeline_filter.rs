//! What the timeline shows: the story by default, routine lines behind `v`, one kind of event
//! behind `f`. Pure data and functions, so the app, the widget and the tests agree on the rows.

use crate::cluster::event::{Event, EventCategory, PinKind};

/// The kinds `f` steps through after "all kinds", in the timeline's colour order.
pub const FILTER_CYCLE: [EventCategory; 7] = EventCategory::ALL;

/// The timeline's filter: story only or every line, and optionally one kind of event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimelineFilter {
    /// Routine lines (HW advances, commits, segment rolls, internal topics) shown too.
    pub verbose: bool,
    /// Only this kind of event, routine ones included (commits are all routine).
    pub category: Option<EventCategory>,
}

impl TimelineFilter {
    /// Whether the timeline shows `event`.
    pub fn shows(&self, event: &Event) -> bool {
        match self.category {
            Some(c) => event.kind.category() == c,
            None => self.verbose || !event.kind.is_routine(),
        }
    }

    /// The next kind in [`FILTER_CYCLE`]: all kinds → election → … → info → all kinds.
    pub fn next_category(&self) -> Option<EventCategory> {
        match self.category {
            None => Some(FILTER_CYCLE[0]),
            Some(c) => {
                let i = FILTER_CYCLE.iter().position(|k| *k == c).unwrap_or(0);
                FILTER_CYCLE.get(i + 1).copied()
            }
        }
    }

    /// What the panel title says is shown: `story`, `all`, `rebalance only`.
    pub fn label(&self) -> String {
        use crate::text::{text, text_with};
        match (self.category, self.verbose) {
            (Some(c), _) => text_with(
                "timeline.only",
                &[("category", crate::text::reason::category(c))],
            ),
            (None, true) => text("timeline.all").into(),
            (None, false) => text("timeline.story").into(),
        }
    }
}

/// The events the filter shows, oldest first.
pub fn shown<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    filter: &TimelineFilter,
) -> Vec<&'a Event> {
    events.into_iter().filter(|e| filter.shows(e)).collect()
}

/// The timeline's rows for a panel of `rows` lines scrolled `scroll` lines up from the newest:
/// the window of shown events, and above it the last event of each [`PinKind`] when it has
/// scrolled out of the window (so the last election and the last kill stay on screen until a
/// newer one happens). Positions are into `shown`; at least one row stays for the window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Pinned rows, oldest first: positions in `shown` above the window.
    pub pinned: Vec<usize>,
    /// The window: positions `start..end` in `shown`.
    pub start: usize,
    /// One past the newest position shown.
    pub end: usize,
}

/// Lays out [`Window`] for the `shown` events.
pub fn window(shown: &[&Event], rows: usize, scroll: usize) -> Window {
    let n = shown.len();
    let scroll = scroll.min(n.saturating_sub(rows));
    let end = n - scroll;
    // The newest shown event of each pinned kind.
    let mut candidates: Vec<usize> = PinKind::ALL
        .iter()
        .filter_map(|kind| {
            (0..n)
                .rev()
                .find(|&pos| shown[pos].kind.pin_kind() == Some(*kind))
        })
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut pinned: Vec<usize> = Vec::new();
    // Each pin takes a row from the window, which may push another candidate out: at most one
    // more pass per candidate.
    for _ in 0..=candidates.len() {
        let room = rows.saturating_sub(pinned.len()).max(1);
        let start = end.saturating_sub(room);
        let next: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&c| c < start)
            .take(rows.saturating_sub(1))
            .collect();
        if next == pinned {
            break;
        }
        pinned = next;
    }
    let room = rows.saturating_sub(pinned.len()).max(1);
    Window {
        start: end.saturating_sub(room),
        end,
        pinned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::event::EventKind;
    use crate::cluster::types::TopicPartition;

    fn ev(kind: EventKind) -> Event {
        Event {
            at_ms: 0,
            time: chrono::DateTime::UNIX_EPOCH,
            kind,
        }
    }

    fn hw() -> Event {
        ev(EventKind::HighWatermarkAdvanced {
            tp: TopicPartition {
                topic: "test".into(),
                partition: 0,
            },
            high_watermark: 1,
        })
    }

    fn note(text: &str) -> Event {
        ev(EventKind::Note { text: text.into() })
    }

    #[test]
    fn story_hides_routine_lines_verbose_and_kind_filters_show_them() {
        let events = [note("a"), hw(), note("b")];
        let story = TimelineFilter::default();
        let texts = |f: &TimelineFilter| -> Vec<String> {
            shown(&events, f)
                .iter()
                .map(|e| e.kind.to_string())
                .collect()
        };
        assert_eq!(texts(&story), vec!["a", "b"]);
        let all = TimelineFilter {
            verbose: true,
            category: None,
        };
        assert_eq!(texts(&all).len(), 3);
        let isr = TimelineFilter {
            verbose: false,
            category: Some(EventCategory::Isr),
        };
        assert_eq!(texts(&isr), vec![events[1].kind.to_string()]);
        assert_eq!(isr.label(), "isr only");
        assert_eq!(story.label(), "story");
        assert_eq!(all.label(), "all");
    }

    #[test]
    fn the_kind_filter_cycles_through_every_kind_back_to_all() {
        let mut f = TimelineFilter::default();
        let mut seen = Vec::new();
        loop {
            f.category = f.next_category();
            match f.category {
                Some(c) => seen.push(c),
                None => break,
            }
            assert!(seen.len() <= FILTER_CYCLE.len());
        }
        assert_eq!(seen, FILTER_CYCLE.to_vec());
    }

    #[test]
    fn the_last_kill_and_election_are_pinned_once_they_scroll_out() {
        let events = [
            ev(EventKind::BrokerKilled { broker: 1 }),
            ev(EventKind::PartitionOffline {
                tp: TopicPartition {
                    topic: "test".into(),
                    partition: 0,
                },
            }),
            note("1"),
            note("2"),
            note("3"),
            note("4"),
        ];
        let refs: Vec<&Event> = events.iter().collect();
        // Four rows: two pins, then the two newest notes.
        let w = window(&refs, 4, 0);
        assert_eq!(w.pinned, vec![0, 1]);
        assert_eq!((w.start, w.end), (4, 6));
        // Room for everything: nothing pinned.
        let w = window(&refs, 6, 0);
        assert!(w.pinned.is_empty());
        assert_eq!((w.start, w.end), (0, 6));
        // Scrolled to the top: the window starts at the oldest event and nothing is pinned.
        let w = window(&refs, 3, 10);
        assert!(w.pinned.is_empty());
        assert_eq!((w.start, w.end), (0, 3));
        // A single row keeps it for the newest event.
        let w = window(&refs, 1, 0);
        assert!(w.pinned.is_empty());
        assert_eq!((w.start, w.end), (5, 6));
    }

    #[test]
    fn a_newer_election_replaces_the_pinned_one() {
        let offline = |p| {
            ev(EventKind::PartitionOffline {
                tp: TopicPartition {
                    topic: "test".into(),
                    partition: p,
                },
            })
        };
        let events = [
            offline(0),
            note("1"),
            offline(1),
            note("2"),
            note("3"),
            note("4"),
        ];
        let refs: Vec<&Event> = events.iter().collect();
        let w = window(&refs, 3, 0);
        assert_eq!(w.pinned, vec![2]);
        assert_eq!((w.start, w.end), (4, 6));
    }
}
