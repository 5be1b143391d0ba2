//! `kafka-lab bench cluster`: replicated produce throughput against a raw sequential-write baseline
//! measured in the same run, leader-failover processing time, and memory per idle replica.

use super::config::ClusterConfig;
use super::lab::{Cluster, ProduceOutcome};
use super::topic::TopicSpec;
use super::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::encode_batch;
use bytes::Bytes;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Figures of one cluster benchmark run.
#[derive(Clone, Debug)]
pub struct ClusterBenchReport {
    /// Records acknowledged with `acks=all`.
    pub records: usize,
    /// Bytes of encoded batches produced (one copy).
    pub bytes: u64,
    /// Seconds to produce and replicate them to 3 replicas.
    pub produce_secs: f64,
    /// Seconds for the raw baseline to write the same bytes once.
    pub raw_secs: f64,
    /// Wall-clock milliseconds the step that elects a new leader took; `None` when no election
    /// happened within the steps the benchmark waits (a figure of 0 would read as "instant").
    pub failover_ms: Option<f64>,
    /// Resident bytes per idle partition replica (Linux only; 0 elsewhere).
    pub bytes_per_idle_replica: u64,
}

impl ClusterBenchReport {
    /// Produce throughput over raw write throughput (3 copies on disk vs 1).
    pub fn ratio(&self) -> f64 {
        self.raw_secs / self.produce_secs.max(1e-9)
    }
}

impl std::fmt::Display for ClusterBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        writeln!(
            f,
            "cluster bench: 3 brokers, replication factor 3, acks=all, {} records of 100 B in batches of 100",
            self.records
        )?;
        writeln!(
            f,
            "{:<34} {:>12} {:>9} {:>7}",
            "", "records/s", "MB/s", "ratio"
        )?;
        writeln!(
            f,
            "{:<34} {:>12.0} {:>9.1} {:>7.2}",
            "raw sequential write (1 copy)",
            self.records as f64 / self.raw_secs.max(1e-9),
            mb / self.raw_secs.max(1e-9),
            1.0
        )?;
        writeln!(
            f,
            "{:<34} {:>12.0} {:>9.1} {:>7.2}",
            "produce acks=all (3 copies)",
            self.records as f64 / self.produce_secs.max(1e-9),
            mb / self.produce_secs.max(1e-9),
            self.ratio()
        )?;
        writeln!(f, "{}", failover_line(self.failover_ms))?;
        write!(
            f,
            "memory per idle partition replica: {} bytes",
            self.bytes_per_idle_replica
        )
    }
}

/// The report's failover line: the time, or that no election happened to time.
fn failover_line(failover_ms: Option<f64>) -> String {
    match failover_ms {
        Some(ms) => format!("leader failover: {ms:.3} ms of processing after the session timeout"),
        None => {
            "leader failover: no election (no new leader within 100 steps of the session timeout)"
                .to_string()
        }
    }
}

