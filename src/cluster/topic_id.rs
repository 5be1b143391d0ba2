//! `TopicId`: Kafka's 16-byte topic id (KIP-516), made deterministically so a seed replays it.

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A topic's id, as Kafka's `Uuid`: 128 bits, printed in URL-safe base64 without padding.
///
/// Kafka draws ids at random; the lab derives them from the seed, the name and the instant of
/// creation, so a replayed run gives the same ids and a topic deleted and created again gets a new
/// one, as in Kafka.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicId(pub u128);

impl TopicId {
    /// Kafka's `Uuid.ZERO`: "no id" on the wire.
    pub const ZERO: TopicId = TopicId(0);

    /// The id of a topic created at `now_ms` in a lab seeded with `seed` (`salt` tells apart
    /// topics of the same name made at the same instant, e.g. a creation counter).
    pub fn derive(seed: u64, name: &str, now_ms: i64, salt: u64) -> TopicId {
        let mut h = [
            0x6a09_e667_f3bc_c908u64 ^ seed,
            0xbb67_ae85_84ca_a73bu64 ^ salt,
        ];
        for (i, chunk) in name
            .as_bytes()
            .chunks(8)
            .chain(std::iter::once(&now_ms.to_le_bytes()[..]))
            .enumerate()
        {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            let w = u64::from_le_bytes(word) ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            h[i % 2] = splitmix(h[i % 2] ^ w);
            h[(i + 1) % 2] = splitmix(h[(i + 1) % 2] ^ h[i % 2]);
        }
        let mut id = (u128::from(splitmix(h[0])) << 64) | u128::from(splitmix(h[1]));
        // Kafka never hands out ids whose string starts with '-' (it reads like a flag on a command
        // line), nor ZERO or the metadata topic's id 1: the lab keeps those rules. The first base64
        // character is the top 6 bits; '-' is 62.
        if (id >> 122) == 62 {
            id ^= 1u128 << 127;
        }
        if id <= 1 {
            id = 2;
        }
        TopicId(id)
    }

    /// The 16 bytes, most significant first (Kafka's wire order).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    /// Parses Kafka's printed form (22 characters of URL-safe base64).
    pub fn parse(text: &str) -> Option<TopicId> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        let arr: [u8; 16] = bytes.try_into().ok()?;
        Some(TopicId(u128::from_be_bytes(arr)))
    }
}

/// SplitMix64's finaliser: spreads every input bit over the output.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.to_bytes()))
    }
}

impl Serialize for TopicId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TopicId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TopicId::parse(&text).ok_or_else(|| serde::de::Error::custom("not a Kafka topic id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_parses_as_kafka_does() {
        let id = TopicId(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        let text = id.to_string();
        assert_eq!(text.len(), 22);
        assert_eq!(TopicId::parse(&text), Some(id));
        assert_eq!(TopicId::parse("not-an-id"), None);
        // Kafka's Uuid.toString of ZERO.
        assert_eq!(TopicId::ZERO.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
    }

    #[test]
    fn derived_ids_are_stable_distinct_and_never_reserved() {
        let a = TopicId::derive(42, "test", 0, 0);
        assert_eq!(a, TopicId::derive(42, "test", 0, 0));
        assert_ne!(a, TopicId::derive(43, "test", 0, 0));
        assert_ne!(a, TopicId::derive(42, "tesu", 0, 0));
        assert_ne!(a, TopicId::derive(42, "test", 1, 0));
        assert_ne!(a, TopicId::derive(42, "test", 0, 1));
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..5_000u64 {
            let id = TopicId::derive(i, &format!("t{i}"), i as i64, i);
            assert!(id.0 > 1);
            assert!(!id.to_string().starts_with('-'), "{id}");
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn serde_uses_the_printed_form() {
        let id = TopicId::derive(7, "orders", 1_000, 3);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<TopicId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<TopicId>("\"x\"").is_err());
    }
}
