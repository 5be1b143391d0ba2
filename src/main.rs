//! `kafka-lab`: the command line. Parses flags, picks the data dir, wires the lab to a front end.

mod cli;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use cli::attach::{AttachArgs, attach};
use cli::bench::{BenchArgs, bench};
use cli::journal::{RecordArgs, data_dir_is_fresh};
use cli::listen::ListenArgs;
use cli::replay::{ReplayArgs, replay};
use cli::stream::stream_events;
use kafka_lab::clients::spec::validate_rate;
use kafka_lab::cluster::config::{ClusterConfig, KAFKA_VERSION, Profile};
use kafka_lab::cluster::types::Acks;
use kafka_lab::data_dir::DataDir;
use kafka_lab::lab::Lab;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::journal::{Header, LessonStart, Start};
use kafka_lab::lab::live::{self, LiveOptions};
use kafka_lab::protocol::ListenerConfig;
use kafka_lab::scenario::default_lab::DefaultLab;
use kafka_lab::scenario::headless::{OutputFormat, Timed, run_headless};
use kafka_lab::scenario::lessons;
use kafka_lab::scenario::live::LessonDirector;
use kafka_lab::scenario::schedule::{TimedBroker, parse_duration_ms};
use kafka_lab::scenario::story::print_story;
use kafka_lab::text::Lang;
use std::io::IsTerminal;
use std::path::PathBuf;

mod cli_text;

/// A terminal playground for learning how Apache Kafka really behaves.
#[derive(Parser, Debug)]
#[command(
    name = "kafka-lab",
    version,
    args_conflicts_with_subcommands = true,
    long_about = long_about()
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
    /// Defaults to start from: teaching (a few timers shortened, each labelled with Kafka's
    /// default) or kafka (Kafka 4.1's defaults and limits). See docs/configuration.md.
    #[arg(
        long,
        global = true,
        value_name = "PROFILE",
        default_value = "teaching"
    )]
    profile: Profile,
    /// Language of the dashboard, lessons and stories: en or zh (简体中文). Default: from
    /// LC_ALL / LC_MESSAGES / LANG (zh… → zh), else en. Event kinds in --json stay English.
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<Lang>,
}

/// What `--help` says before the flags: the lab, the Kafka version it follows, the profiles.
fn long_about() -> String {
    format!(
        "A terminal playground for learning how Apache Kafka really behaves.\n\n\
         With no subcommand, starts the embedded default lab: 3 brokers, topic `test` with 2 \
         partitions and replication factor 3 and one producer, on a live dashboard (`q` quits, \
         `?` lists the keys).\n\n\
         The lab follows Kafka {KAFKA_VERSION}: its rules, and its defaults under --profile kafka. \
         The default profile, teaching, shortens a few timers so a room sees them fire; every \
         shortened value is labelled with Kafka's default (here, on the dashboard and in \
         DescribeConfigs)."
    )
}

/// A flag's help naming the value each profile gives `config` (from the one config table).
fn profile_help(what: &str, config: &str) -> String {
    cli_text::profile_help_in(Lang::En, what, config)
}

// Parsed once at start and consumed at once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Start the lab (the default): the dashboard, or a headless story with --headless.
    Run(RunArgs),
    /// Measure performance against baselines taken in the same run.
    Bench(BenchArgs),
    /// List the built-in lessons, or run one (by name, or a scenario .toml file).
    Lesson(LessonArgs),
    /// Play a run's journal again (see --record): on the dashboard, or its story with --headless.
    Replay(ReplayArgs),
    /// Open the dashboard on a real Kafka cluster: its brokers, partitions and groups, and a
    /// timeline of what changes (read-only unless --allow-writes).
    Attach(AttachArgs),
}

#[derive(Args, Debug)]
struct LessonArgs {
    /// A built-in lesson's name, or the path of a scenario .toml file. Without it, lists lessons.
    lesson: Option<String>,
    /// Write a scenario skeleton from a recorded run (its journal): the lab, its topics, and one
    /// step per action at its time, ready for captions and expects. Writes FILE with .toml
    /// instead of .jsonl (never over an existing file).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["lesson", "headless"])]
    from_journal: Option<PathBuf>,
    /// Run without a terminal on simulated time and print the story with PASS/FAIL per
    /// expectation; the exit code is non-zero when any failed.
    #[arg(long)]
    headless: bool,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Print events as JSON lines (headless).
    #[arg(long, requires = "headless")]
    json: bool,
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    record: RecordArgs,
}

