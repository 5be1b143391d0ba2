//! The note under an explanation that names a timer this lab runs shorter (or otherwise
//! differently) than Kafka's default: the teaching profile's values, or a lesson's, never pass
//! for Kafka's.

use super::Explanation;
use crate::cluster::config::table::differs_from_kafka;
use crate::cluster::snapshot::ClusterSettings;
use crate::ui::text::text_with;

/// The broker configs a snapshot carries, in the config table's units.
fn lab_values(s: &ClusterSettings) -> [(&'static str, String); 6] {
    [
        (
            "broker.session.timeout.ms",
            s.broker_session_timeout_ms.to_string(),
        ),
        (
            "broker.heartbeat.interval.ms",
            s.broker_heartbeat_interval_ms.to_string(),
        ),
        (
            "replica.lag.time.max.ms",
            s.replica_lag_time_max_ms.to_string(),
        ),
        (
            "leader.imbalance.check.interval.seconds",
            (s.leader_imbalance_check_interval_ms / 1000).to_string(),
        ),
        (
            "log.retention.check.interval.ms",
            s.retention_check_interval_ms.to_string(),
        ),
        (
            "offsets.topic.num.partitions",
            s.offsets_topic_partitions.to_string(),
        ),
    ]
}

/// A paragraph naming each config the explanation mentions whose value here is not Kafka's
/// default (`replica.lag.time.max.ms=10000 (Kafka 30000)`), or `None` when all are Kafka's.
pub(super) fn note(s: &ClusterSettings, x: &Explanation) -> Option<String> {
    let items: Vec<String> = lab_values(s)
        .into_iter()
        .filter(|(name, _)| x.paragraphs.iter().any(|p| p.contains(name)))
        .filter_map(|(name, v)| {
            let kafka = differs_from_kafka(name, &v)?;
            Some(format!(
                "{name}={v} ({})",
                text_with("countdown.kafka_default", &[("value", kafka)])
            ))
        })
        .collect();
    (!items.is_empty()).then(|| text_with("explain.shortened", &[("list", &items.join(", "))]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::config::{ClusterConfig, Profile};

    fn explained(p: &str) -> Explanation {
        Explanation {
            title: String::new(),
            paragraphs: vec![p.to_string()],
        }
    }

    #[test]
    fn a_shortened_timer_the_explanation_names_is_labelled_with_kafkas_default() {
        let teaching = ClusterConfig::for_profile(Profile::Teaching, 3, 1, "").settings();
        let x = explained(
            "dropped after replica.lag.time.max.ms=10000 ms; broker.session.timeout.ms=9000",
        );
        let n = note(&teaching, &x).expect("a note");
        assert!(
            n.contains("replica.lag.time.max.ms=10000 (Kafka 30000)"),
            "{n}"
        );
        assert!(
            !n.contains("broker.session.timeout.ms"),
            "9000 is Kafka's own: {n}"
        );
        let kafka = ClusterConfig::for_profile(Profile::Kafka, 3, 1, "").settings();
        assert_eq!(note(&kafka, &x), None);
        assert_eq!(note(&teaching, &explained("nothing timed here")), None);
    }
}
