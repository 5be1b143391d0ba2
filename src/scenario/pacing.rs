//! How long a caption stays on screen before a chained step may replace it.
//!
//! A room reads slower than one person: the lab gives each caption a fixed moment to be noticed
//! plus time per character, in simulated milliseconds, so a seed replays the same story and the
//! speed keys (`+`/`-`) stretch or shrink the reading time with everything else.

/// Time to notice that the caption changed, before reading starts.
pub const READ_BASE_MS: i64 = 1_500;
/// Reading time per character: about 20 characters a second, read aloud in a room.
pub const READ_MS_PER_CHAR: i64 = 50;
/// No caption holds the lesson longer than this: the lesson files keep captions to two sentences.
pub const READ_MAX_MS: i64 = 8_000;

/// The least time `caption` stays up before a chained step may replace it.
pub fn reading_ms(caption: &str) -> i64 {
    let chars = i64::try_from(caption.chars().count()).unwrap_or(i64::MAX / READ_MS_PER_CHAR);
    READ_BASE_MS
        .saturating_add(chars.saturating_mul(READ_MS_PER_CHAR))
        .min(READ_MAX_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_captions_stay_up_longer_up_to_the_cap() {
        assert_eq!(reading_ms("Back in sync."), 1_500 + 13 * 50);
        let sentence = "Two seconds later test-0's leader is still recorded as broker 1.";
        assert!(reading_ms(sentence) > reading_ms("Back in sync."));
        assert_eq!(reading_ms(&"x".repeat(10_000)), READ_MAX_MS);
        assert_eq!(reading_ms(""), READ_BASE_MS);
    }
}
