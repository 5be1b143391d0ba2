//! Fingerprints of the lab's state, journaled every simulated second, so a replay can prove it
//! passes through the recorded run's states (and say where it stops doing so).

use crate::lab::snapshot::LabSnapshot;

/// How often (simulated ms) the journal records a fingerprint.
pub const CHECK_EVERY_MS: i64 = 1_000;

/// FNV-1a (64 bits) of the snapshot's JSON, without the clock's speed and pause (the viewer's,
/// not the run's): equal states give equal fingerprints on every machine and Rust version.
pub fn fingerprint(snap: &LabSnapshot) -> String {
    let mut snap = snap.clone();
    snap.speed = 0.0;
    snap.paused = false;
    let json = serde_json::to_string(&snap).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_does_not_count_but_the_state_does() {
        let a = LabSnapshot::default();
        let mut b = a.clone();
        b.speed = 8.0;
        b.paused = true;
        assert_eq!(fingerprint(&a), fingerprint(&b));
        b.cluster.now_ms = 1;
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
