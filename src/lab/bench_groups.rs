//! `kafka-lab bench groups`: consume throughput against produce throughput on the same data,
//! measured in one run, and the cost of a rebalance after a graceful leave in a group of 10.

use super::core::Lab;
use crate::clients::spec::{CommitMode, ConsumerSpec, OffsetReset};
use crate::cluster::config::ClusterConfig;
use crate::cluster::lab::ProduceOutcome;
use crate::cluster::snapshot::GroupState;
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{Acks, TopicPartition};
use crate::log::batch::encode_batch;
use bytes::Bytes;
use std::path::Path;
use std::time::Instant;

/// Figures of one groups benchmark run.
#[derive(Clone, Debug)]
pub struct GroupsBenchReport {
    /// Records produced and then consumed.
    pub records: usize,
    /// Wall seconds to produce them (`acks=all`, 3 brokers, replication factor 3).
    pub produce_secs: f64,
    /// Wall seconds for one simulated consumer to read them all.
    pub consume_secs: f64,
    /// Members in the rebalance measurement.
    pub group_size: usize,
    /// Simulated ms from LeaveGroup to Stable again (bounded by `heartbeat.interval.ms`, as in Kafka).
    pub rebalance_sim_ms: i64,
    /// Wall ms of processing for that rebalance, running simulated time flat out.
    pub rebalance_wall_ms: f64,
}

impl std::fmt::Display for GroupsBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = |secs: f64| self.records as f64 / secs.max(1e-9);
        writeln!(
            f,
            "groups bench: {} records of 100 B, 3 brokers, replication factor 3",
            self.records
        )?;
        writeln!(f, "{:<36} {:>12} {:>7}", "", "records/s", "ratio")?;
        writeln!(
            f,
            "{:<36} {:>12.0} {:>7.2}",
            "produce acks=all (baseline)",
            rate(self.produce_secs),
            1.0
        )?;
        writeln!(
            f,
            "{:<36} {:>12.0} {:>7.2}",
            "consume, one group member",
            rate(self.consume_secs),
            self.produce_secs / self.consume_secs.max(1e-9)
        )?;
        write!(
            f,
            "rebalance after a graceful leave, group of {}: {} ms simulated (next heartbeat), {:.1} ms of processing",
            self.group_size, self.rebalance_sim_ms, self.rebalance_wall_ms
        )
    }
}

fn fresh_lab(dir: &Path, name: &str) -> Result<Lab, String> {
    let mut config = ClusterConfig::new(3, 1, crate::cluster::bench::fresh_dir(dir, name)?);
    config.log.segment_bytes = 64 << 20;
    config.replica_fetch_max_bytes = 8 << 20;
    config.group_initial_rebalance_delay_ms = 0;
    Lab::new(config)
}

/// Runs the benchmark with `records` records in `dir`.
pub fn run_groups_bench(dir: &Path, records: usize) -> Result<GroupsBenchReport, String> {
    let mut lab = fresh_lab(dir, "consume")?;
    lab.create_topic(TopicSpec::new("bench", 1, 3))
        .map_err(|e| e.to_string())?;
    lab.advance_by(100);
    let tp = TopicPartition::new("bench", 0);
    let leader = lab.leader_of(&tp).ok_or("no leader")?;
    let value = Bytes::from(vec![b'x'; 100]);
    let recs: Vec<(Option<Bytes>, Bytes, i64)> =
        (0..100).map(|_| (None, value.clone(), 0)).collect();
    let batch = encode_batch(&recs);
    let batches = records.div_ceil(100).max(1);
    let start = Instant::now();
    let mut tickets = Vec::new();
    for i in 0..batches {
        match lab.produce(leader, &tp, &batch, Acks::All, 30_000) {
            ProduceOutcome::Pending(t) => tickets.push(t),
            ProduceOutcome::Done(r) => {
                r.map_err(|e| e.to_string())?;
            }
        }
        if i % 64 == 63 {
            lab.advance_by(lab.config().step_ms);
        }
    }
    while tickets.iter().any(|t| lab.is_pending(*t)) {
        lab.advance_by(lab.config().step_ms);
    }
    let produce_secs = start.elapsed().as_secs_f64();
    let total = (batches * 100) as u64;

    let mut spec = ConsumerSpec::new("bench-group", "bench");
    spec.auto_offset_reset = OffsetReset::Earliest;
    spec.commit_mode = CommitMode::Auto { interval_ms: 5_000 };
    spec.max_poll_records = 10_000;
    let c = lab.spawn_consumer(spec).map_err(|e| e.to_string())?;
    // Join first, so the timing below is the poll loop's, not the group protocol's.
    let mut guard = 0;
    while lab.consumer(c).is_some_and(|c| c.assignment.is_empty()) && guard < 10_000 {
        lab.advance_by(lab.config().step_ms);
        guard += 1;
    }
    let start = Instant::now();
    while lab.consumer(c).is_some_and(|c| c.consumed < total) && guard < 1_000_000 {
        lab.advance_by(lab.config().step_ms);
        guard += 1;
    }
    let consume_secs = start.elapsed().as_secs_f64();
    if lab.consumer(c).is_none_or(|c| c.consumed < total) {
        return Err("the consumer did not read every record".into());
    }
    drop(lab);

    let group_size = 10;
    let mut lab = fresh_lab(dir, "rebalance")?;
    lab.create_topic(TopicSpec::new("wide", 20, 3))
        .map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for i in 0..group_size {
        let mut spec = ConsumerSpec::new("wide-group", "wide");
        spec.client_id = Some(format!("member-{i}"));
        ids.push(lab.spawn_consumer(spec).map_err(|e| e.to_string())?);
    }
    let stable = |lab: &Lab, members: usize| {
        lab.group_coordinator()
            .group("wide-group")
            .is_some_and(|g| {
                g.state == GroupState::Stable
                    && g.members.len() == members
                    && g.members
                        .values()
                        .map(|m| m.assignment.len())
                        .sum::<usize>()
                        == 20
            })
            && lab
                .consumers()
                .filter(|c| c.is_running())
                .map(|c| c.assignment.len())
                .sum::<usize>()
                == 20
    };
    let mut guard = 0;
    while !stable(&lab, group_size) && guard < 10_000 {
        lab.advance_by(lab.config().step_ms);
        guard += 1;
    }
    let sim_start = lab.now_ms();
    let start = Instant::now();
    lab.close_consumer(ids[0]).map_err(|e| e.to_string())?;
    let mut guard = 0;
    while !stable(&lab, group_size - 1) && guard < 10_000 {
        lab.advance_by(lab.config().step_ms);
        guard += 1;
    }
    let rebalance_wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    if !stable(&lab, group_size - 1) {
        return Err("the group did not settle after the leave".into());
    }
    Ok(GroupsBenchReport {
        records: total as usize,
        produce_secs,
        consume_secs,
        group_size,
        rebalance_sim_ms: lab.now_ms() - sim_start,
        rebalance_wall_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_run_reports_consistent_figures() {
        let dir = tempfile::tempdir().unwrap();
        let r = run_groups_bench(dir.path(), 2_000).unwrap();
        assert_eq!(r.records, 2_000);
        assert!(r.produce_secs > 0.0 && r.consume_secs > 0.0);
        // The survivors learn of the rebalance at their next heartbeat (3 s by default).
        assert!((0..=4_000).contains(&r.rebalance_sim_ms), "{r}");
    }
}
