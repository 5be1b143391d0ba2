//! The one table of every broker and topic config the lab honours: Kafka 4.1's default, the
//! value each profile gives it, and where the lab knowingly differs. `docs/configuration.md`,
//! `--help`, the dashboard's countdowns and DescribeConfigs all read it, so none can drift.

use super::{ClusterConfig, Profile};

/// One honoured config.
#[derive(Clone, Copy, Debug)]
pub struct ConfigRow {
    /// Kafka's name for it (a broker config unless noted in `why`).
    pub name: &'static str,
    /// The unit the values are written in (`ms`, `s`, `h`, `bytes`, or empty).
    pub unit: &'static str,
    /// Kafka 4.1's default, as Kafka writes it.
    pub kafka_default: &'static str,
    /// The value a config gives it, in `unit`.
    pub value: fn(&ClusterConfig) -> String,
    /// Where the lab knowingly differs from Kafka, and why (empty where it does not).
    pub why: &'static str,
}

/// Every broker and topic config the lab honours, in the order the docs list them.
pub const HONOURED: &[ConfigRow] = &[
    ConfigRow {
        name: "broker.session.timeout.ms",
        unit: "ms",
        kafka_default: "9000",
        value: |c| c.broker_session_timeout_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "broker.heartbeat.interval.ms",
        unit: "ms",
        kafka_default: "2000",
        value: |c| c.broker_heartbeat_interval_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "controller.quorum.election.timeout.ms",
        unit: "ms",
        kafka_default: "1000",
        value: |c| c.controller_quorum_election_timeout_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "controller.quorum.fetch.timeout.ms",
        unit: "ms",
        kafka_default: "2000",
        value: |c| c.controller_quorum_fetch_timeout_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "replica.lag.time.max.ms",
        unit: "ms",
        kafka_default: "30000",
        value: |c| c.replica_lag_time_max_ms.to_string(),
        why: "teaching: a stopped follower leaves the ISR while the room watches",
    },
    ConfigRow {
        name: "replica.fetch.max.bytes",
        unit: "bytes",
        kafka_default: "1048576",
        value: |c| c.replica_fetch_max_bytes.to_string(),
        why: "",
    },
    ConfigRow {
        name: "unclean.leader.election.enable",
        unit: "",
        kafka_default: "false",
        value: |c| c.unclean_leader_election.to_string(),
        why: "",
    },
    ConfigRow {
        name: "auto.leader.rebalance.enable",
        unit: "",
        kafka_default: "true",
        value: |c| c.auto_leader_rebalance.to_string(),
        why: "",
    },
    ConfigRow {
        name: "leader.imbalance.check.interval.seconds",
        unit: "s",
        kafka_default: "300",
        value: |c| (c.leader_imbalance_check_interval_ms / 1000).to_string(),
        why: "teaching: leadership returns to the preferred replica seconds after it is back in \
              sync; both profiles move every imbalanced partition at each check \
              (`leader.imbalance.per.broker.percentage` is not modelled)",
    },
    ConfigRow {
        name: "log.retention.check.interval.ms",
        unit: "ms",
        kafka_default: "300000",
        value: |c| c.retention_check_interval_ms.to_string(),
        why: "teaching: retention deletes segments within a lesson",
    },
    ConfigRow {
        name: "log.segment.bytes",
        unit: "bytes",
        kafka_default: "1073741824",
        value: |c| c.log.segment_bytes.to_string(),
        why: "teaching: segments roll within minutes, and a topic may ask for less than Kafka 4's \
              1 MiB minimum (the `kafka` profile refuses it with Kafka's message)",
    },
    ConfigRow {
        name: "log.roll.hours",
        unit: "h",
        kafka_default: "168",
        value: |c| (c.log.segment_ms / 3_600_000).to_string(),
        why: "",
    },
    ConfigRow {
        name: "log.retention.hours",
        unit: "h",
        kafka_default: "168",
        value: |c| (c.log.retention_ms / 3_600_000).to_string(),
        why: "",
    },
    ConfigRow {
        name: "log.retention.bytes",
        unit: "bytes",
        kafka_default: "-1",
        value: |c| c.log.retention_bytes.to_string(),
        why: "",
    },
    ConfigRow {
        name: "log.index.interval.bytes",
        unit: "bytes",
        kafka_default: "4096",
        value: |c| c.log.index_interval_bytes.to_string(),
        why: "",
    },
    ConfigRow {
        name: "message.max.bytes",
        unit: "bytes",
        kafka_default: "1048588",
        value: |c| c.message_max_bytes.to_string(),
        why: "",
    },
    ConfigRow {
        name: "num.partitions",
        unit: "",
        kafka_default: "1",
        value: |c| c.num_partitions.to_string(),
        why: "",
    },
    ConfigRow {
        name: "default.replication.factor",
        unit: "",
        kafka_default: "1",
        value: |c| c.default_replication_factor.to_string(),
        why: "teaching: a topic a client creates has followers to watch; capped at the live \
              brokers where Kafka would refuse the topic",
    },
    ConfigRow {
        name: "offsets.topic.num.partitions",
        unit: "",
        kafka_default: "50",
        value: |c| c.offsets_topic_partitions.to_string(),
        why: "teaching: three coordinator partitions keep the dashboard readable",
    },
    ConfigRow {
        name: "transaction.state.log.num.partitions",
        unit: "",
        kafka_default: "50",
        value: |c| c.transaction_state_partitions.to_string(),
        why: "teaching: three coordinator partitions keep the dashboard readable",
    },
    ConfigRow {
        name: "transaction.state.log.min.isr",
        unit: "",
        kafka_default: "2",
        value: |c| c.transaction_state_min_isr.to_string(),
        why: "",
    },
    ConfigRow {
        name: "transaction.max.timeout.ms",
        unit: "ms",
        kafka_default: "900000",
        value: |c| c.transaction_max_timeout_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "offsets.topic.replication.factor",
        unit: "",
        kafka_default: "3",
        value: |c| c.offsets_topic_replication_factor.to_string(),
        why: "teaching caps it at the broker count so groups work on a 1- or 2-broker lab; \
              Kafka (and the `kafka` profile) does not create `__consumer_offsets` until 3 \
              brokers are up, and FindCoordinator answers COORDINATOR_NOT_AVAILABLE",
    },
    ConfigRow {
        name: "group.initial.rebalance.delay.ms",
        unit: "ms",
        kafka_default: "3000",
        value: |c| c.group_initial_rebalance_delay_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "group.min.session.timeout.ms",
        unit: "ms",
        kafka_default: "6000",
        value: |c| c.group_min_session_timeout_ms.to_string(),
        why: "",
    },
    ConfigRow {
        name: "group.consumer.heartbeat.interval.ms",
        unit: "ms",
        kafka_default: "5000",
        value: |c| c.group_consumer_heartbeat_interval_ms.to_string(),
        why: "teaching: KIP-848 members heartbeat more often so each reconciliation step shows in seconds",
    },
    ConfigRow {
        name: "group.consumer.session.timeout.ms",
        unit: "ms",
        kafka_default: "45000",
        value: |c| c.group_consumer_session_timeout_ms.to_string(),
        why: "teaching: a crashed KIP-848 member is removed in 10 s, like the lessons' classic consumers",
    },
    ConfigRow {
        name: "group.max.session.timeout.ms",
        unit: "ms",
        kafka_default: "1800000",
        value: |c| c.group_max_session_timeout_ms.to_string(),
        why: "",
    },
];

