//! Refusals of a client's settings in the chosen language: `clients::spec` sits below the
//! catalogue and gives a `SpecError` code; this says it from `[spec_error]`. English is the
//! code's own `Display`, and a test keeps `en.toml` equal to it.

use super::{Lang, fill, lang, text_in};
use crate::clients::spec::{SpecError, VALUE_BYTES_MAX};

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
    };
    let max = VALUE_BYTES_MAX.to_string();
    fill(text_in(lang, key), &[("value", &value), ("max", &max)])
}

/// Why settings are refused, in the language in force.
pub fn spec_error(e: &SpecError) -> String {
    spec_error_in(lang(), e)
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
        ]
    }

    #[test]
    fn english_templates_say_what_display_says() {
        for e in all() {
            assert_eq!(spec_error_in(Lang::En, &e), e.to_string());
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
