//! The lab's notes and client descriptions in the chosen language: the layers below the
//! catalogue give them as codes (`cluster::event::NoteText`, `ClientDescription`); this says
//! them from `[note]`. English is the codes' own `Display`, and a test keeps `en.toml` equal to it.

use super::{Lang, fill, lang, text_in};
use crate::cluster::event::{IoDetail, NoteText, secs_1};

/// Fills `key`'s template in `lang` with `args`.
fn say(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    fill(text_in(lang, key), args)
}

/// A note in `lang`; free text is already in the chosen language and shown as written.
pub fn note_in(lang: Lang, n: &NoteText) -> String {
    use NoteText::*;
    let tp_args = |broker: &i32, tp: &dyn ToString, error: &IoDetail| -> Vec<(String, String)> {
        vec![
            ("broker".into(), broker.to_string()),
            ("tp".into(), tp.to_string()),
            ("error".into(), super::io::io_detail_in(lang, error)),
        ]
    };
    let (key, args): (&'static str, Vec<(String, String)>) = match n {
        Free(text) => return text.clone(),
        OffsetsReset(r) => return super::offsets_reset::offsets_reset_in(lang, r),
        RestartsBehind {
            broker,
            behind,
            more,
        } => {
            let list = NoteText::behind_list(
                behind,
                *more,
                [
                    text_in(lang, "note.behind_by"),
                    text_in(lang, "note.behind_more"),
                    text_in(lang, "note.list_separator"),
                ],
            );
            (
                "note.restarts_behind",
                vec![
                    ("broker".into(), broker.to_string()),
                    ("behind".into(), list),
                ],
            )
        }
        UncleanConfig { enabled } => (
            "note.unclean_config",
            vec![("enabled".into(), enabled.to_string())],
        ),
        CannotOpen { broker, tp, error } => ("note.cannot_open", tp_args(broker, tp, error)),
        AppendFailed { broker, tp, error } => ("note.append_failed", tp_args(broker, tp, error)),
        TruncateFailed { broker, tp, error } => {
            ("note.truncate_failed", tp_args(broker, tp, error))
        }
        ReplicateFailed { broker, tp, error } => {
            ("note.replicate_failed", tp_args(broker, tp, error))
        }
        GroupCommitFailed { group, error } => (
            "note.group_commit_failed",
            vec![
                ("group".into(), group.clone()),
                ("error".into(), error.clone()),
            ],
        ),
        TopicsFileUnreadable => ("note.topics_file_unreadable", vec![]),
        NoOffsetsTopic { wanted, live } => (
            "note.no_offsets_topic",
            vec![
                ("wanted".into(), wanted.to_string()),
                ("live".into(), live.to_string()),
            ],
        ),
        CommitFailed { client, error } => (
            "note.commit_failed",
            vec![
                ("client".into(), client.clone()),
                ("error".into(), error.clone()),
            ],
        ),
        PollTimeout {
            client,
            max_poll_interval_ms,
        } => (
            "note.poll_timeout",
            vec![
                ("client".into(), client.clone()),
                ("ms".into(), max_poll_interval_ms.to_string()),
            ],
        ),
        SubscribedMetadataChanged {
            client,
            topic,
            from,
            to,
        } => (
            "note.metadata_changed",
            vec![
                ("client".into(), client.clone()),
                ("topic".into(), topic.clone()),
                ("from".into(), from.to_string()),
                ("to".into(), to.to_string()),
            ],
        ),
        GroupCallFailed {
            client,
            call,
            error,
        } => (
            "note.group_call_failed",
            vec![
                ("client".into(), client.clone()),
                ("call".into(), call.clone()),
                ("error".into(), error.clone()),
            ],
        ),
        ResetNone {
            client,
            tp,
            position,
            error,
        } => {
            let mut args = vec![
                ("client".into(), client.clone()),
                ("tp".into(), tp.to_string()),
                ("error".into(), error.clone()),
            ];
            match position {
                None => ("note.reset_none_uncommitted", args),
                Some(pos) => {
                    args.push(("pos".into(), pos.to_string()));
                    ("note.reset_none_out_of_range", args)
                }
            }
        }
        OutOfRange {
            client,
            tp,
            position,
        } => (
            "note.out_of_range",
            vec![
                ("client".into(), client.clone()),
                ("tp".into(), tp.to_string()),
                ("pos".into(), position.to_string()),
            ],
        ),
        Refused { error } => (
            "note.refused",
            vec![("error".into(), super::error::command_error_in(lang, error))],
        ),
        NextStepAt { secs } => ("note.next_step_at", vec![("secs".into(), secs.to_string())]),
        LessonOver => ("note.lesson_over", vec![]),
        CannotStartOver { error } => (
            "note.cannot_start_over",
            vec![("error".into(), error.clone())],
        ),
        ListenerOff { error } => (
            "note.listener_off",
            vec![("error".into(), super::io::listener_error_in(lang, error))],
        ),
        ReplayOnly => ("note.replay_only", vec![]),
        ReplayEnded => ("note.replay_ended", vec![]),
        ReplayFailed { error } => ("note.replay_failed", vec![("error".into(), error.clone())]),
        JournalStopped { error } => (
            "note.journal_stopped",
            vec![("error".into(), error.clone())],
        ),
        Attached {
            bootstrap,
            brokers,
            interval_ms,
            writes,
        } => (
            "note.attached",
            vec![
                ("bootstrap".into(), bootstrap.clone()),
                ("brokers".into(), brokers.to_string()),
                ("ms".into(), interval_ms.to_string()),
                (
                    "mode".into(),
                    text_in(
                        lang,
                        if *writes {
                            "note.attach_writes"
                        } else {
                            "note.attach_read_only_mode"
                        },
                    )
                    .to_string(),
                ),
            ],
        ),
        AttachPollFailed { error } => (
            "note.attach_poll_failed",
            vec![("error".into(), error.clone())],
        ),
        AttachPollRecovered => ("note.attach_poll_recovered", vec![]),
        GroupRebalanced { group, assignment } => (
            "note.group_rebalanced",
            vec![
                ("group".into(), group.clone()),
                (
                    "assignment".into(),
                    NoteText::assignment_list(assignment, text_in(lang, "note.assignment_none")),
                ),
            ],
        ),
        LagRising { group, from, to } => (
            "note.lag_rising",
            vec![
                ("group".into(), group.clone()),
                ("from".into(), from.to_string()),
                ("to".into(), to.to_string()),
            ],
        ),
        AttachUnavailable => ("note.attach_unavailable", vec![]),
        AttachReadOnly => ("note.attach_read_only", vec![]),
        AttachWrote { request, detail } => (
            "note.attach_wrote",
            vec![
                ("request".into(), request.clone()),
                ("detail".into(), detail.clone()),
            ],
        ),
        AttachWriteFailed { request, error } => (
            "note.attach_write_failed",
            vec![
                ("request".into(), request.clone()),
                ("error".into(), error.clone()),
            ],
        ),
        AttachClientError { client, error } => (
            "note.attach_client_error",
            vec![
                ("client".into(), client.clone()),
                ("error".into(), error.clone()),
            ],
        ),
        AttachConsumerProtocolRefused => ("note.attach_consumer_protocol_refused", vec![]),
        AttachMissing { api, error } => (
            "note.attach_missing",
            vec![("api".into(), api.clone()), ("error".into(), error.clone())],
        ),
        Rewound {
            at_ms,
            from_ms,
            kept,
        } => (
            "note.rewound",
            vec![
                ("at".into(), secs_1(*at_ms)),
                ("from".into(), secs_1(*from_ms)),
                ("kept".into(), kept.clone()),
            ],
        ),
        Undone {
            action,
            at_ms,
            kept,
        } => {
            let (key, value) = action.key_and_value();
            (
                "note.undone",
                vec![
                    ("action".into(), fill(text_in(lang, key), &[("id", &value)])),
                    ("at".into(), secs_1(*at_ms)),
                    ("kept".into(), kept.clone()),
                ],
            )
        }
        TravelFailed { error } => ("note.travel_failed", vec![("error".into(), error.clone())]),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    say(lang, key, &args)
}

/// A note in the language in force.
pub fn note(n: &NoteText) -> String {
    note_in(lang(), n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::config::{ClusterConfig, Profile};
    use crate::cluster::event::{ClientDescription, CommitWords};
    use crate::cluster::types::TopicPartition;
    use crate::text::description::description_in;

    /// One of every coded note, with errors as the cluster gives them (Kafka's error names).
    pub(crate) fn notes() -> Vec<NoteText> {
        let tp = || TopicPartition::new("test", 0);
        let e = || "NOT_COORDINATOR".to_string();
        vec![
            NoteText::RestartsBehind {
                broker: 2,
                behind: vec![(tp(), 7), (TopicPartition::new("test", 1), 3)],
                more: 2,
            },
            NoteText::RestartsBehind {
                broker: 2,
                behind: vec![(tp(), 7)],
                more: 0,
            },
            NoteText::UncleanConfig { enabled: true },
            NoteText::CannotOpen {
                broker: 1,
                tp: tp(),
                error: crate::text::io::tests::io_details()[0].clone(),
            },
            NoteText::AppendFailed {
                broker: 1,
                tp: tp(),
                error: crate::text::io::tests::io_details()[1].clone(),
            },
            NoteText::TruncateFailed {
                broker: 1,
                tp: tp(),
                error: crate::text::io::tests::io_details()[2].clone(),
            },
            NoteText::ReplicateFailed {
                broker: 1,
                tp: tp(),
                error: crate::text::io::tests::io_details()[3].clone(),
            },
            NoteText::GroupCommitFailed {
                group: "lab-group".into(),
                error: e(),
            },
            NoteText::TopicsFileUnreadable,
            NoteText::NoOffsetsTopic { wanted: 3, live: 1 },
            NoteText::CommitFailed {
                client: "consumer-1".into(),
                error: e(),
            },
            NoteText::PollTimeout {
                client: "consumer-1".into(),
                max_poll_interval_ms: 300_000,
            },
            NoteText::SubscribedMetadataChanged {
                client: "consumer-1".into(),
                topic: "t1".into(),
                from: 2,
                to: 4,
            },
            NoteText::GroupCallFailed {
                client: "consumer-1".into(),
                call: "JoinGroup".into(),
                error: e(),
            },
            NoteText::ResetNone {
                client: "consumer-1".into(),
                tp: tp(),
                position: None,
                error: "NO_OFFSET_FOR_PARTITION".into(),
            },
            NoteText::ResetNone {
                client: "consumer-1".into(),
                tp: tp(),
                position: Some(12),
                error: "OFFSET_OUT_OF_RANGE".into(),
            },
            NoteText::OutOfRange {
                client: "consumer-1".into(),
                tp: tp(),
                position: 12,
            },
            NoteText::Refused {
                error: crate::cluster::refusal::CommandError::NoDirector,
            },
            NoteText::NextStepAt { secs: 40 },
            NoteText::LessonOver,
            NoteText::CannotStartOver { error: e() },
            NoteText::ListenerOff {
                error: crate::text::io::tests::listener_errors()[1].clone(),
            },
            NoteText::JournalStopped { error: e() },
            NoteText::ReplayOnly,
            NoteText::ReplayEnded,
            NoteText::ReplayFailed { error: e() },
            NoteText::Attached {
                bootstrap: "h1:9092".into(),
                brokers: 3,
                interval_ms: 1000,
                writes: false,
            },
            NoteText::Attached {
                bootstrap: "h1:9092".into(),
                brokers: 3,
                interval_ms: 1000,
                writes: true,
            },
            NoteText::AttachPollFailed { error: e() },
            NoteText::AttachPollRecovered,
            NoteText::GroupRebalanced {
                group: "g1".into(),
                assignment: vec![("m1".into(), vec![tp()]), ("m2".into(), vec![])],
            },
            NoteText::GroupRebalanced {
                group: "g1".into(),
                assignment: vec![],
            },
            NoteText::LagRising {
                group: "g1".into(),
                from: 10,
                to: 500,
            },
            NoteText::AttachUnavailable,
            NoteText::AttachReadOnly,
            NoteText::AttachClientError {
                client: "producer-1".into(),
                error: e(),
            },
            NoteText::AttachConsumerProtocolRefused,
            NoteText::AttachMissing {
                api: "DescribeLogDirs".into(),
                error: "UNSUPPORTED_VERSION".into(),
            },
            NoteText::AttachWrote {
                request: "CreateTopics".into(),
                detail: "t1".into(),
            },
            NoteText::AttachWriteFailed {
                request: "CreateTopics".into(),
                error: e(),
            },
            NoteText::Rewound {
                at_ms: 12_500,
                from_ms: 45_000,
                kept: e(),
            },
            NoteText::TravelFailed { error: e() },
        ]
        .into_iter()
        .chain(undone_actions().into_iter().map(|action| NoteText::Undone {
            action,
            at_ms: 3_000,
            kept: e(),
        }))
        .collect()
    }

    /// One of every action `u` undoes.
    fn undone_actions() -> Vec<crate::cluster::event::UndoneAction> {
        use crate::cluster::event::UndoneAction::*;
        vec![
            KillBroker(2),
            ShutdownBroker(2),
            KillController(1),
            DeleteTopic("t1".into()),
            StopProducer(1),
            KillProducer(1),
            KillConsumer(3),
            CloseConsumer(3),
        ]
    }

    /// One of every client description (names with digits: data, not English words).
    fn descriptions() -> Vec<ClientDescription> {
        let consumer = |commit| ClientDescription::Consumer {
            group: "lab-group".into(),
            topics: "t1,t2".into(),
            assignor: "range".into(),
            commit,
            reset: "earliest".into(),
        };
        vec![
            ClientDescription::Producer {
                topic: "t1".into(),
                rate: "5".into(),
                acks: "all".into(),
                keys: None,
            },
            ClientDescription::Producer {
                topic: "t1".into(),
                rate: "2.5".into(),
                acks: "1".into(),
                keys: Some(8),
            },
            consumer(CommitWords::Auto(5000)),
            consumer(CommitWords::EachRecord),
            consumer(CommitWords::Every(10)),
            consumer(CommitWords::Never),
            ClientDescription::WireProducer {
                topic: "t1".into(),
                acks: "all".into(),
            },
        ]
    }

    #[test]
    fn english_templates_say_what_display_says() {
        // Display is what --json and English output print; en.toml must say the same.
        for n in notes() {
            assert_eq!(note_in(Lang::En, &n), n.to_string());
        }
        for d in descriptions() {
            assert_eq!(description_in(Lang::En, &d), d.to_string());
        }
    }

    #[test]
    fn every_code_reads_in_chinese_with_only_kafka_terms_in_latin() {
        for n in notes() {
            let line = note_in(Lang::Zh, &n);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
        }
        for d in descriptions() {
            let line = description_in(Lang::Zh, &d);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
        }
    }

    #[test]
    fn free_text_is_shown_as_written() {
        let n = NoteText::from("▶ [1/3] 第一步");
        assert_eq!(note_in(Lang::Zh, &n), "▶ [1/3] 第一步");
        assert_eq!(note_in(Lang::En, &n), "▶ [1/3] 第一步");
    }

    #[test]
    fn the_offsets_topic_note_says_what_the_config_refuses_with() {
        let k = ClusterConfig::for_profile(Profile::Kafka, 1, 1, "/lab");
        let why = k.offsets_topic_rf(1).unwrap_err();
        let note = NoteText::NoOffsetsTopic {
            wanted: k.offsets_topic_replication_factor,
            live: 1,
        };
        assert_eq!(note.to_string(), why);
    }

    #[test]
    fn a_restart_note_names_the_first_partitions_and_counts_the_rest() {
        let n = &notes()[0];
        assert!(
            n.to_string().contains("(test-0 by 7, test-1 by 3, 2 more)"),
            "{n}"
        );
        let zh = note_in(Lang::Zh, n);
        assert!(
            zh.contains("test-0 落后 7 条、test-1 落后 3 条、另有 2 个"),
            "{zh}"
        );
    }
}
