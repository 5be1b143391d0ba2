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
    // Streamed into the hash: a large lab's JSON is never held whole.
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = serde_json::to_writer(&mut h, &snap);
    format!("{:016x}", h.0)
}

/// FNV-1a as a byte sink.
struct Fnv(u64);

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for b in buf {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
