//! What a poll does without an API the cluster does not serve. A Kafka-compatible peer (tansu,
//! Redpanda, an old Kafka) may leave out DescribeLogDirs, answer OffsetFetch only one group at a
//! time, or answer a request with UNSUPPORTED_VERSION: the poll goes on with what it gets, the
//! view marks what is missing (sizes read `-`), and the timeline names each missing API once,
//! with Kafka's error, until the cluster serves it again. Pure: versions and error codes in,
//! decisions out, so every decision is tested without a network.

use super::session::{Versions, error_name};
use crate::cluster::event::{EventKind, NoteText};
use kafka_protocol::messages::ApiKey;
use std::collections::BTreeMap;

/// Kafka's error for an API or version a broker does not serve.
pub const UNSUPPORTED_VERSION: &str = "UNSUPPORTED_VERSION";

/// An API the poll went without this cycle, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Missing {
    /// The Kafka API's name (`DescribeLogDirs`).
    pub api: &'static str,
    /// Kafka's error (`UNSUPPORTED_VERSION`, `UNKNOWN_SERVER_ERROR`).
    pub error: String,
}

impl Missing {
    /// `api` missing with Kafka's name for `code`.
    pub fn code(api: &'static str, code: i16) -> Self {
        Self {
            api,
            error: error_name(code),
        }
    }
}

/// The poll's optional APIs and the version range kafka-lab speaks for each: the poll shows
/// less without them, but does not stop.
pub const OPTIONAL: [(ApiKey, &str, i16, i16); 5] = [
    (ApiKey::ListOffsets, "ListOffsets", 1, 6),
    (ApiKey::DescribeLogDirs, "DescribeLogDirs", 1, 4),
    (ApiKey::ListGroups, "ListGroups", 0, 4),
    (ApiKey::DescribeGroups, "DescribeGroups", 0, 5),
    (ApiKey::OffsetFetch, "OffsetFetch", 1, 8),
];

/// The optional APIs the cluster does not offer at a version kafka-lab speaks.
pub fn unserved(versions: &Versions) -> Vec<Missing> {
    OPTIONAL
        .iter()
        .filter(|(key, _, min, max)| versions.pick(*key, *min, *max).is_none())
        .map(|(_, api, _, _)| Missing {
            api,
            error: UNSUPPORTED_VERSION.into(),
        })
        .collect()
}

/// Whether an error code in an answer says the broker cannot serve the request at all (so the
/// API is missing), rather than that something is briefly not ready (a coordinator loading, a
/// leader moving), which the next poll retries without a note.
pub fn is_capability_error(code: i16) -> bool {
    // UNKNOWN_SERVER_ERROR (-1), UNSUPPORTED_VERSION (35), INVALID_REQUEST (42),
    // UNSUPPORTED_FOR_MESSAGE_FORMAT (43), UNSUPPORTED_COMPRESSION_TYPE (76) never heal by
    // retrying the same request.
    matches!(code, -1 | 35 | 42 | 43 | 76)
}

/// Whether sizes are known this poll: DescribeLogDirs answered.
pub fn sizes_known(missing: &[Missing]) -> bool {
    !missing.iter().any(|m| m.api == "DescribeLogDirs")
}

/// The missing APIs already named on the timeline: at most one entry per optional API (plus
/// Metadata's controller), forgotten when the cluster serves it again.
#[derive(Clone, Debug, Default)]
pub struct Degraded {
    said: BTreeMap<&'static str, String>,
}

