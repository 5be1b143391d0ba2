//! The timeline's line for a reset of a group's offsets (`reset lab-group on test to earliest:
//! p0 0, p1 0`), the lab's or one the attached dashboard sent. `text::offsets_reset` says it in
//! the chosen language; `Display` is the English line.

use crate::cluster::group::reset::ResetTo;
use crate::cluster::types::TopicPartition;
use std::fmt;

/// A group's offsets were reset: which, where to, and the offsets committed.
#[derive(Clone, Debug, PartialEq)]
pub struct OffsetsReset {
    /// `group.id`.
    pub group: String,
    /// The topic reset, or none for every topic the group had committed offsets on.
    pub topic: Option<String>,
    /// Where to.
    pub to: ResetTo,
    /// The new committed offsets, in partition order.
    pub offsets: Vec<(TopicPartition, i64)>,
    /// The Kafka request that wrote them, when the dashboard sent it to a real cluster.
    pub request: Option<String>,
}

impl OffsetsReset {
    /// `p0 0, p1 0` for one topic, `a-0 0, b-0 3` across topics, joined by `separator`.
    pub fn offsets_list(&self, separator: &str) -> String {
        self.offsets
            .iter()
            .map(|(tp, offset)| match &self.topic {
                Some(_) => format!("p{} {offset}", tp.partition),
                None => format!("{tp} {offset}"),
            })
            .collect::<Vec<_>>()
            .join(separator)
    }
}

impl fmt::Display for OffsetsReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(request) = &self.request {
            write!(f, "this dashboard sent {request}: ")?;
        }
        let list = self.offsets_list(", ");
        match &self.topic {
            Some(topic) => write!(f, "reset {} on {topic} to {}: {list}", self.group, self.to),
            None => write!(
                f,
                "reset {} on all its topics to {}: {list}",
                self.group, self.to
            ),
        }
    }
}
