//! The reset-offsets dialog (`o` on a group): where to (`earliest`, `latest`, a time, a duration
//! ago) and which topic, checked against the newest snapshot before the confirmation asks.

use crate::cluster::group::reset::{ResetTo, is_inactive};
use crate::cluster::snapshot::GroupState;
use crate::lab::LabSnapshot;
use crate::lab::command::{Command, CommandError};
use crate::text::{text, text_with};

/// The topic field's word for "every topic the group committed offsets for".
pub const ALL_TOPICS: &str = "*";

/// Parses the dialog's `to` field: `earliest`, `latest`, a UTC time (`2026-12-01T10:00:00`, with
/// optional seconds, fraction and `Z` or offset) or a duration ago (`-10m`, `-1h30m`, `-2d`).
pub fn parse_to(input: &str) -> Result<ResetTo, String> {
    let s = input.trim();
    let bad = || text_with("dialog.error_reset_to", &[("value", &format!("{s:?}"))]);
    match s.to_ascii_lowercase().as_str() {
        "earliest" => return Ok(ResetTo::Earliest),
        "latest" => return Ok(ResetTo::Latest),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix('-') {
        return duration_ms(rest).map(ResetTo::Ago).ok_or_else(bad);
    }
    timestamp_ms(s).map(ResetTo::Timestamp).ok_or_else(bad)
}

/// `10m`, `1h30m`, `45s`, `2d` as ms; none for anything else (or nothing at all).
fn duration_ms(s: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400_000,
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => return None,
        };
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    (digits.is_empty() && total > 0).then_some(total)
}

/// A time as ms since the Unix epoch: RFC 3339 with a zone, or without one read as UTC.
fn timestamp_ms(s: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp_millis())
}

/// Kafka's refusal for a group with active members, or none when it may be reset.
pub fn live_group_refusal(snap: &LabSnapshot, group: &str) -> Option<String> {
    let state = snap
        .groups
        .iter()
        .find(|g| g.group_id == group)
        .map_or(GroupState::Dead, |g| g.state);
    (!is_inactive(state)).then(|| {
        crate::text::error::command_error(&CommandError::GroupNotInactive {
            group: group.to_string(),
            state: state.to_string(),
        })
    })
}

/// The reset command of the dialog's fields, or what is wrong with them.
pub fn reset_command(
    snap: &LabSnapshot,
    group: &str,
    topic: &str,
    to: &str,
) -> Result<Command, String> {
    if group.is_empty() {
        return Err(crate::text::error::spec_error(
            &crate::cluster::refusal::SpecError::EmptyGroup,
        ));
    }
    if let Some(refusal) = live_group_refusal(snap, group) {
        return Err(refusal);
    }
    let topic = match topic {
        "" | ALL_TOPICS => None,
        t if snap.topics.iter().any(|x| x.name == t) => Some(t.to_string()),
        t => return Err(text_with("dialog.error_no_topic", &[("topic", t)])),
    };
    Ok(Command::ResetOffsets {
        group: group.to_string(),
        topic,
        to: parse_to(to)?,
    })
}

/// How the confirmation names the topic: its name, or "all its topics".
pub fn topic_words(topic: Option<&str>) -> String {
    topic.map_or_else(|| text("confirm.all_topics").to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::snapshot::{GroupSnapshot, TopicSnapshot};

    #[test]
    fn to_reads_kafka_words_times_and_durations_ago() {
        assert_eq!(parse_to("earliest"), Ok(ResetTo::Earliest));
        assert_eq!(parse_to(" Latest "), Ok(ResetTo::Latest));
        assert_eq!(
            parse_to("2026-12-01T10:00:00"),
            Ok(ResetTo::Timestamp(1_796_119_200_000))
        );
        assert_eq!(
            parse_to("2026-12-01T10:00"),
            Ok(ResetTo::Timestamp(1_796_119_200_000))
        );
        assert_eq!(
            parse_to("2026-12-01T11:00:00.250+01:00"),
            Ok(ResetTo::Timestamp(1_796_119_200_250))
        );
        assert_eq!(parse_to("-10m"), Ok(ResetTo::Ago(600_000)));
        assert_eq!(parse_to("-1h30m"), Ok(ResetTo::Ago(5_400_000)));
        assert_eq!(parse_to("-2d"), Ok(ResetTo::Ago(172_800_000)));
        for bad in [
            "",
            "-",
            "-10",
            "-10x",
            "-0m",
            "soon",
            "2026-13-01T10:00:00",
            "10m",
        ] {
            let e = parse_to(bad).expect_err(bad);
            assert!(e.starts_with("to: earliest, latest"), "{bad}: {e}");
        }
    }

    fn snap(state: GroupState) -> LabSnapshot {
        let mut s = LabSnapshot::default();
        s.cluster.topics.push(TopicSnapshot {
            name: "test".into(),
            partitions: 2,
            replication_factor: 3,
            min_insync_replicas: 1,
            internal: false,
            topic_id: Default::default(),
        });
        s.cluster.groups.push(GroupSnapshot {
            group_id: "lab-group".into(),
            state,
            generation: 1,
            assignor: None,
            coordinator: Some(1),
            leader_member: None,
            members: Vec::new(),
            partitions: Vec::new(),
            rebalance: None,
            protocol: "classic".into(),
            lag_history: Vec::new(),
        });
        s
    }

    #[test]
    fn a_live_group_is_refused_in_kafkas_words_before_anything_is_sent() {
        let e = reset_command(&snap(GroupState::Stable), "lab-group", "test", "earliest")
            .expect_err("live");
        assert_eq!(
            e,
            "Assignments can only be reset if the group 'lab-group' is inactive, but the current state is Stable."
        );
        assert!(live_group_refusal(&snap(GroupState::Reconciling), "lab-group").is_some());
        assert!(live_group_refusal(&snap(GroupState::Empty), "lab-group").is_none());
        // A group the cluster does not know is Dead: Kafka resets it.
        assert!(live_group_refusal(&snap(GroupState::Stable), "other").is_none());
    }

    #[test]
    fn an_empty_group_builds_the_command_for_one_topic_or_all() {
        let s = snap(GroupState::Empty);
        assert_eq!(
            reset_command(&s, "lab-group", "test", "-10m"),
            Ok(Command::ResetOffsets {
                group: "lab-group".into(),
                topic: Some("test".into()),
                to: ResetTo::Ago(600_000),
            })
        );
        assert_eq!(
            reset_command(&s, "lab-group", "*", "latest"),
            Ok(Command::ResetOffsets {
                group: "lab-group".into(),
                topic: None,
                to: ResetTo::Latest,
            })
        );
        assert!(reset_command(&s, "lab-group", "nope", "latest").is_err());
        assert!(reset_command(&s, "", "test", "latest").is_err());
    }
}
