//! A started client in words: the timeline's "producer-1 started: ..." and "consumer-A joined ..."
//! lines describe the client with these.

use super::{Lang, fill, lang, text_in};
use crate::cluster::event::{ClientDescription, CommitWords};

fn say(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    fill(text_in(lang, key), args)
}

/// What a started client is, in `lang`.
pub fn description_in(lang: Lang, d: &ClientDescription) -> String {
    match d {
        ClientDescription::Producer {
            topic,
            rate,
            acks,
            keys,
        } => {
            let keys = match keys {
                None => say(lang, "note.no_key", &[]),
                Some(n) => say(lang, "note.keys", &[("n", &n.to_string())]),
            };
            say(
                lang,
                "note.producer",
                &[
                    ("topic", topic),
                    ("rate", rate),
                    ("acks", acks),
                    ("keys", &keys),
                ],
            )
        }
        ClientDescription::Consumer {
            group,
            topics,
            assignor,
            commit,
            reset,
        } => {
            let commit = match commit {
                CommitWords::Auto(ms) => say(lang, "note.commit_auto", &[("ms", &ms.to_string())]),
                CommitWords::EachRecord => say(lang, "note.commit_each", &[]),
                CommitWords::Every(n) => say(lang, "note.commit_every", &[("n", &n.to_string())]),
                CommitWords::Never => say(lang, "note.commit_never", &[]),
            };
            say(
                lang,
                "note.consumer",
                &[
                    ("group", group),
                    ("topics", topics),
                    ("assignor", assignor),
                    ("commit", &commit),
                    ("reset", reset),
                ],
            )
        }
        ClientDescription::WireProducer { topic, acks } => say(
            lang,
            "note.wire_producer",
            &[("topic", topic), ("acks", acks)],
        ),
    }
}

/// What a started client is, in the language in force.
pub fn description(d: &ClientDescription) -> String {
    description_in(lang(), d)
}