/// The row of a config, by Kafka's name.
pub fn row(name: &str) -> Option<&'static ConfigRow> {
    HONOURED.iter().find(|r| r.name == name)
}

/// Kafka's default of a timer, in ms (`None` for configs that are not times or not in the table).
pub fn kafka_default_ms(name: &str) -> Option<i64> {
    let r = row(name)?;
    let v: i64 = r.kafka_default.parse().ok()?;
    match r.unit {
        "ms" => Some(v),
        "s" => Some(v * 1000),
        "h" => Some(v * 3_600_000),
        _ => None,
    }
}

/// `None` when `value` is Kafka's default for `name`, else Kafka's default as written in the
/// table: what a shortened value is labelled with (`replica.lag.time.max.ms=10000 (Kafka 30000)`).
pub fn differs_from_kafka(name: &str, value: &str) -> Option<&'static str> {
    row(name).map(|r| r.kafka_default).filter(|k| *k != value)
}

/// The same as [`differs_from_kafka`] for a time in ms, answered in ms.
pub fn kafka_ms_if_different(name: &str, value_ms: i64) -> Option<i64> {
    kafka_default_ms(name).filter(|k| *k != value_ms)
}

/// The value `profile` gives `name`, in the table's unit (for a lab of 3 brokers).
pub fn profile_value(profile: Profile, name: &str) -> Option<String> {
    let c = ClusterConfig::for_profile(profile, 3, 0, "");
    row(name).map(|r| (r.value)(&c))
}

/// The table as Markdown, the way `docs/configuration.md` shows it.
pub fn markdown() -> String {
    let teaching = ClusterConfig::for_profile(Profile::Teaching, 3, 0, "");
    let mut out = String::from(
        "| config | unit | Kafka 4.1 default (`--profile kafka`) | teaching | where the lab differs, and why |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for r in HONOURED {
        let t = (r.value)(&teaching);
        let t = if t == r.kafka_default {
            "same".to_string()
        } else {
            format!("**{t}**")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.name, r.unit, r.kafka_default, t, r.why
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kafka_profile_gives_every_config_kafkas_default() {
        let k = ClusterConfig::for_profile(Profile::Kafka, 3, 0, "");
        for r in HONOURED {
            assert_eq!((r.value)(&k), r.kafka_default, "{}", r.name);
        }
    }

    #[test]
    fn every_teaching_value_that_differs_says_why() {
        let t = ClusterConfig::for_profile(Profile::Teaching, 3, 0, "");
        for r in HONOURED {
            if (r.value)(&t) != r.kafka_default {
                assert!(
                    r.why.starts_with("teaching"),
                    "{} differs without a why",
                    r.name
                );
            }
        }
        assert_eq!(
            kafka_ms_if_different("replica.lag.time.max.ms", 10_000),
            Some(30_000)
        );
        assert_eq!(
            kafka_ms_if_different("replica.lag.time.max.ms", 30_000),
            None
        );
        assert_eq!(
            kafka_default_ms("leader.imbalance.check.interval.seconds"),
            Some(300_000)
        );
    }

    #[test]
    fn docs_configuration_md_shows_the_table_as_the_code_has_it() {
        let doc = include_str!("../../../docs/configuration.md");
        assert!(
            doc.contains(&markdown()),
            "docs/configuration.md is out of date; paste this table:\n{}",
            markdown()
        );
    }
}