impl Degraded {
    /// The notes for APIs missing this poll that were not missing the poll before; an API
    /// served again is forgotten, so a later failure is told again.
    pub fn observe(&mut self, missing: &[Missing]) -> Vec<EventKind> {
        let mut out = Vec::new();
        self.said
            .retain(|api, _| missing.iter().any(|m| m.api == *api));
        for m in missing {
            if self.said.contains_key(m.api) {
                continue;
            }
            self.said.insert(m.api, m.error.clone());
            out.push(EventKind::Note {
                text: NoteText::AttachMissing {
                    api: m.api.into(),
                    error: m.error.clone(),
                },
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_but(left_out: &[ApiKey]) -> Versions {
        Versions::new(
            OPTIONAL
                .iter()
                .filter(|(k, ..)| !left_out.contains(k))
                .map(|(k, _, min, max)| (*k as i16, *min, *max)),
        )
    }

    #[test]
    fn an_api_the_cluster_leaves_out_of_api_versions_is_missing() {
        assert_eq!(unserved(&all_but(&[])), Vec::new());
        let m = unserved(&all_but(&[ApiKey::DescribeLogDirs]));
        assert_eq!(
            m,
            vec![Missing {
                api: "DescribeLogDirs",
                error: "UNSUPPORTED_VERSION".into()
            }]
        );
        assert!(!sizes_known(&m));
        assert!(sizes_known(&unserved(&all_but(&[ApiKey::OffsetFetch]))));
        // Offered, but only at versions kafka-lab does not speak: missing too.
        let old = Versions::new([(ApiKey::ListOffsets as i16, 0, 0)]);
        assert!(unserved(&old).iter().any(|m| m.api == "ListOffsets"));
    }

    #[test]
    fn only_errors_that_never_heal_mark_an_api_missing() {
        for code in [-1, 35, 42] {
            assert!(is_capability_error(code), "{code}");
        }
        // COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, NOT_LEADER_OR_FOLLOWER: retried.
        for code in [0, 14, 16, 6] {
            assert!(!is_capability_error(code), "{code}");
        }
        assert_eq!(
            Missing::code("OffsetFetch", 35).error,
            "UNSUPPORTED_VERSION"
        );
    }

    #[test]
    fn the_snapshot_marks_sizes_unknown_and_carries_topic_ids() {
        use crate::attach::build::Builder;
        use crate::attach::poll::{PartitionView, View};
        let mut view = View {
            partitions: vec![PartitionView {
                tp: crate::cluster::types::TopicPartition::new("t", 0),
                leader: Some(1),
                leader_epoch: 0,
                replicas: vec![1],
                isr: vec![1],
                offline: Vec::new(),
                log_start_offset: Some(0),
                high_watermark: Some(5),
            }],
            topic_ids: [("t".to_string(), 42)].into(),
            ..View::default()
        };
        let snap = Builder::default().build(&view, 0, Default::default());
        assert!(!snap.sizes_unknown());
        assert_eq!(snap.cluster.topics[0].topic_id.0, 42);
        view.missing = vec![Missing::code("DescribeLogDirs", 35)];
        assert!(
            Builder::default()
                .build(&view, 0, Default::default())
                .sizes_unknown()
        );
    }

    #[test]
    fn each_missing_api_is_told_once_until_it_is_served_again() {
        let mut d = Degraded::default();
        let logdirs = Missing::code("DescribeLogDirs", 35);
        let fetch = Missing::code("OffsetFetch", -1);
        let said = |kinds: Vec<EventKind>| -> Vec<String> {
            kinds.iter().map(|k| k.to_string()).collect()
        };
        let first = said(d.observe(std::slice::from_ref(&logdirs)));
        assert_eq!(first.len(), 1);
        assert!(
            first[0].contains("DescribeLogDirs") && first[0].contains("UNSUPPORTED_VERSION"),
            "{first:?}"
        );
        for _ in 0..5 {
            assert!(d.observe(std::slice::from_ref(&logdirs)).is_empty());
        }
        let both = said(d.observe(&[logdirs.clone(), fetch.clone()]));
        assert_eq!(both.len(), 1, "only the new one: {both:?}");
        assert!(both[0].contains("OffsetFetch") && both[0].contains("UNKNOWN_SERVER_ERROR"));
        // Served again, then missing again: told again.
        assert!(d.observe(std::slice::from_ref(&fetch)).is_empty());
        assert_eq!(d.observe(&[logdirs, fetch]).len(), 1);
    }
}