#[derive(Args, Debug, Clone)]
struct LabArgs {
    /// Number of brokers (1-9).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=9))]
    brokers: u8,
    /// Dedicated KRaft controllers (1-5, node ids 101..); default 0: brokers 1-3 are the
    /// controllers too (combined mode).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=5))]
    controllers: u8,
    /// Seed for every random choice: the same seed replays the same story.
    #[arg(long)]
    seed: Option<u64>,
    /// Where partition logs live (default: the platform data dir, e.g. ~/.local/share/kafka-lab).
    #[arg(long, value_name = "DIR", conflicts_with = "ephemeral")]
    data_dir: Option<PathBuf>,
    /// Use a fresh temporary data dir, removed on exit.
    #[arg(long)]
    ephemeral: bool,
    /// Partitions of topic `test`.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(i32).range(1..=100))]
    partitions: i32,
    /// Replication factor of topic `test` (capped at the broker count).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i16).range(1..=9))]
    replication_factor: i16,
    /// `min.insync.replicas` of topic `test`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i16).range(1..=9))]
    min_insync_replicas: i16,
    /// Records per second of the default producer (0 for none).
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// `acks` of the default producer: 0, 1 or all.
    #[arg(long, default_value = "all")]
    acks: Acks,
    /// Consumers in group `lab-group` (the article's experiment 2 runs with 2).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=20))]
    consumers: u8,
    /// `session.timeout.ms` of the default consumers (Kafka's default 45000).
    #[arg(long, default_value_t = 45_000)]
    session_timeout_ms: u64,
    /// `group.protocol` of the default consumers: classic, or consumer (KIP-848; the broker's
    /// group.consumer.session.timeout.ms then applies instead of --session-timeout-ms).
    #[arg(long, default_value = "classic")]
    group_protocol: kafka_lab::clients::spec::GroupProtocol,
    #[arg(long, help = profile_help(
        "`replica.lag.time.max.ms` of the brokers.",
        "replica.lag.time.max.ms"
    ))]
    replica_lag_time_max_ms: Option<i64>,
    #[arg(long, help = profile_help(
        "`broker.session.timeout.ms`: how long before the controller declares a silent broker dead.",
        "broker.session.timeout.ms"
    ))]
    broker_session_timeout_ms: Option<i64>,
    /// `unclean.leader.election.enable`.
    #[arg(long)]
    unclean_leader_election: bool,
    /// Turn off `auto.leader.rebalance.enable` (leadership then stays where failover put it).
    #[arg(long)]
    no_auto_leader_rebalance: bool,
    #[arg(long, help = profile_help(
        "Log `segment.bytes` of new topics (at least 1048576 under --profile kafka, as in Kafka 4).",
        "log.segment.bytes"
    ))]
    segment_bytes: Option<u64>,
}

#[derive(Args, Debug, Clone)]
struct RunArgs {
    #[command(flatten)]
    lab: LabArgs,
    /// Run without a terminal and print the event log.
    #[arg(long)]
    headless: bool,
    /// How long a headless run lasts in simulated time (e.g. 20s, 2m).
    #[arg(long, default_value = "20s", requires = "headless")]
    duration: String,
    /// Print events as JSON lines (headless).
    #[arg(long, requires = "headless")]
    json: bool,
    /// Run one of the source article's experiments (1, 2 or 3) instead of the default lab,
    /// and print its story (headless).
    #[arg(long, value_name = "N", requires = "headless", value_parser = clap::value_parser!(u8).range(1..=3))]
    experiment: Option<u8>,
    /// Crash a broker at a simulated time, BROKER@TIME (repeatable).
    #[arg(long, value_name = "BROKER@TIME")]
    kill_broker: Vec<TimedBroker>,
    /// Controlled shutdown of a broker at a time, BROKER@TIME (repeatable).
    #[arg(long, value_name = "BROKER@TIME")]
    shutdown_broker: Vec<TimedBroker>,
    /// Restart a broker at a time, BROKER@TIME (repeatable).
    #[arg(long, value_name = "BROKER@TIME")]
    restart_broker: Vec<TimedBroker>,
    /// Make a broker's followers stop fetching at a time, BROKER@TIME (repeatable).
    #[arg(long, value_name = "BROKER@TIME")]
    slow_broker: Vec<TimedBroker>,
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    record: RecordArgs,
}

fn open_data_dir(args: &LabArgs) -> Result<DataDir> {
    DataDir::open(args.ephemeral, args.data_dir.as_deref()).map_err(anyhow::Error::msg)
}

