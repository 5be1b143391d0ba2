//! The KIP-848 member's decisions that need no network (Kafka's `ConsumerMembershipManager`):
//! what an assignment from the coordinator revokes and adds, and what each
//! ConsumerGroupHeartbeat or OffsetCommit error tells the member to do next.

use crate::cluster::types::TopicPartition;
use kafka_protocol::ResponseError;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The member epoch that joins (or rejoins after being fenced) with nothing owned.
pub const JOIN_MEMBER_EPOCH: i32 = 0;
/// The member epoch that leaves the group (the coordinator moves its partitions at once).
pub const LEAVE_MEMBER_EPOCH: i32 = -1;
/// The member epoch a static member (`group.instance.id`) leaves with: it keeps its
/// partitions until its session expires, so a restart within it takes them back.
pub const LEAVE_STATIC_MEMBER_EPOCH: i32 = -2;

/// How an assignment changes what the member owns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Owned partitions the assignment no longer lists: commit, stop fetching, report them gone.
    pub revoked: Vec<TopicPartition>,
    /// Listed partitions not owned yet: find their positions and start fetching.
    pub added: Vec<TopicPartition>,
    /// What the member owns once done (sorted), reported on the next heartbeat.
    pub owned: Vec<TopicPartition>,
    /// Topic ids Metadata could not name yet: asked again, their partitions taken later.
    pub unresolved: Vec<Uuid>,
}

impl Reconciliation {
    /// Whether anything changed (the next heartbeat goes at once to acknowledge it).
    pub fn changed(&self) -> bool {
        !self.revoked.is_empty() || !self.added.is_empty()
    }
}

/// Reconciles `assignment` (topic id → partitions, as ConsumerGroupHeartbeat sends it) with
/// what the member `owned`, naming topics through `names`. A partition whose topic id is not
/// known yet is neither revoked nor added: Kafka's member waits for Metadata to name it.
pub fn reconcile(
    owned: &[TopicPartition],
    assignment: &[(Uuid, Vec<i32>)],
    names: &BTreeMap<Uuid, String>,
) -> Reconciliation {
    let mut target: Vec<TopicPartition> = Vec::new();
    let mut unresolved: Vec<Uuid> = Vec::new();
    for (id, partitions) in assignment {
        match names.get(id) {
            Some(name) => target.extend(
                partitions
                    .iter()
                    .map(|p| TopicPartition::new(name.clone(), *p)),
            ),
            None => unresolved.push(*id),
        }
    }
    // Owned partitions of a topic still unnamed stay until it is named (not revoked blindly).
    let pending =
        |tp: &TopicPartition| !names.values().any(|n| *n == tp.topic) && !unresolved.is_empty();
    target.sort();
    target.dedup();
    let revoked: Vec<TopicPartition> = owned
        .iter()
        .filter(|tp| !target.contains(tp) && !pending(tp))
        .cloned()
        .collect();
    let added: Vec<TopicPartition> = target
        .iter()
        .filter(|tp| !owned.contains(tp))
        .cloned()
        .collect();
    let mut now_owned: Vec<TopicPartition> = owned
        .iter()
        .filter(|tp| !revoked.contains(tp))
        .chain(&added)
        .cloned()
        .collect();
    now_owned.sort();
    now_owned.dedup();
    Reconciliation {
        revoked,
        added,
        owned: now_owned,
        unresolved,
    }
}

/// What the member does after a ConsumerGroupHeartbeat error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeartbeatStep {
    /// Its partitions are lost (no commit: another member may own them already); join again
    /// at epoch 0 with the same member id (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID).
    Rejoin,
    /// Find the coordinator again (it moved, or is not available).
    Rediscover,
    /// Send the heartbeat again after the backoff.
    Retry,
    /// Stop: the member cannot go on (an unsupported assignor, an invalid request, the group
    /// full or a classic group, an authorization error...).
    Fatal,
}

/// What Kafka's `ConsumerHeartbeatRequestManager` does on `code`.
pub fn heartbeat_step(code: i16) -> HeartbeatStep {
    let Some(error) = ResponseError::try_from_code(code) else {
        return HeartbeatStep::Retry;
    };
    match error {
        ResponseError::FencedMemberEpoch | ResponseError::UnknownMemberId => HeartbeatStep::Rejoin,
        ResponseError::NotCoordinator | ResponseError::CoordinatorNotAvailable => {
            HeartbeatStep::Rediscover
        }
        ResponseError::CoordinatorLoadInProgress => HeartbeatStep::Retry,
        ResponseError::UnsupportedAssignor
        | ResponseError::InvalidRequest
        | ResponseError::GroupMaxSizeReached
        | ResponseError::UnreleasedInstanceId
        | ResponseError::FencedInstanceId
        | ResponseError::UnsupportedVersion
        | ResponseError::GroupIdNotFound => HeartbeatStep::Fatal,
        e if e.is_retriable() => HeartbeatStep::Retry,
        _ => HeartbeatStep::Fatal,
    }
}

/// What the member does after an OffsetCommit error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitStep {
    /// Commit the same offsets again with the epoch the next heartbeat brings
    /// (STALE_MEMBER_EPOCH: the coordinator moved the member on since it sent this one).
    RetryWithNewEpoch,
    /// The member was fenced or forgotten: its heartbeat rejoins it; these offsets are dropped.
    Rejoin,
    /// Find the coordinator again, then commit.
    Rediscover,
    /// Say so on the timeline and commit again at the next interval.
    Report,
}

