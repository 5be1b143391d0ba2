//! Refusals in the chosen language: the layers below the catalogue give codes (`SpecError` for a
//! client's settings, `CommandError` for a command, `TopicNameError` for a topic name, all from
//! `cluster`); this says them from `[spec_error]` and `[refusal]`. English is each code's own
//! `Display`, and tests keep `en.toml` equal to it.

use super::{Lang, fill, lang, text_in};
use crate::cluster::error::FaultError;
use crate::cluster::refusal::{CommandError, SpecError, VALUE_BYTES_MAX};
use crate::cluster::topic::TopicNameError;

/// Why a producer's or consumer's settings are refused, in `lang`.
pub fn spec_error_in(lang: Lang, e: &SpecError) -> String {
    use SpecError::*;
    let (key, value): (&'static str, String) = match e {
        Rate(v) => ("spec_error.rate", v.to_string()),
        Keys(v) => ("spec_error.keys", v.to_string()),
        ValueBytes(v) => ("spec_error.value_bytes", v.to_string()),
        BatchSize => ("spec_error.batch_size", String::new()),
        RequestTimeout => ("spec_error.request_timeout", String::new()),
        DeliveryTimeout(v) => ("spec_error.delivery_timeout", v.to_string()),
        MaxInFlight(v) => ("spec_error.max_in_flight", v.to_string()),
        NoTopic => ("spec_error.no_topic", String::new()),
        EmptyGroup => ("spec_error.empty_group", String::new()),
        HeartbeatInterval(v) => ("spec_error.heartbeat_interval", v.to_string()),
        MaxPollRecords => ("spec_error.max_poll_records", String::new()),
        CommitInterval => ("spec_error.commit_interval", String::new()),
        EmptyTransactionalId => ("spec_error.empty_transactional_id", String::new()),
        TransactionalNeedsIdempotence => ("spec_error.transactional_idempotence", String::new()),
        TransactionTimeout(v) => ("spec_error.transaction_timeout", v.to_string()),
    };
    let max = VALUE_BYTES_MAX.to_string();
    fill(text_in(lang, key), &[("value", &value), ("max", &max)])
}

/// Why settings are refused, in the language in force.
pub fn spec_error(e: &SpecError) -> String {
    spec_error_in(lang(), e)
}

