//! A reset of a group's offsets in the chosen language (`[note]` `offsets_reset*`): the group,
//! the topic, where to and the offsets committed; Kafka's `earliest` and `latest` stay as Kafka
//! writes them.

use super::{Lang, fill, text_in};
use crate::cluster::event::OffsetsReset;
use crate::cluster::group::reset::{ResetTo, duration_words};

/// The reset line in `lang`.
pub fn offsets_reset_in(lang: Lang, r: &OffsetsReset) -> String {
    let to = to_in(lang, r.to);
    let offsets = r.offsets_list(text_in(lang, "note.list_separator"));
    let line = match &r.topic {
        Some(topic) => fill(
            text_in(lang, "note.offsets_reset"),
            &[
                ("group", &r.group),
                ("topic", topic),
                ("to", &to),
                ("offsets", &offsets),
            ],
        ),
        None => fill(
            text_in(lang, "note.offsets_reset_all"),
            &[("group", &r.group), ("to", &to), ("offsets", &offsets)],
        ),
    };
    match &r.request {
        Some(request) => fill(
            text_in(lang, "note.attach_wrote"),
            &[("request", request), ("detail", &line)],
        ),
        None => line,
    }
}

/// Where a reset goes, in `lang`.
pub fn to_in(lang: Lang, to: ResetTo) -> String {
    match to {
        ResetTo::Ago(ms) => fill(
            text_in(lang, "note.reset_ago"),
            &[("duration", &duration_words(ms))],
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::types::TopicPartition;

    fn resets() -> Vec<OffsetsReset> {
        let tp = |t: &str, p| TopicPartition::new(t, p);
        vec![
            OffsetsReset {
                group: "lab-group".into(),
                topic: Some("test".into()),
                to: ResetTo::Earliest,
                offsets: vec![(tp("test", 0), 0), (tp("test", 1), 0)],
                request: None,
            },
            OffsetsReset {
                group: "g1".into(),
                topic: None,
                to: ResetTo::Ago(600_000),
                offsets: vec![(tp("a", 0), 3), (tp("b", 0), 7)],
                request: Some("OffsetCommit".into()),
            },
            OffsetsReset {
                group: "g1".into(),
                topic: Some("a".into()),
                to: ResetTo::Timestamp(1_796_119_200_000),
                offsets: vec![(tp("a", 0), 12)],
                request: None,
            },
        ]
    }

    #[test]
    fn english_says_what_display_says() {
        for r in resets() {
            assert_eq!(offsets_reset_in(Lang::En, &r), r.to_string());
        }
        assert_eq!(
            resets()[0].to_string(),
            "reset lab-group on test to earliest: p0 0, p1 0"
        );
        assert_eq!(
            resets()[1].to_string(),
            "this dashboard sent OffsetCommit: reset g1 on all its topics to 10m ago: a-0 3, b-0 7"
        );
    }

    #[test]
    fn chinese_says_it_in_chinese_with_the_offsets() {
        for r in resets() {
            let zh = offsets_reset_in(Lang::Zh, &r);
            assert_ne!(zh, r.to_string());
            assert!(zh.contains(&r.group), "{zh}");
            for (_, offset) in &r.offsets {
                assert!(zh.contains(&offset.to_string()), "{zh}");
            }
        }
    }
}
