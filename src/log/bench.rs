//! `kafka-lab bench log`: partition-log append and read throughput against a raw sequential-write
//! baseline measured in the same run, in the same directory.

use super::config::LogConfig;
use super::error::{LogError, io_err};
use super::partition_log::PartitionLog;
use bytes::Bytes;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Records per batch, as a producer with a full `batch.size` would send.
pub const RECORDS_PER_BATCH: usize = 100;
/// Value size of each record.
pub const VALUE_BYTES: usize = 100;

/// Figures of one benchmark run.
#[derive(Clone, Debug)]
pub struct LogBenchReport {
    /// Records written.
    pub records: usize,
    /// Bytes written (encoded batches).
    pub bytes: u64,
    /// Seconds for the log appends.
    pub log_secs: f64,
    /// Seconds for the raw sequential writes.
    pub raw_secs: f64,
    /// Seconds to read the raw batches back from offset 0.
    pub read_secs: f64,
    /// Seconds to read and decode every record from offset 0.
    pub decode_secs: f64,
    /// Records seen while reading back (must equal `records`).
    pub records_read: usize,
    /// Cores available.
    pub cores: usize,
}

impl LogBenchReport {
    /// Log append throughput divided by raw write throughput.
    pub fn ratio(&self) -> f64 {
        self.raw_secs / self.log_secs.max(1e-9)
    }
}

fn rate(n: f64, secs: f64) -> f64 {
    n / secs.max(1e-9)
}

impl std::fmt::Display for LogBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        let n = self.records as f64;
        writeln!(
            f,
            "log bench: {} records of {VALUE_BYTES} B in batches of {RECORDS_PER_BATCH}, {:.1} MB, {} cores, no fsync",
            self.records, mb, self.cores
        )?;
        writeln!(
            f,
            "{:<28} {:>14} {:>10} {:>8}",
            "", "records/s", "MB/s", "ratio"
        )?;
        writeln!(
            f,
            "{:<28} {:>14.0} {:>10.1} {:>8.2}",
            "raw sequential write",
            rate(n, self.raw_secs),
            rate(mb, self.raw_secs),
            1.0
        )?;
        writeln!(
            f,
            "{:<28} {:>14.0} {:>10.1} {:>8.2}",
            "log append (append_as_leader)",
            rate(n, self.log_secs),
            rate(mb, self.log_secs),
            self.ratio()
        )?;
        writeln!(
            f,
            "{:<28} {:>14.0} {:>10.1}",
            "log read (raw batches)",
            rate(n, self.read_secs),
            rate(mb, self.read_secs)
        )?;
        write!(
            f,
            "{:<28} {:>14.0} {:>10.1}",
            "log read + decode records",
            rate(n, self.decode_secs),
            rate(mb, self.decode_secs)
        )
    }
}

fn encoded_batch(batch_no: usize) -> Result<Bytes, LogError> {
    let value = Bytes::from(vec![b'x'; VALUE_BYTES]);
    let recs: Vec<_> = (0..RECORDS_PER_BATCH)
        .map(|_| (None, Some(value.clone()), batch_no as i64))
        .collect();
    super::batch::encode_records(&recs, 0).map_err(LogError::Encode)
}

/// Runs the benchmark in `dir` with `records` records (rounded up to whole batches).
pub fn run_log_bench(dir: &Path, records: usize) -> Result<LogBenchReport, LogError> {
    let batches = records.div_ceil(RECORDS_PER_BATCH).max(1);
    // The producer encodes; the broker only validates, patches and appends. Encode up front.
    let template = encoded_batch(0)?;
    let payload: Vec<Bytes> = (0..batches).map(|_| template.clone()).collect();
    let bytes: u64 = payload.iter().map(|b| b.len() as u64).sum();

    let raw_path = dir.join("raw-baseline.bin");
    let start = Instant::now();
    {
        let mut f = std::fs::File::create(&raw_path).map_err(io_err(&raw_path))?;
        for b in &payload {
            f.write_all(b).map_err(io_err(&raw_path))?;
        }
    }
    let raw_secs = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&raw_path);

    let log_dir = dir.join("bench-0");
    let _ = std::fs::remove_dir_all(&log_dir);
    let config = LogConfig {
        segment_bytes: 64 << 20,
        ..LogConfig::default()
    };
    let (mut log, _) = PartitionLog::open(&log_dir, config, 0)?;
    let start = Instant::now();
    for b in &payload {
        log.append_as_leader(b, 0, 0)?;
    }
    let log_secs = start.elapsed().as_secs_f64();

    let leo = log.log_end_offset();
    let start = Instant::now();
    let mut offset = 0;
    let mut records_read = 0usize;
    while offset < leo {
        let f = log.read(offset, 1 << 20, leo)?;
        let (headers, _) = super::batch::split_valid(&f.bytes);
        records_read += headers
            .iter()
            .map(|(_, h)| h.record_count as usize)
            .sum::<usize>();
        offset = f.next_offset;
    }
    let read_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut offset = 0;
    while offset < leo {
        let recs = log.read_records(offset, 1 << 20, leo)?;
        match recs.last() {
            Some(r) => offset = r.offset + 1,
            None => break,
        }
    }
    let decode_secs = start.elapsed().as_secs_f64();
    drop(log);
    let _ = std::fs::remove_dir_all(&log_dir);
    Ok(LogBenchReport {
        records: batches * RECORDS_PER_BATCH,
        bytes,
        log_secs,
        raw_secs,
        read_secs,
        decode_secs,
        records_read,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_runs_small_and_reads_back_everything() {
        let dir = tempfile::tempdir().unwrap();
        let r = run_log_bench(dir.path(), 5_000).unwrap();
        assert_eq!(r.records_read, r.records);
        assert!(r.ratio() > 0.0);
        assert!(r.to_string().contains("ratio"));
    }
}
