//! `kafka-lab bench`: performance against baselines taken in the same run.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Measure performance against baselines taken in the same run.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(value_enum, default_value = "log")]
    what: BenchWhat,
    /// Records to write.
    #[arg(long, default_value_t = 1_000_000)]
    records: usize,
    /// Directory for the files (default: a temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// `attach`: partitions of the large lab (topics of 50).
    #[arg(long, default_value_t = 2_000)]
    partitions: usize,
    /// `attach`: consumer groups of the large lab.
    #[arg(long, default_value_t = 200)]
    groups: usize,
    /// `attach`: poll cycles measured on each lab.
    #[arg(long, default_value_t = 10)]
    cycles: usize,
}

/// What to measure.
#[derive(clap::ValueEnum, Clone, Debug)]
pub enum BenchWhat {
    /// Append and read one partition log vs raw sequential writes.
    Log,
    /// Replicated acks=all produce vs raw writes, failover time, memory per replica.
    Cluster,
    /// Consume vs produce throughput, and a rebalance after a graceful leave in a group of 10.
    Groups,
    /// Dashboard frame time for a large lab, and whether the UI keeps up with a busy cluster.
    Ui,
    /// Re-stepping a recorded run (replay, rewind) against the time it took to record.
    Replay,
    /// `kafka-lab attach` on a large lab served in-process: poll cycle, requests and bytes per
    /// broker, frame time of the attached dashboard, against a 12-partition lab.
    Attach,
}

pub fn bench(args: BenchArgs) -> Result<()> {
    let temp;
    let dir = match args.dir {
        Some(d) => d,
        None => {
            temp = tempfile::tempdir().context("cannot create a temp dir")?;
            temp.path().to_path_buf()
        }
    };
    match args.what {
        BenchWhat::Log => {
            let report = kafka_lab::log::bench::run_log_bench(&dir, args.records)?;
            println!("{report}");
        }
        BenchWhat::Cluster => {
            let report = kafka_lab::cluster::bench::run_cluster_bench(&dir, args.records)
                .map_err(anyhow::Error::msg)?;
            println!("{report}");
        }
        BenchWhat::Ui => {
            let per_frame = kafka_lab::ui::bench::bench_render(160, 48, 200);
            let plain = kafka_lab::ui::bench::bench_plain_frame(160, 48, 200);
            println!(
                "render: 9 brokers, 50 partitions, 10 groups at 160x48: {per_frame:?} per frame (target < 2 ms); a plain full-screen paragraph: {plain:?}"
            );
            let report = kafka_lab::ui::bench::bench_live(&dir, 150_000.0, 5.0)
                .map_err(anyhow::Error::msg)?;
            println!("{report}");
        }
        BenchWhat::Replay => {
            let figures = kafka_lab::lab::bench_replay::run_replay_bench(&dir, args.records)
                .map_err(anyhow::Error::msg)?;
            for f in figures {
                println!("{f}");
            }
        }
        BenchWhat::Attach => {
            let scale = kafka_lab::attach::bench::Scale {
                partitions: args.partitions,
                groups: args.groups,
            };
            let report =
                kafka_lab::ui::bench_attach::run_attach_bench(&dir, scale, args.cycles, 200)
                    .map_err(anyhow::Error::msg)?;
            print!("{report}");
        }
        BenchWhat::Groups => {
            let report = kafka_lab::lab::bench_groups::run_groups_bench(&dir, args.records)
                .map_err(anyhow::Error::msg)?;
            println!("{report}");
        }
    }
    Ok(())
}