fn build_lab(
    args: &LabArgs,
    profile: Profile,
    data: &DataDir,
    install_default: bool,
    step_ms: i64,
) -> Result<(Lab, Vec<Command>)> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000)
            .unwrap_or(1)
    });
    let mut config = ClusterConfig::for_profile(profile, args.brokers as usize, seed, &data.path);
    config.controllers = args.controllers as usize;
    // A flag given on the command line is set on top of the profile, as server.properties would.
    if let Some(v) = args.replica_lag_time_max_ms {
        config.replica_lag_time_max_ms = v;
    }
    if let Some(v) = args.broker_session_timeout_ms {
        config.broker_session_timeout_ms = v;
    }
    config.unclean_leader_election = args.unclean_leader_election;
    config.auto_leader_rebalance = !args.no_auto_leader_rebalance;
    if let Some(v) = args.segment_bytes {
        config.log.segment_bytes = v;
    }
    config.step_ms = step_ms;
    if args.rate != 0.0 {
        validate_rate(args.rate).map_err(|e| anyhow::anyhow!("--rate: {e} (0 for no producer)"))?;
    }
    let mut lab = Lab::new(config).map_err(anyhow::Error::msg)?;
    if !install_default {
        return Ok((lab, Vec::new()));
    }
    let default = DefaultLab {
        partitions: args.partitions,
        replication_factor: args.replication_factor,
        min_insync_replicas: args.min_insync_replicas,
        producer_rate: args.rate,
        acks: args.acks,
        consumers: args.consumers as usize,
        session_timeout_ms: args.session_timeout_ms,
        group_protocol: args.group_protocol,
        ..DefaultLab::default()
    };
    let commands = default.commands(args.brokers as usize);
    lab.set_up(&commands).map_err(anyhow::Error::msg)?;
    Ok((lab, commands))
}

fn schedule(run: &RunArgs) -> Vec<Timed> {
    let mut s = Vec::new();
    for t in &run.kill_broker {
        s.push(Timed {
            at_ms: t.at_ms,
            command: Command::KillBroker(t.broker),
        });
    }
    for t in &run.shutdown_broker {
        s.push(Timed {
            at_ms: t.at_ms,
            command: Command::ShutdownBroker(t.broker),
        });
    }
    for t in &run.restart_broker {
        s.push(Timed {
            at_ms: t.at_ms,
            command: Command::RestartBroker(t.broker),
        });
    }
    for t in &run.slow_broker {
        s.push(Timed {
            at_ms: t.at_ms,
            command: Command::SetBrokerSlow(t.broker, true),
        });
    }
    s
}

/// Wire-protocol port of broker 1 when --port is not given.
const DEFAULT_PORT: u16 = 9092;

/// Simulation step of a live lab serving real clients.
const LIVE_STEP_MS: i64 = 1;