/// Why a command was refused, in `lang`; Kafka's error names stay as Kafka writes them.
pub fn command_error_in(lang: Lang, e: &CommandError) -> String {
    use CommandError::*;
    let id = |n: &u32| n.to_string();
    let (key, args): (&'static str, Vec<(&str, String)>) = match e {
        Fault(f) => {
            let (key, broker) = match f {
                FaultError::NoBroker(b) => ("refusal.no_broker", b),
                FaultError::AlreadyDown(b) => ("refusal.already_down", b),
                FaultError::NotUp(b) => ("refusal.not_up", b),
                FaultError::StillRunning(b) => ("refusal.still_running", b),
                FaultError::NoController(b) => ("refusal.no_controller", b),
                FaultError::ControllerDown(b) => ("refusal.controller_down", b),
                FaultError::ControllerRunning(b) => ("refusal.controller_running", b),
            };
            (key, vec![("broker", broker.to_string())])
        }
        Spec(s) => return spec_error_in(lang, s),
        NoTopic(name) => ("refusal.no_topic", vec![("topic", format!("{name:?}"))]),
        CreateTopic { name, error } => (
            "refusal.create_topic",
            vec![("topic", name.clone()), ("error", error.to_string())],
        ),
        ChangeTopic { name, error } => (
            "refusal.change_topic",
            vec![("topic", name.clone()), ("error", error.clone())],
        ),
        SessionTimeout { min, max, value } => (
            "refusal.session_timeout",
            vec![
                ("min", min.to_string()),
                ("max", max.to_string()),
                ("value", value.to_string()),
            ],
        ),
        NoProducer(n) => ("refusal.no_producer", vec![("id", id(n))]),
        ProducerStopped(n) => ("refusal.producer_stopped", vec![("id", id(n))]),
        ProducerKilled(n) => ("refusal.producer_killed", vec![("id", id(n))]),
        NoConsumer(n) => ("refusal.no_consumer", vec![("id", id(n))]),
        ConsumerStopped { id: n, killed } => (
            if *killed {
                "refusal.consumer_killed"
            } else {
                "refusal.consumer_closed"
            },
            vec![("id", id(n))],
        ),
        TooManyClients(max) => ("refusal.too_many_clients", vec![("max", max.to_string())]),
        NoDirector => ("refusal.no_director", vec![]),
        NoJournal => ("refusal.no_journal", vec![]),
        TravelInLesson => ("refusal.travel_in_lesson", vec![]),
        PastIsReadOnly => ("refusal.past_is_read_only", vec![]),
        NothingToUndo => ("refusal.nothing_to_undo", vec![]),
        GroupNotInactive { group, state } => (
            "refusal.group_not_inactive",
            vec![("group", group.clone()), ("state", state.clone())],
        ),
        NothingToReset(group) => ("refusal.nothing_to_reset", vec![("group", group.clone())]),
        ResetFailed { group, error } => (
            "refusal.reset_failed",
            vec![("group", group.clone()), ("error", error.clone())],
        ),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(text_in(lang, key), &args)
}

/// Why a command was refused, in the language in force.
pub fn command_error(e: &CommandError) -> String {
    command_error_in(lang(), e)
}

/// Why a topic name breaks Kafka's rules, in `lang`.
pub fn topic_name_error_in(lang: Lang, e: &TopicNameError) -> String {
    match e {
        TopicNameError::Empty => text_in(lang, "refusal.topic_name_empty").to_string(),
        TopicNameError::Dots => text_in(lang, "refusal.topic_name_dots").to_string(),
        TopicNameError::TooLong(n) => fill(
            text_in(lang, "refusal.topic_name_too_long"),
            &[("n", &n.to_string())],
        ),
        TopicNameError::BadChar(c) => fill(
            text_in(lang, "refusal.topic_name_bad_char"),
            &[("char", &format!("{c:?}"))],
        ),
    }
}

/// Why a topic name breaks Kafka's rules, in the language in force.
pub fn topic_name_error(e: &TopicNameError) -> String {
    topic_name_error_in(lang(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<SpecError> {
        use SpecError::*;
        vec![
            Rate(0.0),
            Keys(0),
            ValueBytes(2_000_000),
            BatchSize,
            RequestTimeout,
            DeliveryTimeout(100),
            MaxInFlight(6),
            NoTopic,
            EmptyGroup,
            HeartbeatInterval(0),
            MaxPollRecords,
            CommitInterval,
            EmptyTransactionalId,
            TransactionalNeedsIdempotence,
            TransactionTimeout(0),
        ]
    }

    fn commands() -> Vec<CommandError> {
        use CommandError::*;
        vec![
            Fault(FaultError::NoBroker(7)),
            Fault(FaultError::AlreadyDown(1)),
            Fault(FaultError::NotUp(2)),
            Fault(FaultError::StillRunning(3)),
            Fault(FaultError::NoController(7)),
            Fault(FaultError::ControllerDown(1)),
            Fault(FaultError::ControllerRunning(2)),
            Spec(SpecError::Keys(0)),
            NoTopic("orders-1".into()),
            CreateTopic {
                name: "orders-1".into(),
                error: crate::cluster::error::KafkaError::InvalidReplicationFactor,
            },
            ChangeTopic {
                name: "orders-1".into(),
                error: "INVALID_PARTITIONS".into(),
            },
            SessionTimeout {
                min: 6_000,
                max: 1_800_000,
                value: 10,
            },
            NoProducer(4),
            ProducerStopped(4),
            ProducerKilled(4),
            NoConsumer(5),
            ConsumerStopped {
                id: 5,
                killed: true,
            },
            ConsumerStopped {
                id: 5,
                killed: false,
            },
            TooManyClients(1_000),
            NoDirector,
            NoJournal,
            TravelInLesson,
            PastIsReadOnly,
            NothingToUndo,
            GroupNotInactive {
                group: "g1".into(),
                state: "Stable".into(),
            },
            NothingToReset("g1".into()),
            ResetFailed {
                group: "g1".into(),
                error: "test-0: LEADER_NOT_AVAILABLE".into(),
            },
        ]
    }

    fn topic_names() -> Vec<TopicNameError> {
        vec![
            TopicNameError::Empty,
            TopicNameError::Dots,
            TopicNameError::TooLong(300),
            TopicNameError::BadChar('/'),
        ]
    }

    #[test]
    fn english_templates_say_what_display_says() {
        for e in all() {
            assert_eq!(spec_error_in(Lang::En, &e), e.to_string());
        }
        for e in commands() {
            assert_eq!(command_error_in(Lang::En, &e), e.to_string());
        }
        for e in topic_names() {
            assert_eq!(topic_name_error_in(Lang::En, &e), e.to_string());
        }
    }

    #[test]
    fn every_command_refusal_and_topic_name_rule_reads_in_chinese() {
        for e in commands() {
            let line = command_error_in(Lang::Zh, &e);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
        }
        for e in topic_names() {
            let line = topic_name_error_in(Lang::Zh, &e);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
        }
    }

    #[test]
    fn the_acks_refusal_says_what_parsing_acks_says() {
        let why = "2".parse::<crate::cluster::types::Acks>().unwrap_err();
        let en = super::super::text_with_in(Lang::En, "spec_error.acks", &[("value", "2")]);
        assert_eq!(en, why);
        let zh = super::super::text_with_in(Lang::Zh, "spec_error.acks", &[("value", "2")]);
        crate::text::tests::assert_chinese(&zh);
    }

    #[test]
    fn every_refusal_reads_in_chinese_with_only_kafka_terms_in_latin() {
        for e in all() {
            let line = spec_error_in(Lang::Zh, &e);
            assert!(!line.contains('{'), "{line}");
            crate::text::tests::assert_chinese(&line);
        }
    }
}
