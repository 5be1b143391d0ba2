//! The cluster's reason codes and timeline categories in the chosen language: the cluster names
//! *which* reason (it cannot reach the catalogue, being below it); this says it from `[reason]`
//! and `[category]`. English is the codes' own `Display`, and a test keeps `en.toml` equal to it.

use super::{Lang, fill, text_in};
use crate::cluster::event::{
    ElectionReason, EventCategory, ProduceError, RebalanceReason, RemovalReason, TruncationReason,
};

/// Fills `key`'s template in `lang` with `args`.
fn say(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    fill(text_in(lang, key), args)
}

/// Why a partition got a new leader, in `lang`.
pub fn election_in(lang: Lang, r: &ElectionReason) -> String {
    match r {
        ElectionReason::LeaderUnavailable { leader } => say(
            lang,
            "reason.leader_unavailable",
            &[("leader", &leader.to_string())],
        ),
        ElectionReason::NewPartition => say(lang, "reason.new_partition", &[]),
        ElectionReason::BackOnline => say(lang, "reason.back_online", &[]),
        ElectionReason::Unclean => say(lang, "reason.unclean", &[]),
        ElectionReason::PreferredLeader => say(lang, "reason.preferred_leader", &[]),
    }
}

/// Why a group rebalanced (or became Empty), in `lang`.
pub fn rebalance_in(lang: Lang, r: &RebalanceReason) -> String {
    let key = match r {
        RebalanceReason::JoinedEmptyGroup { .. } => "reason.joined_empty_group",
        RebalanceReason::Joined { .. } => "reason.joined",
        RebalanceReason::Rejoined { .. } => "reason.rejoined",
        RebalanceReason::Left { .. } => "reason.left",
        RebalanceReason::SessionExpired { .. } => "reason.session_expired",
    };
    let why = say(lang, key, &[("member", r.member())]);
    if r.group_empty() {
        say(lang, "reason.group_now_empty", &[("reason", &why)])
    } else {
        why
    }
}

/// Why a member was removed from its group, in `lang`.
pub fn removal_in(lang: Lang, r: &RemovalReason) -> String {
    match r {
        RemovalReason::LeaveGroup => say(lang, "reason.leave_group", &[]),
        RemovalReason::SessionTimeout { session_timeout_ms } => say(
            lang,
            "reason.session_timeout",
            &[("session", &session_timeout_ms.to_string())],
        ),
        RemovalReason::RebalanceTimeout => say(lang, "reason.rebalance_timeout", &[]),
        RemovalReason::NoLongerListed => say(lang, "reason.no_longer_listed", &[]),
        RemovalReason::ConsumerSessionTimeout { session_timeout_ms } => say(
            lang,
            "reason.consumer_session_timeout",
            &[("session", &session_timeout_ms.to_string())],
        ),
        RemovalReason::RevocationTimeout => say(lang, "reason.revocation_timeout", &[]),
        RemovalReason::Replaced => say(lang, "reason.static_replaced", &[]),
    }
}

/// Why a replica's log lost its tail, in `lang`.
pub fn truncation_in(lang: Lang, r: &TruncationReason) -> String {
    match r {
        TruncationReason::DivergentTail { leader_epoch } => say(
            lang,
            "reason.divergent_tail",
            &[("epoch", &leader_epoch.to_string())],
        ),
        TruncationReason::Recovery { bytes } => {
            say(lang, "reason.recovery", &[("bytes", &bytes.to_string())])
        }
    }
}

/// A failed produce: Kafka's error name as Kafka spells it, the words around it in `lang`.
pub fn produce_error_in(lang: Lang, e: &ProduceError) -> String {
    if let Some(ms) = e.expired_after_ms {
        say(lang, "reason.delivery_timeout", &[("ms", &ms.to_string())])
    } else if e.retrying {
        say(lang, "reason.retrying", &[("error", &e.error.to_string())])
    } else {
        e.error.to_string()
    }
}

