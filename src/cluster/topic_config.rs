//! The topic configs the lab honours, parsed and validated as Kafka's `LogConfig` does: one rule
//! for CreateTopics, IncrementalAlterConfigs and AlterConfigs.

use super::config::{Profile, check_segment_bytes};
use super::topic::TopicSpec;

/// Every topic config the lab honours, in Kafka's names.
pub const TOPIC_CONFIGS: &[&str] = &[
    "min.insync.replicas",
    "segment.bytes",
    "retention.ms",
    "retention.bytes",
    "max.message.bytes",
];

/// Kafka's "Invalid value X for configuration NAME: WHY".
fn invalid(name: &str, value: &str, why: &str) -> String {
    format!("Invalid value {value} for configuration {name}: {why}")
}

/// An INT config (Kafka's `ConfigDef.Type.INT`) at least `min`.
fn int_at_least(name: &str, value: &str, min: i64) -> Result<i32, String> {
    let v: i32 = value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, "Not a number of type INT"))?;
    if i64::from(v) < min {
        return Err(invalid(
            name,
            value,
            &format!("Value must be at least {min}"),
        ));
    }
    Ok(v)
}

/// A LONG config at least `min`, if any.
fn long_at_least(name: &str, value: &str, min: Option<i64>) -> Result<i64, String> {
    let v: i64 = value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, "Not a number of type LONG"))?;
    if let Some(min) = min.filter(|m| v < *m) {
        return Err(invalid(
            name,
            value,
            &format!("Value must be at least {min}"),
        ));
    }
    Ok(v)
}

/// Sets (`Some`) or resets to the broker's default (`None`, Kafka's DELETE) one topic config on
/// `spec`, with Kafka's validation; the error is Kafka's INVALID_CONFIG message.
pub fn set_topic_config(
    spec: &mut TopicSpec,
    profile: Profile,
    name: &str,
    value: Option<&str>,
) -> Result<(), String> {
    match (name, value) {
        ("min.insync.replicas", None) => spec.min_insync_replicas = 1,
        ("min.insync.replicas", Some(v)) => {
            let n = int_at_least(name, v, 1)?;
            spec.min_insync_replicas =
                i16::try_from(n).map_err(|_| invalid(name, v, "Value must be at most 32767"))?;
        }
        ("segment.bytes", None) => spec.segment_bytes = None,
        ("segment.bytes", Some(v)) => {
            let n = int_at_least(name, v, 1)?;
            check_segment_bytes(profile, name, n as u64)?;
            spec.segment_bytes = Some(n as u64);
        }
        ("retention.ms", None) => spec.retention_ms = None,
        ("retention.ms", Some(v)) => spec.retention_ms = Some(long_at_least(name, v, Some(-1))?),
        ("retention.bytes", None) => spec.retention_bytes = None,
        ("retention.bytes", Some(v)) => spec.retention_bytes = Some(long_at_least(name, v, None)?),
        ("max.message.bytes", None) => spec.max_message_bytes = None,
        ("max.message.bytes", Some(v)) => {
            spec.max_message_bytes = Some(int_at_least(name, v, 0)? as usize);
        }
        (other, _) => return Err(format!("kafka-lab does not support topic config {other}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_with_kafkas_words() {
        let mut s = TopicSpec::new("t", 1, 1);
        let p = Profile::Kafka;
        assert_eq!(
            set_topic_config(&mut s, p, "max.message.bytes", Some("abc")),
            Err(
                "Invalid value abc for configuration max.message.bytes: Not a number of type INT"
                    .into()
            )
        );
        assert_eq!(
            set_topic_config(&mut s, p, "min.insync.replicas", Some("0")),
            Err(
                "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"
                    .into()
            )
        );
        assert_eq!(
            set_topic_config(&mut s, p, "retention.ms", Some("-2")),
            Err(
                "Invalid value -2 for configuration retention.ms: Value must be at least -1".into()
            )
        );
        assert!(set_topic_config(&mut s, p, "cleanup.policy", Some("compact")).is_err());
        set_topic_config(&mut s, p, "max.message.bytes", Some("2000")).expect("valid");
        set_topic_config(&mut s, p, "min.insync.replicas", Some("2")).expect("valid");
        assert_eq!(
            (s.max_message_bytes, s.min_insync_replicas),
            (Some(2000), 2)
        );
        set_topic_config(&mut s, p, "max.message.bytes", None).expect("reset");
        set_topic_config(&mut s, p, "min.insync.replicas", None).expect("reset");
        assert_eq!((s.max_message_bytes, s.min_insync_replicas), (None, 1));
    }
}