/// `dir/name`, emptied: every benchmark run starts from a fresh lab, so a second run in the same
/// directory does not find the first one's topics.
pub fn fresh_dir(dir: &Path, name: &str) -> Result<std::path::PathBuf, String> {
    let d = dir.join(name);
    if d.exists() {
        std::fs::remove_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    Ok(d)
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Kills `leader`, runs up to the step before its session expires, then times the step that
/// elects another leader; `None` when no step within 100 elects one.
fn time_failover(
    lab: &mut Cluster,
    tp: &TopicPartition,
    leader: BrokerId,
) -> Result<Option<f64>, String> {
    lab.kill_broker(leader).map_err(|e| e.to_string())?;
    let expiry = lab.config().broker_session_timeout_ms;
    lab.advance_by(expiry - lab.config().step_ms);
    for _ in 0..100 {
        let t0 = Instant::now();
        lab.advance_by(lab.config().step_ms);
        let took_ms = t0.elapsed().as_secs_f64() * 1000.0;
        if lab.leader_of(tp).is_some_and(|l| l != leader) {
            return Ok(Some(took_ms));
        }
    }
    Ok(None)
}

/// Runs the benchmark with `records` records in `dir`.
pub fn run_cluster_bench(dir: &Path, records: usize) -> Result<ClusterBenchReport, String> {
    let value = Bytes::from(vec![b'x'; 100]);
    let recs: Vec<(Option<Bytes>, Bytes, i64)> =
        (0..100).map(|_| (None, value.clone(), 0)).collect();
    let batch = encode_batch(&recs);
    let batches = records.div_ceil(100).max(1);
    let bytes = batch.len() as u64 * batches as u64;

    let raw_path = dir.join("raw-baseline.bin");
    let start = Instant::now();
    {
        let mut f = std::fs::File::create(&raw_path).map_err(|e| e.to_string())?;
        for _ in 0..batches {
            f.write_all(&batch).map_err(|e| e.to_string())?;
        }
    }
    let raw_secs = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&raw_path);

    let mut config = ClusterConfig::new(3, 1, fresh_dir(dir, "lab")?);
    config.log.segment_bytes = 64 << 20;
    config.replica_fetch_max_bytes = 8 << 20;
    let mut lab = Cluster::new(config)?;
    let mut spec = TopicSpec::new("bench", 1, 3);
    spec.min_insync_replicas = 2;
    lab.create_topic(spec).map_err(|e| e.to_string())?;
    lab.advance_by(100);
    let tp = TopicPartition::new("bench", 0);
    let leader = lab.leader_of(&tp).ok_or("no leader")?;
    let per_step = 64;
    let start = Instant::now();
    let mut sent = 0;
    let mut tickets = Vec::new();
    while sent < batches {
        for _ in 0..per_step.min(batches - sent) {
            match lab.produce(leader, &tp, &batch, Acks::All, 30_000) {
                ProduceOutcome::Pending(t) => tickets.push(t),
                ProduceOutcome::Done(r) => {
                    r.map_err(|e| e.to_string())?;
                }
            }
            sent += 1;
        }
        lab.advance_by(lab.config().step_ms);
    }
    let mut guard = 0;
    while tickets.iter().any(|t| lab.is_pending(*t)) && guard < 10_000 {
        lab.advance_by(lab.config().step_ms);
        guard += 1;
    }
    let produce_secs = start.elapsed().as_secs_f64();
    for t in tickets {
        match lab.take_completion(t) {
            Some(Ok(_)) => {}
            other => return Err(format!("produce did not complete: {other:?}")),
        }
    }

    let failover_ms = time_failover(&mut lab, &tp, leader)?;
    drop(lab);

    // Memory: a second lab with many idle partitions.
    let mut config = ClusterConfig::new(3, 2, fresh_dir(dir, "idle")?);
    config.log.segment_bytes = 1 << 20;
    let mut lab = Cluster::new(config)?;
    let before = rss_bytes();
    lab.create_topic(TopicSpec::new("idle", 300, 3))
        .map_err(|e| e.to_string())?;
    lab.advance_by(100);
    let after = rss_bytes();
    let bytes_per_idle_replica = after.saturating_sub(before) / 900;
    Ok(ClusterBenchReport {
        records: batches * 100,
        bytes,
        produce_secs,
        raw_secs,
        failover_ms,
        bytes_per_idle_replica,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cluster::test_support::lab_with_leader;

    #[test]
    fn failover_without_a_replica_to_elect_reports_no_election() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut lab, tp, leader) = lab_with_leader(dir.path(), 1);
        assert_eq!(time_failover(&mut lab, &tp, leader), Ok(None));
        assert!(failover_line(None).contains("no election"));
        assert!(!failover_line(None).contains("0.0"));
    }

    #[test]
    fn failover_to_an_in_sync_replica_is_timed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut lab, tp, leader) = lab_with_leader(dir.path(), 3);
        let took = time_failover(&mut lab, &tp, leader).expect("kill");
        assert!(took.is_some_and(|ms| ms >= 0.0), "{took:?}");
        assert!(failover_line(Some(1.25)).contains("1.250 ms"));
    }
}