/// A timeline category's label (`election`, `rebalance`) in `lang`.
pub fn category_in(lang: Lang, c: EventCategory) -> &'static str {
    text_in(
        lang,
        match c {
            EventCategory::Election => "category.election",
            EventCategory::Isr => "category.isr",
            EventCategory::Rebalance => "category.rebalance",
            EventCategory::Commit => "category.commit",
            EventCategory::Fault => "category.fault",
            EventCategory::Log => "category.log",
            EventCategory::Info => "category.info",
        },
    )
}

/// A timeline category's label in the language in force.
pub fn category(c: EventCategory) -> &'static str {
    category_in(super::lang(), c)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cluster::KafkaError;

    pub(crate) fn elections() -> Vec<ElectionReason> {
        vec![
            ElectionReason::LeaderUnavailable { leader: 1 },
            ElectionReason::NewPartition,
            ElectionReason::BackOnline,
            ElectionReason::Unclean,
            ElectionReason::PreferredLeader,
        ]
    }

    pub(crate) fn rebalances() -> Vec<RebalanceReason> {
        let m = || "consumer-A-0001".to_string();
        let mut v = vec![
            RebalanceReason::JoinedEmptyGroup { member: m() },
            RebalanceReason::Joined { member: m() },
            RebalanceReason::Rejoined { member: m() },
        ];
        for group_empty in [false, true] {
            v.push(RebalanceReason::Left {
                member: m(),
                group_empty,
            });
            v.push(RebalanceReason::SessionExpired {
                member: m(),
                group_empty,
            });
        }
        v
    }

    pub(crate) fn removals() -> Vec<RemovalReason> {
        vec![
            RemovalReason::LeaveGroup,
            RemovalReason::SessionTimeout {
                session_timeout_ms: 10_000,
            },
            RemovalReason::RebalanceTimeout,
            RemovalReason::NoLongerListed,
            RemovalReason::ConsumerSessionTimeout {
                session_timeout_ms: 45_000,
            },
            RemovalReason::RevocationTimeout,
            RemovalReason::Replaced,
        ]
    }

    pub(crate) fn truncations() -> Vec<TruncationReason> {
        vec![
            TruncationReason::DivergentTail { leader_epoch: 4 },
            TruncationReason::Recovery { bytes: 120 },
        ]
    }

    /// Every reason in `lang`, paired with its English `Display`.
    pub(crate) fn all_in(lang: Lang) -> Vec<(String, String)> {
        let mut out = Vec::new();
        out.extend(
            elections()
                .iter()
                .map(|r| (election_in(lang, r), r.to_string())),
        );
        out.extend(
            rebalances()
                .iter()
                .map(|r| (rebalance_in(lang, r), r.to_string())),
        );
        out.extend(
            removals()
                .iter()
                .map(|r| (removal_in(lang, r), r.to_string())),
        );
        out.extend(
            truncations()
                .iter()
                .map(|r| (truncation_in(lang, r), r.to_string())),
        );
        let e = ProduceError {
            error: KafkaError::NotEnoughReplicas,
            retrying: true,
            expired_after_ms: None,
        };
        out.push((produce_error_in(lang, &e), e.to_string()));
        let expired = ProduceError {
            error: KafkaError::RequestTimedOut,
            retrying: false,
            expired_after_ms: Some(120_000),
        };
        out.push((produce_error_in(lang, &expired), expired.to_string()));
        out
    }

    #[test]
    fn english_catalogue_says_what_display_says() {
        for (line, display) in all_in(Lang::En) {
            assert_eq!(line, display);
        }
        for c in EventCategory::ALL {
            assert_eq!(category_in(Lang::En, c), c.label());
        }
    }

    #[test]
    fn every_reason_and_category_is_chinese_with_only_kafka_words_in_latin() {
        for (line, display) in all_in(Lang::Zh) {
            assert_ne!(line, display, "{line} is not translated");
            super::super::tests::assert_chinese(&line);
        }
        for c in EventCategory::ALL {
            super::super::tests::assert_chinese(category_in(Lang::Zh, c));
        }
    }
}
