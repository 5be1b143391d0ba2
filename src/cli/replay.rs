//! `kafka-lab replay FILE`: a run's journal played again on the dashboard, or its story printed.

use anyhow::{Context, Result};
use clap::Args;
use kafka_lab::lab::driver::channels;
use kafka_lab::lab::journal::{self, Start};
use kafka_lab::lab::playback;
use kafka_lab::lab::replay::Replay;
use kafka_lab::scenario::headless::OutputFormat;
use kafka_lab::scenario::replay::{open, print_replay};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Play a run's journal again.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The journal (`--record FILE`, or one in the data dir's journals/).
    file: PathBuf,
    /// Print the run's story (every event, as `--headless` lessons do) on simulated time instead
    /// of opening the dashboard.
    #[arg(long)]
    headless: bool,
    /// Print events as JSON lines (headless).
    #[arg(long, requires = "headless")]
    json: bool,
}

/// `kafka-lab lesson --from-journal FILE`: writes the run's scenario skeleton beside it.
pub fn lesson_from_journal(path: &std::path::Path) -> Result<()> {
    let journal = journal::read(path)?;
    let temp = tempfile::Builder::new()
        .prefix("kafka-lab-replay-")
        .tempdir()
        .context("cannot create a temporary data dir")?;
    let text = kafka_lab::scenario::from_journal::scenario_from_journal(journal, temp.path())
        .map_err(anyhow::Error::msg)?;
    let out = path.with_extension("toml");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&out)
        .with_context(|| format!("cannot write {} (remove it first)", out.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}

/// Reads the journal, rebuilds the lab it started from, and plays it.
pub fn replay(args: ReplayArgs) -> Result<()> {
    let journal = journal::read(&args.file)?;
    if !journal.header.data_dir_fresh {
        eprintln!(
            "kafka-lab: the recording started on a data dir that held logs already; the replay starts from an empty one, so it may differ"
        );
    }
    if journal.torn_tail {
        eprintln!(
            "kafka-lab: the journal's last line was cut short (the recording stopped mid-write); replaying up to the line before"
        );
    }
    let lesson = matches!(journal.header.start, Start::Lesson(_));
    let temp = tempfile::Builder::new()
        .prefix("kafka-lab-replay-")
        .tempdir()
        .context("cannot create a temporary data dir")?;
    let journal_again = journal.clone();
    let mut replay = open(journal, temp.path()).map_err(anyhow::Error::msg)?;
    if args.headless || !std::io::stdout().is_terminal() {
        let format = OutputFormat::from_json_flag(args.json);
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        return match print_replay(&mut replay, format, &mut out) {
            Err(e) if e.contains("Broken pipe") => Ok(()),
            Err(e) => Err(anyhow::Error::msg(e)),
            Ok(()) => {
                eprintln!(
                    "kafka-lab: replayed to {} ms; the lab matched the recording at all {} checks",
                    replay.now_ms(),
                    replay.checks_passed()
                );
                Ok(())
            }
        };
    }
    // Moving back starts the default lab again from the newest checkpoint taken while playing
    // (or its start), each time on a dir of its own; a lesson counts from 0 after every `b`, so
    // its replays move forward only.
    if !lesson {
        replay.take_checkpoints(temp.path());
    }
    let rebuild: Option<playback::Rebuild> = (!lesson).then(|| {
        let root = temp.path().to_path_buf();
        let mut n = 0u32;
        Box::new(move |playing: &Replay, target: i64| {
            let _ = std::fs::remove_dir_all(root.join(format!("back-{n}")));
            n += 1;
            let dir = root.join(format!("back-{n}"));
            match playing.from_nearest_checkpoint(&journal_again, target, &dir) {
                Some(rebuilt) => rebuilt,
                None => open(journal_again.clone(), &dir),
            }
        }) as playback::Rebuild
    });
    let runtime = crate::live_runtime()?;
    runtime.block_on(async move {
        let (driver_ch, front) = channels();
        let player = tokio::spawn(playback::play(replay, driver_ch, rebuild));
        let result = if lesson {
            kafka_lab::ui::run_lesson_dashboard(front).await
        } else {
            kafka_lab::ui::run_dashboard(front).await
        };
        let _ = player.await;
        result
    })
}
