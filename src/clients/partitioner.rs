//! Kafka's default partitioner: murmur2 for keyed records, sticky batches for unkeyed ones.

use rand::Rng;

/// Kafka's `Utils.murmur2` (seed 0x9747b28c), bit for bit, so keys land where Java puts them.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = SEED ^ (len as u32);
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Java's switch falls through from 3 to 2 to 1; bytes are sign-extended then masked.
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition Java's default partitioner picks for a key.
pub fn partition_for_key(key: &[u8], partitions: i32) -> i32 {
    to_positive(murmur2(key)) % partitions.max(1)
}

/// The sticky partitioner for unkeyed records (KIP-480): stay on one partition until a batch is
/// sealed, then move to another at random.
#[derive(Clone, Debug, Default)]
pub struct StickyPartitioner {
    current: Option<i32>,
    previous: Option<i32>,
}

impl StickyPartitioner {
    /// A partitioner with no partition chosen yet.
    pub fn new() -> Self {
        Self {
            current: None,
            previous: None,
        }
    }

    /// The partition for the next unkeyed record: sticky among `available` (partitions with a
    /// leader), or any of `partitions` when none is available.
    pub fn partition(&mut self, available: &[i32], partitions: i32, rng: &mut impl Rng) -> i32 {
        if let Some(p) = self.current
            && p < partitions
            && (available.is_empty() || available.contains(&p))
        {
            return p;
        }
        let choices: Vec<i32> = if available.is_empty() {
            (0..partitions.max(1)).collect()
        } else {
            available.to_vec()
        };
        let others: Vec<i32> = choices
            .iter()
            .copied()
            .filter(|c| Some(*c) != self.previous)
            .collect();
        let pool = if others.is_empty() { &choices } else { &others };
        let p = pool[rng.random_range(0..pool.len())];
        self.current = Some(p);
        p
    }

    /// A batch was sealed: the next record picks a new partition.
    pub fn on_new_batch(&mut self) {
        // Remember the old partition so the next pick differs from it when it can.
        if let Some(p) = self.current.take() {
            self.previous = Some(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn murmur2_matches_kafkas_test_vectors() {
        // From Kafka's UtilsTest.testMurmur2.
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107),
        ];
        for (data, want) in cases {
            assert_eq!(murmur2(data), want, "{:?}", String::from_utf8_lossy(data));
        }
    }

    #[test]
    fn same_key_same_partition() {
        let p = partition_for_key(b"user-42", 6);
        for _ in 0..10 {
            assert_eq!(partition_for_key(b"user-42", 6), p);
        }
        assert!((0..6).contains(&p));
    }

    #[test]
    fn sticky_stays_until_new_batch_then_moves() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut s = StickyPartitioner::new();
        let first = s.partition(&[0, 1, 2], 3, &mut rng);
        for _ in 0..10 {
            assert_eq!(s.partition(&[0, 1, 2], 3, &mut rng), first);
        }
        s.on_new_batch();
        let second = s.partition(&[0, 1, 2], 3, &mut rng);
        assert_ne!(first, second);
    }
}
