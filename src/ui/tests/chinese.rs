//! The dashboard in Simplified Chinese (`--lang zh`): snapshots at 80x24 and 160x48 of the main
//! screen, the help overlay and an explanation, and checks that wide characters stay whole.

use super::{screen, screen_text};
use crate::text::width::cells;
use crate::text::{Lang, with_lang};
use crate::ui::action::Action;
use crate::ui::app::{Panel, update};
use crate::ui::fixture;

/// The screens a teacher shows first: the dashboard, `?`, and `e` on a consumer.
fn screens(w: u16, h: u16) -> Vec<(&'static str, String, ratatui::buffer::Buffer)> {
    with_lang(Lang::Zh, || {
        let mut out = Vec::new();
        let app = fixture::app(w, h);
        out.push(("screen", screen_text(&app), screen(&app)));
        let mut app = fixture::app(w, h);
        update(&mut app, Action::ToggleHelp);
        out.push(("help", screen_text(&app), screen(&app)));
        let mut app = fixture::app(w, h);
        app.focus = Panel::Groups;
        update(&mut app, Action::Down);
        update(&mut app, Action::Explain);
        out.push(("explain_consumer", screen_text(&app), screen(&app)));
        let mut app = fixture::app(w, h);
        update(&mut app, Action::CreateTopic);
        super::press(&mut app, "test\n");
        out.push(("topic_dialog_error", screen_text(&app), screen(&app)));
        out
    })
}

/// A lesson at step 6 of experiment 2, its title and caption in Chinese as `built_in` gives them.
fn lesson_screen(w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    with_lang(Lang::Zh, || {
        let zh = crate::scenario::lessons::built_in("experiment-2")
            .unwrap()
            .unwrap();
        let mut snap = super::lesson::lesson_snapshot();
        if let Some(l) = &mut snap.lesson {
            l.title = zh.title.clone();
            l.caption = zh.steps.iter().filter_map(|s| s.caption.clone()).nth(4);
        }
        let mut app = crate::ui::app::App::new(crate::ui::theme::Theme::colored(), w, h).lesson();
        app.set_snapshot(snap);
        for e in fixture::events() {
            app.push_event(e);
        }
        (screen_text(&app), screen(&app))
    })
}

#[test]
fn the_lesson_banner_wraps_chinese_between_characters() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (text, _) = lesson_screen(w, h);
        insta::assert_snapshot!(format!("zh_lesson_{w}x{h}"), text);
        for row in text.lines() {
            assert!(cells(row) <= w as usize, "{w}x{h}: {row}");
        }
        // The whole caption shows: its last words are on screen.
        assert!(text.contains("才会发现"), "{text}");
    }
}

#[test]
fn snapshot_chinese_screens() {
    for (w, h) in [(80, 24), (160, 48)] {
        for (name, text, _) in screens(w, h) {
            insta::assert_snapshot!(format!("zh_{name}_{w}x{h}"), text);
        }
    }
}

#[test]
fn chinese_titles_show_and_english_ones_do_not() {
    let (_, text, _) = screens(160, 48).remove(0);
    assert!(text.contains("分区") && text.contains("消费者组"), "{text}");
    assert!(!text.contains("Consumer groups"), "{text}");
    let question = with_lang(Lang::Zh, || {
        crate::ui::confirm::Confirm::KillBroker(2).question()
    });
    assert_eq!(question, "杀掉 broker 2（崩溃）？");
    let (_, dialog, _) = screens(80, 24).remove(3);
    assert!(
        dialog.contains("创建主题") && dialog.contains("主题 test 已经存在"),
        "{dialog}"
    );
    // English is untouched on threads that did not choose Chinese.
    assert!(screen_text(&fixture::app(160, 48)).contains("Consumer groups"));
}

#[test]
fn no_row_is_wider_than_the_terminal_and_no_character_is_cut() {
    for (w, h) in [(80, 24), (160, 48)] {
        for (name, text, buffer) in screens(w, h) {
            for (y, row) in text.lines().enumerate() {
                assert!(cells(row) <= w as usize, "{name} {w}x{h} row {y}: {row}");
            }
            // A wide character fills its cell and the next; the next must be its blank half,
            // never the start of something else (that would be a cut character).
            for y in 0..h {
                for x in 0..w {
                    let s = buffer[(x, y)].symbol();
                    if cells(s) == 2 {
                        assert!(x + 1 < w, "{name}: wide char in the last column of row {y}");
                    }
                }
            }
        }
    }
}

#[test]
fn chinese_screens_keep_only_kafka_words_and_the_labs_own_names_in_latin() {
    // The fixture's data: topic `test`, and words Kafka or the terminal name themselves.
    let data = ["test", "Broker"];
    for (w, h) in [(80, 24), (160, 48)] {
        // The dashboard itself: overlays cut the words under them into fragments.
        for (name, text, _) in screens(w, h).into_iter().filter(|s| s.0 == "screen") {
            for row in text.lines() {
                for word in crate::text::tests::english_words(row) {
                    assert!(
                        crate::text::tests::KAFKA_WORDS.contains(&word) || data.contains(&word),
                        "{name} {w}x{h}: {word:?} is English in {row:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn refusals_read_in_chinese_in_the_dialog_and_on_the_timeline() {
    use crate::cluster::error::FaultError;
    use crate::cluster::event::{Event, EventKind, NoteText};
    use crate::lab::command::CommandError;
    with_lang(Lang::Zh, || {
        let mut app = fixture::app(160, 48);
        update(&mut app, Action::CreateTopic);
        super::press(&mut app, "bad name!\n");
        let dialog = screen_text(&app);
        assert!(dialog.contains("主题名含有 ' '"), "{dialog}");
        assert!(!dialog.contains("only letters"), "{dialog}");

        let mut app = fixture::app(160, 48);
        let last = fixture::events().pop().expect("the fixture has events");
        app.push_event(Event {
            kind: EventKind::Note {
                text: NoteText::Refused {
                    error: CommandError::Fault(FaultError::AlreadyDown(2)),
                },
            },
            ..last
        });
        let shown = screen_text(&app);
        assert!(shown.contains("已拒绝：broker 2 已经宕机了"), "{shown}");
        assert!(!shown.contains("already down"), "{shown}");
    });
}
