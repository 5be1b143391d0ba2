//! The dashboard's view of the text catalogue (`crate::text`): the same functions, plus the test
//! that every key the UI code asks for exists.

pub use crate::text::*;

#[cfg(test)]
mod keys_in_code {
    use super::*;

    /// The source files that ask the catalogue for texts.
    const SOURCES: &[&str] = &[
        include_str!("keymap.rs"),
        include_str!("explain.rs"),
        include_str!("explain/event.rs"),
        include_str!("explain/shortened.rs"),
        include_str!("widgets/brokers.rs"),
        include_str!("widgets/explain.rs"),
        include_str!("widgets/groups.rs"),
        include_str!("widgets/help.rs"),
        include_str!("widgets/transactions.rs"),
        include_str!("widgets/partition_map.rs"),
        include_str!("widgets/partitions.rs"),
        include_str!("widgets/producers.rs"),
        include_str!("widgets/throughput.rs"),
        include_str!("widgets/timeline.rs"),
        include_str!("widgets/status.rs"),
        include_str!("widgets/lesson.rs"),
        include_str!("confirm.rs"),
        include_str!("widgets/countdown.rs"),
        include_str!("dialog.rs"),
        include_str!("widgets/dialog.rs"),
        include_str!("app/update.rs"),
        include_str!("caption.rs"),
        include_str!("widgets/replica_log.rs"),
        include_str!("widgets/mod.rs"),
        include_str!("run.rs"),
        include_str!("timeline_filter.rs"),
        include_str!("../scenario/expect.rs"),
        include_str!("../scenario/expect/records.rs"),
        include_str!("../scenario/runner.rs"),
        include_str!("../scenario/story.rs"),
        include_str!("../scenario/lessons.rs"),
        include_str!("../main.rs"),
        include_str!("../text/reason.rs"),
    ];

    #[test]
    fn every_key_the_code_asks_for_is_in_english() {
        let re = regex::Regex::new(
            r#""((?:help|panel|panels|explain|status|lesson|broker_state|column|dialog|confirm|countdown|reason|category|timeline|check|seen|story|brokers|partitions|groups|producers|throughput|bar|field|flash)\.[a-z_.]+)""#,
        )
        .unwrap();
        let en = Catalogue::parse(EN).unwrap();
        let mut asked = 0;
        for source in SOURCES {
            for c in re.captures_iter(source) {
                asked += 1;
                assert!(en.get(&c[1]).is_some(), "en.toml lacks {}", &c[1]);
            }
        }
        assert!(
            asked > 100,
            "only {asked} keys found: did the pattern break?"
        );
        for b in crate::ui::keymap::KEYMAP
            .iter()
            .chain(crate::ui::keymap::LESSON_KEYMAP)
        {
            assert!(has(b.text_key), "en.toml lacks {}", b.text_key);
        }
    }

    #[test]
    fn texts_without_arguments_have_no_placeholders() {
        let en = Catalogue::parse(EN).unwrap();
        // Keys shown through `text`, never `text_with`: a placeholder there would show raw.
        for key in [
            "help.",
            "status.",
            "explain.close",
            "explain.more",
            "explain.nothing",
        ] {
            for k in en.keys().filter(|k| k.starts_with(key)) {
                let t = en.get(k).unwrap_or_default();
                assert!(placeholders(t).is_empty(), "{k} has a placeholder: {t}");
            }
        }
        for k in [
            "panel.brokers",
            "panel.timeline",
            "panel.partition_map_legend",
        ] {
            assert!(
                placeholders(en.get(k).unwrap_or_default()).is_empty(),
                "{k}"
            );
        }
    }
}
