//! Kafka's partitioners: murmur2 for keyed records and the uniform sticky partitioner for
//! unkeyed ones (the built-in default), or `RoundRobinPartitioner` for every record.

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

/// Kafka's built-in partitioner for unkeyed records (KIP-794, the uniform sticky partitioner):
/// stay on one partition until `batch.size` bytes were produced to it, then switch, picking the
/// next partition with weights that favour short queues (`partitioner.adaptive.partitioning.enable`,
/// true by default), so a slow broker gets fewer records rather than more, as KIP-480's
/// switch-on-every-new-batch did.
#[derive(Clone, Debug, Default)]
pub struct UniformSticky {
    current: Option<i32>,
    produced_bytes: usize,
}

/// A partition's place in the adaptive choice: its id and how many batches wait in its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLoad {
    /// The partition.
    pub partition: i32,
    /// Batches not yet sent to it (Kafka's deque length in the record accumulator).
    pub queued_batches: usize,
}

impl UniformSticky {
    /// A partitioner with no partition chosen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partition the next unkeyed record goes to. `available` are the partitions with a
    /// leader and their queues; when none has one, any of `partitions` is picked.
    pub fn partition(
        &mut self,
        available: &[QueueLoad],
        partitions: i32,
        rng: &mut impl Rng,
    ) -> i32 {
        if let Some(p) = self.current
            && p < partitions
            && (available.is_empty() || available.iter().any(|a| a.partition == p))
        {
            return p;
        }
        // The sticky partition lost its leader (or the topic shrank): move on now, as the
        // lab's producer learns of it from its metadata refresh.
        self.switch(available, partitions, rng)
    }

    /// `bytes` were appended to the sticky partition: after `batch_size` bytes the next record
    /// goes elsewhere (Kafka's `BuiltInPartitioner.updatePartitionInfo`).
    pub fn on_append(
        &mut self,
        bytes: usize,
        batch_size: usize,
        available: &[QueueLoad],
        partitions: i32,
        rng: &mut impl Rng,
    ) {
        self.produced_bytes += bytes;
        if self.produced_bytes >= batch_size.max(1) {
            self.switch(available, partitions, rng);
        }
    }

    /// The partition currently stuck to, if one was chosen.
    pub fn current(&self) -> Option<i32> {
        self.current
    }

    fn switch(&mut self, available: &[QueueLoad], partitions: i32, rng: &mut impl Rng) -> i32 {
        let p = next_partition(available, partitions, rng);
        self.current = Some(p);
        self.produced_bytes = 0;
        p
    }
}

/// Kafka's `BuiltInPartitioner.nextPartition`: uniform among available partitions when their
/// queues are equal, else weighted by `longest queue + 1 - queue`, so shorter queues win more.
/// It may pick the partition it leaves, as Kafka's does.
fn next_partition(available: &[QueueLoad], partitions: i32, rng: &mut impl Rng) -> i32 {
    if available.is_empty() {
        return rng.random_range(0..partitions.max(1));
    }
    let longest = available
        .iter()
        .map(|a| a.queued_batches)
        .max()
        .unwrap_or(0);
    let shortest = available
        .iter()
        .map(|a| a.queued_batches)
        .min()
        .unwrap_or(0);
    if longest == shortest {
        return available[rng.random_range(0..available.len())].partition;
    }
    let weights: Vec<usize> = available
        .iter()
        .map(|a| longest + 1 - a.queued_batches)
        .collect();
    let total: usize = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    for (a, w) in available.iter().zip(&weights) {
        if pick < *w {
            return a.partition;
        }
        pick -= w;
    }
    available[available.len() - 1].partition
}

/// Kafka's `RoundRobinPartitioner` (`partitioner.class`): every record, keyed or not, to the next
/// available partition in turn. The source article's producer behaves like this.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    counter: u64,
}

impl RoundRobin {
    /// A partitioner that starts at the first available partition.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next partition: among `available` (partitions with a leader), else among all.
    pub fn partition(&mut self, available: &[i32], partitions: i32) -> i32 {
        let n = self.counter;
        self.counter = self.counter.wrapping_add(1);
        if available.is_empty() {
            (n % partitions.max(1) as u64) as i32
        } else {
            available[(n % available.len() as u64) as usize]
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

    fn loads(parts: &[(i32, usize)]) -> Vec<QueueLoad> {
        parts
            .iter()
            .map(|&(partition, queued_batches)| QueueLoad {
                partition,
                queued_batches,
            })
            .collect()
    }

    #[test]
    fn uniform_sticky_stays_for_batch_size_bytes_then_switches() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let avail = loads(&[(0, 0), (1, 0), (2, 0)]);
        let mut s = UniformSticky::new();
        let mut switches = 0;
        let mut last = s.partition(&avail, 3, &mut rng);
        // 100 records of 1000 bytes with batch.size 16384: a switch every 17th record.
        for _ in 0..100 {
            let p = s.partition(&avail, 3, &mut rng);
            assert_eq!(p, last, "no switch before batch.size bytes");
            s.on_append(1_000, 16_384, &avail, 3, &mut rng);
            let next = s.current().expect("a partition");
            if s.produced_bytes == 0 {
                switches += 1;
            }
            last = next;
        }
        assert_eq!(switches, 100 / 17, "one switch per 16384 bytes");
    }

    #[test]
    fn uniform_sticky_spreads_evenly_over_time() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let avail = loads(&[(0, 0), (1, 0), (2, 0)]);
        let mut s = UniformSticky::new();
        let mut per = [0u32; 3];
        for _ in 0..30_000 {
            let p = s.partition(&avail, 3, &mut rng);
            per[p as usize] += 1;
            s.on_append(100, 1_000, &avail, 3, &mut rng);
        }
        for n in per {
            assert!((8_000..12_000).contains(&n), "uneven: {per:?}");
        }
    }

    #[test]
    fn adaptive_choice_favours_short_queues() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // Partition 0's broker is slow: 9 batches wait for it, none for 1.
        let avail = loads(&[(0, 9), (1, 0)]);
        let mut picks = [0u32; 2];
        for _ in 0..10_000 {
            picks[next_partition(&avail, 2, &mut rng) as usize] += 1;
        }
        // Weights 1 and 10.
        assert!(picks[1] > picks[0] * 5, "{picks:?}");
        assert!(
            picks[0] > 0,
            "the slow partition still gets some: {picks:?}"
        );
    }

    #[test]
    fn sticky_leaves_a_partition_that_lost_its_leader() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut s = UniformSticky::new();
        let first = s.partition(&loads(&[(0, 0), (1, 0)]), 2, &mut rng);
        let other = 1 - first;
        assert_eq!(s.partition(&loads(&[(other, 0)]), 2, &mut rng), other);
    }

    #[test]
    fn round_robin_deals_in_turn_over_available_partitions() {
        let mut r = RoundRobin::new();
        let got: Vec<i32> = (0..6).map(|_| r.partition(&[0, 1, 2], 3)).collect();
        assert_eq!(got, vec![0, 1, 2, 0, 1, 2]);
        // Partition 1 has no leader: skipped.
        let got: Vec<i32> = (0..4).map(|_| r.partition(&[0, 2], 3)).collect();
        assert_eq!(got, vec![0, 2, 0, 2]);
        let got: Vec<i32> = (0..3).map(|_| r.partition(&[], 3)).collect();
        assert_eq!(got, vec![1, 2, 0]);
    }
}
