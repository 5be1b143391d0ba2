//! `Profile`: which defaults a lab starts from, and the limits Kafka keeps that the teaching
//! profile relaxes.

use serde::{Deserialize, Serialize};

/// The Kafka release whose defaults and rules the lab follows.
pub const KAFKA_VERSION: &str = "4.1";

/// Kafka 4's smallest `segment.bytes` (1 MiB; KIP-1030 raised it from 14 bytes).
pub const SEGMENT_BYTES_MIN: u64 = 1 << 20;

/// Which defaults a lab starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// Kafka's timers shortened so a room sees ISR changes, rebalances and retention in seconds;
    /// every shortened value is labelled with Kafka's default wherever it appears.
    #[default]
    Teaching,
    /// Kafka 4.1's defaults and limits, everywhere.
    Kafka,
}

impl Profile {
    /// Both profiles, teaching first.
    pub const ALL: [Profile; 2] = [Profile::Teaching, Profile::Kafka];

    /// The name used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Teaching => "teaching",
            Profile::Kafka => "kafka",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown profile {s:?}: expected teaching or kafka"))
    }
}

/// Checks a `segment.bytes` (`name` as the setting is called where it was given) against the
/// profile's limit, with Kafka's own message; the teaching profile allows small segments so
/// retention can delete some within a lesson.
pub fn check_segment_bytes(profile: Profile, name: &str, bytes: u64) -> Result<(), String> {
    if profile == Profile::Kafka && bytes < SEGMENT_BYTES_MIN {
        return Err(format!(
            "Invalid value {bytes} for configuration {name}: Value must be at least {SEGMENT_BYTES_MIN}"
        ));
    }
    if bytes == 0 {
        return Err(format!("{name} must be positive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_by_name_and_refuse_others() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        assert!(
            "fast"
                .parse::<Profile>()
                .unwrap_err()
                .contains("teaching or kafka")
        );
    }
}