fn run(args: RunArgs, profile: Profile) -> Result<()> {
    for t in args
        .kill_broker
        .iter()
        .chain(&args.shutdown_broker)
        .chain(&args.restart_broker)
        .chain(&args.slow_broker)
    {
        if t.broker < 1 || t.broker > args.lab.brokers as i32 {
            bail!(
                "broker {} does not exist: this lab has brokers 1..={}",
                t.broker,
                args.lab.brokers
            );
        }
    }
    if let Some(n) = args.experiment {
        // The article's experiments are built-in lessons; like every lesson they start from a
        // fresh lab, so the story is the same on every run.
        let scenario = lessons::experiment(n)
            .and_then(|s| s.under_profile(profile))
            .map_err(anyhow::Error::msg)?;
        let temp = tempfile::Builder::new()
            .prefix("kafka-lab-lesson-")
            .tempdir()
            .context("cannot create a temporary data dir")?;
        return print_story(&scenario, temp.path(), args.lab.seed, args.json)
            .map_err(anyhow::Error::msg);
    }
    let data = open_data_dir(&args.lab)?;
    // Live with the wire listener, the lab steps every millisecond: replication (and with it an
    // acks=all round trip) then takes a couple of ms, as between Kafka brokers on one host, instead
    // of the 10 ms simulation step headless stories use.
    let step_ms = if args.headless || args.listen.no_listen {
        ClusterConfig::new(1, 0, "").step_ms
    } else {
        LIVE_STEP_MS
    };
    let fresh = data_dir_is_fresh(&data.path);
    let (mut lab, setup) = build_lab(&args.lab, profile, &data, true, step_ms)?;
    if args.headless {
        let duration = parse_duration_ms(&args.duration).map_err(anyhow::Error::msg)?;
        let format = OutputFormat::from_json_flag(args.json);
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        run_headless(&mut lab, schedule(&args), duration, format, &mut out)
            .or_else(|e| {
                // A closed pipe (`| head`) is a normal way to stop reading.
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .context("writing the event log")?;
        return Ok(());
    }
    let wire = args
        .listen
        .wire_options(ListenerConfig::new(DEFAULT_PORT))?;
    let header = Header::new(
        lab.config().clone(),
        Start::Commands(setup),
        wire.as_ref().map(|w| &w.config),
        fresh,
    );
    // An --ephemeral data dir goes with the run; its journal goes to the platform's.
    let keep = (!args.lab.ephemeral).then_some(data.path.as_path());
    let options = LiveOptions {
        wire,
        director: None,
        schedule: schedule(&args),
        journal: args.record.open(&header, keep)?,
    };
    run_live(lab, options, FrontEnd::Lab)
}

/// `kafka-lab lesson [NAME|FILE] [--headless]`.
fn lesson(args: LessonArgs, profile: Profile) -> Result<()> {
    if let Some(path) = &args.from_journal {
        return cli::replay::lesson_from_journal(path);
    }
    let Some(arg) = args.lesson else {
        println!("{}", kafka_lab::text::text("cli.lessons"));
        for (name, title) in lessons::list() {
            println!("  {name:<28} {title}");
        }
        return Ok(());
    };
    // Every reference is checked here, before any broker starts.
    let scenario = lessons::resolve(&arg)
        .and_then(|s| s.under_profile(profile))
        .map_err(anyhow::Error::msg)?;
    let temp = tempfile::Builder::new()
        .prefix("kafka-lab-lesson-")
        .tempdir()
        .context("cannot create a temporary data dir")?;
    if args.headless {
        return print_story(&scenario, temp.path(), args.seed, args.json)
            .map_err(anyhow::Error::msg);
    }
    let listener = args
        .listen
        .wire_options(ListenerConfig::new(DEFAULT_PORT))?;
    let root = temp.path().to_path_buf();
    let (director, lab) = LessonDirector::start(std::sync::Arc::new(scenario), root, args.seed)
        .map_err(anyhow::Error::msg)?;
    let start = LessonStart {
        text: lessons::built_in(&arg)
            .is_none()
            .then(|| std::fs::read_to_string(&arg).ok())
            .flatten(),
        lesson: arg,
        seed: args.seed,
        profile,
    };
    let header = Header::new(
        lab.config().clone(),
        Start::Lesson(start),
        listener.as_ref().map(|w| &w.config),
        true,
    );
    let options = LiveOptions {
        wire: listener,
        director: Some(Box::new(director)),
        schedule: Vec::new(),
        journal: args.record.open(&header, None)?,
    };
    run_live(lab, options, FrontEnd::Lesson)
}

/// The runtime of a live lab: the front end (dashboard or event stream) runs on the calling
/// thread, the driver and the wire connections on one worker. The cluster is one task anyway; a
/// second worker only adds cross-thread wake-ups and contends with the very clients a workshop
/// runs on the same laptop (with a CPU hog beside it, `bench_vs_peer.py` produce measured
/// 0.96–1.07 M records/s with one worker against 0.55–1.06 M with two).
pub(crate) fn live_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Which dashboard a live lab gets.
#[derive(Clone, Copy)]
enum FrontEnd {
    /// The default lab's.
    Lab,
    /// A lesson's, with its banner and keys.
    Lesson,
}

/// Live mode: the lab runs in real time behind the ratatui dashboard until `q` or Ctrl-C (or
/// streams its events when stdout is not a terminal).
fn run_live(lab: Lab, options: LiveOptions, front_end: FrontEnd) -> Result<()> {
    let runtime = live_runtime()?;
    runtime.block_on(async move {
        let (live, front) = live::start(lab, options).await?;
        if let Some(status) = &live.listener_status {
            eprintln!(
                "kafka-lab: {}",
                kafka_lab::text::io::listener_status(status)
            );
        }
        let result = if std::io::stdout().is_terminal() {
            match front_end {
                FrontEnd::Lab => kafka_lab::ui::run_dashboard(front).await,
                FrontEnd::Lesson => kafka_lab::ui::run_lesson_dashboard(front).await,
            }
        } else {
            eprintln!("kafka-lab: {}", kafka_lab::text::text("cli.streaming"));
            stream_events(front).await;
            Ok(())
        };
        // The driver stops once the front end has dropped its command sender.
        live.finish().await?;
        result
    })
}

/// The language asked for on the command line (`--lang zh`, `--lang=zh`), before clap parses it,
/// so `--help` and clap's errors are already in it; else the locale's.
fn lang_from_args() -> Lang {
    let args: Vec<String> = std::env::args().collect();
    let asked = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1).and_then(|v| v.parse().ok()),
            Some(v) => v.strip_prefix('=').and_then(|v| v.parse().ok()),
            None => None,
        });
    asked.unwrap_or_else(Lang::from_env)
}

fn main() {
    // Chosen once, before any text is shown, so a run never changes language midway.
    kafka_lab::text::set_lang(lang_from_args());
    let command = cli_text::localise(Cli::command(), kafka_lab::text::lang());
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Some(Cmd::Run(args)) => run(args, cli.profile),
        Some(Cmd::Bench(args)) => bench(args),
        Some(Cmd::Lesson(args)) => lesson(args, cli.profile),
        Some(Cmd::Replay(args)) => replay(args),
        Some(Cmd::Attach(args)) => attach(args),
        None => run(cli.run, cli.profile),
    };
    if let Err(e) = result {
        eprintln!("kafka-lab: {}", cli::listen::error_text(&e));
        std::process::exit(1);
    }
}