/// What Kafka's `CommitRequestManager` does on `code` from a KIP-848 member's OffsetCommit.
pub fn commit_step(code: i16) -> CommitStep {
    match ResponseError::try_from_code(code) {
        Some(ResponseError::StaleMemberEpoch) => CommitStep::RetryWithNewEpoch,
        Some(ResponseError::FencedMemberEpoch | ResponseError::UnknownMemberId) => {
            CommitStep::Rejoin
        }
        Some(ResponseError::NotCoordinator | ResponseError::CoordinatorNotAvailable) => {
            CommitStep::Rediscover
        }
        _ => CommitStep::Report,
    }
}

/// A member id as Kafka 4 clients make one (ConsumerGroupHeartbeat v1, KIP-1082): a random
/// version-4 UUID in Kafka's text form, 22 characters of URL-safe base64 without padding,
/// drawn again when it would start with `-` (Kafka's `Uuid.randomUuid` avoids those, as a
/// command line takes them for options).
pub fn member_id(mut random: impl FnMut() -> u128) -> String {
    use base64::Engine;
    loop {
        let mut bytes = random().to_be_bytes();
        // RFC 4122 version 4, variant 10: what Java's `UUID.randomUUID` sets.
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if !id.starts_with('-') {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(topic: &str, p: i32) -> TopicPartition {
        TopicPartition::new(topic, p)
    }

    fn names() -> BTreeMap<Uuid, String> {
        BTreeMap::from([
            (Uuid::from_u128(1), "a".to_string()),
            (Uuid::from_u128(2), "b".to_string()),
        ])
    }

    #[test]
    fn an_assignment_revokes_what_it_no_longer_lists_and_adds_the_rest() {
        let owned = vec![tp("a", 0), tp("a", 1)];
        let r = reconcile(
            &owned,
            &[
                (Uuid::from_u128(1), vec![1, 2]),
                (Uuid::from_u128(2), vec![0]),
            ],
            &names(),
        );
        assert_eq!(r.revoked, vec![tp("a", 0)]);
        assert_eq!(r.added, vec![tp("a", 2), tp("b", 0)]);
        assert_eq!(r.owned, vec![tp("a", 1), tp("a", 2), tp("b", 0)]);
        assert!(r.changed() && r.unresolved.is_empty());
        // The same assignment again changes nothing.
        let again = reconcile(
            &r.owned,
            &[
                (Uuid::from_u128(1), vec![1, 2]),
                (Uuid::from_u128(2), vec![0]),
            ],
            &names(),
        );
        assert!(!again.changed(), "{again:?}");
        // An empty assignment revokes everything.
        let none = reconcile(&owned, &[], &names());
        assert_eq!(none.revoked, owned);
        assert!(none.owned.is_empty());
    }

    #[test]
    fn a_topic_id_metadata_has_not_named_yet_waits() {
        let owned = vec![tp("c", 0)];
        let r = reconcile(
            &owned,
            &[(Uuid::from_u128(1), vec![0]), (Uuid::from_u128(9), vec![0])],
            &names(),
        );
        assert_eq!(r.unresolved, vec![Uuid::from_u128(9)]);
        assert_eq!(r.added, vec![tp("a", 0)]);
        // `c` may be the unnamed topic: it is kept until Metadata names it.
        assert!(r.revoked.is_empty(), "{r:?}");
        assert_eq!(r.owned, vec![tp("a", 0), tp("c", 0)]);
    }

    #[test]
    fn heartbeat_errors_rejoin_rediscover_retry_or_stop() {
        // FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID: rejoin at epoch 0, partitions lost.
        assert_eq!(heartbeat_step(110), HeartbeatStep::Rejoin);
        assert_eq!(heartbeat_step(25), HeartbeatStep::Rejoin);
        assert_eq!(heartbeat_step(16), HeartbeatStep::Rediscover);
        assert_eq!(heartbeat_step(15), HeartbeatStep::Rediscover);
        assert_eq!(heartbeat_step(14), HeartbeatStep::Retry);
        // REQUEST_TIMED_OUT is retriable.
        assert_eq!(heartbeat_step(7), HeartbeatStep::Retry);
        // UNSUPPORTED_ASSIGNOR, INVALID_REQUEST, GROUP_ID_NOT_FOUND (a classic group), auth.
        assert_eq!(heartbeat_step(112), HeartbeatStep::Fatal);
        assert_eq!(heartbeat_step(42), HeartbeatStep::Fatal);
        assert_eq!(heartbeat_step(69), HeartbeatStep::Fatal);
        assert_eq!(heartbeat_step(30), HeartbeatStep::Fatal);
    }

    #[test]
    fn a_stale_epoch_commit_waits_for_the_next_epoch_and_a_fenced_one_rejoins() {
        assert_eq!(commit_step(113), CommitStep::RetryWithNewEpoch);
        assert_eq!(commit_step(110), CommitStep::Rejoin);
        assert_eq!(commit_step(25), CommitStep::Rejoin);
        assert_eq!(commit_step(16), CommitStep::Rediscover);
        assert_eq!(commit_step(12), CommitStep::Report);
    }

    #[test]
    fn member_ids_are_kafkas_uuid_text_and_never_start_with_a_dash() {
        let id = member_id(|| 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        assert_eq!(id.len(), 22);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{id}"
        );
        // A first byte 0xF8 encodes as '-': that draw is thrown away for the next one.
        let mut draws = [0xf8u128 << 120, 7].into_iter();
        let redrawn = member_id(|| draws.next().unwrap_or(7));
        assert_eq!(redrawn, member_id(|| 7));
        assert!(!redrawn.starts_with('-'), "{redrawn}");
    }
}
