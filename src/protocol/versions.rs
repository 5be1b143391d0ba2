//! The API versions the lab serves: only what it implements, inside what `kafka-protocol` codes.
//!
//! Topics are named by id where Kafka does (Metadata 10+, Fetch 13+), and Fetch keeps KIP-227
//! sessions from v7 ([`super::fetch_session`]), so current clients use their newest versions.
//! OffsetCommit 9 / OffsetFetch 8–9 carry KIP-848 member epochs and batched groups.
//! Ranges still stop where the lab lacks the semantics: Produce 12+ needs the KIP-890 part-2
//! transaction protocol (transaction version 2: the producer's epoch bumped at every commit, no
//! AddPartitionsToTxn), ListOffsets 7+ the max-timestamp lookup (and 8–10 the tiered-storage
//! offsets), OffsetCommit/OffsetFetch 10+ topics named by id; clients negotiate down to versions
//! whose semantics the lab has. DescribeTopicPartitions (75) v0 is served, with the ELR and last
//! known ELR (KIP-966) and Kafka's paging.

use kafka_protocol::messages::ApiKey;
use kafka_protocol::messages::api_versions_response::{ApiVersion, ApiVersionsResponse};

/// (API, min version, max version) for every API the lab answers.
pub const SUPPORTED: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 11),
    (ApiKey::Fetch, 4, 17),
    (ApiKey::ListOffsets, 1, 6),
    (ApiKey::Metadata, 1, 13),
    (ApiKey::OffsetCommit, 2, 9),
    (ApiKey::OffsetFetch, 1, 9),
    (ApiKey::FindCoordinator, 0, 4),
    (ApiKey::JoinGroup, 0, 7),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 4),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::DescribeGroups, 0, 5),
    (ApiKey::ListGroups, 0, 5),
    (ApiKey::ApiVersions, 0, 4),
    (ApiKey::CreateTopics, 2, 7),
    (ApiKey::DeleteTopics, 1, 5),
    (ApiKey::InitProducerId, 0, 4),
    (ApiKey::DescribeConfigs, 1, 4),
    (ApiKey::CreatePartitions, 0, 3),
    (ApiKey::IncrementalAlterConfigs, 0, 1),
    (ApiKey::AlterConfigs, 0, 2),
    (ApiKey::AddPartitionsToTxn, 0, 3),
    (ApiKey::AddOffsetsToTxn, 0, 3),
    (ApiKey::TxnOffsetCommit, 0, 3),
    (ApiKey::EndTxn, 0, 3),
    (ApiKey::ConsumerGroupHeartbeat, 0, 1),
    (ApiKey::ConsumerGroupDescribe, 0, 1),
    (ApiKey::DescribeTopicPartitions, 0, 0),
    (ApiKey::OffsetForLeaderEpoch, 2, 4),
];

/// SASL's APIs, listed and served only on a listener with SASL users; the connection answers
/// them itself (`sasl::Authenticator`), never the driver.
pub const SASL: &[(ApiKey, i16, i16)] = &[
    (ApiKey::SaslHandshake, 0, 1),
    (ApiKey::SaslAuthenticate, 0, 2),
];

/// The supported range of `key`, if the lab serves it.
pub fn range(key: ApiKey) -> Option<(i16, i16)> {
    SUPPORTED
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, lo, hi)| (*lo, *hi))
}

/// Whether the lab serves `key` at `version`.
pub fn supports(key: ApiKey, version: i16) -> bool {
    range(key).is_some_and(|(lo, hi)| (lo..=hi).contains(&version))
}

/// Whether a frame of `key` at `version` may be decoded: the driver's APIs and SASL's.
pub fn decodable(key: ApiKey, version: i16) -> bool {
    supports(key, version)
        || SASL
            .iter()
            .any(|(k, lo, hi)| *k == key && (*lo..=*hi).contains(&version))
}

/// The ApiVersions response: every supported API with its range (SASL's too when `sasl`), and
/// `error_code`.
pub fn api_versions_response(error_code: i16, sasl: bool) -> ApiVersionsResponse {
    ApiVersionsResponse::default()
        .with_error_code(error_code)
        .with_api_keys(
            SUPPORTED
                .iter()
                .chain(if sasl { SASL } else { &[] })
                .map(|(k, lo, hi)| {
                    ApiVersion::default()
                        .with_api_key(*k as i16)
                        .with_min_version(*lo)
                        .with_max_version(*hi)
                })
                .collect(),
        )
}
