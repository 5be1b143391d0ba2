//! `kafka-lab lesson --from-journal FILE`: a recorded run turned into a scenario skeleton (the
//! format of `docs/scenario-format.md`): the lab it started from, its topics, and one step per
//! action at the simulated time it happened, each with a caption and an `expect` to fill in.

use crate::clients::spec::{CommitMode, ConsumerSpec, KeyMode, OffsetReset, ProducerSpec};
use crate::cluster::config::ClusterConfig;
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::ClientId;
use crate::lab::Command;
use crate::lab::journal::{Input, Journal, Start};
use crate::lab::replay::Replay;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The scenario text for `journal` (a default lab's: a lesson's journal has its lesson already).
/// The run is replayed under `root` to learn which client each command named.
pub fn scenario_from_journal(journal: Journal, root: &Path) -> Result<String, String> {
    let Start::Commands(setup) = journal.header.start.clone() else {
        return Err(
            "this journal followed a lesson: that lesson's file already holds its steps".into(),
        );
    };
    let config = journal.header.config.clone();
    let lines = journal.lines.clone();
    let wire = lines
        .iter()
        .filter(|l| matches!(l.input, Input::Wire { .. }))
        .count();
    let mut out = String::new();
    let run_ms = lines.last().map_or(0, |l| l.t);
    head(&mut out, &config, wire, run_ms);
    let mut names = Names::default();
    // A bare lab: the setup's commands are applied below, one by one, to see each client's id.
    let mut bare = config.clone();
    bare.data_dir = root.join("setup");
    let mut lab = crate::lab::Lab::new(bare)?;
    // The setup's clients were spawned in order before the first step: ids 1, 2, ...
    let mut steps = String::new();
    for cmd in &setup {
        match cmd {
            Command::CreateTopic(t) => {
                topic(&mut out, t);
                let _ = lab.apply(Command::CreateTopic(t.clone()));
            }
            other => {
                let before = last_client(&lab);
                let _ = lab.apply(other.clone());
                if let Some(line) = step_for(other, &mut names, before, &lab) {
                    push_step(&mut steps, 0, &line);
                }
            }
        }
    }
    drop(lab);
    let mut replay = Replay::new(
        Replay::start_lab(&journal.header, &root.join("replay"))?,
        None,
        journal,
    );
    for line in &lines {
        let before = last_client(replay.lab());
        replay.apply_next().map_err(|e| e.to_string())?;
        let Input::Cmd(cmd) = &line.input else {
            continue;
        };
        if let Some(text) = step_for(cmd, &mut names, before, replay.lab()) {
            push_step(&mut steps, line.t, &text);
        }
    }
    out.push_str(&steps);
    Ok(out)
}

/// The id of the newest simulated client, to tell which one a spawn created.
fn last_client(lab: &crate::lab::Lab) -> ClientId {
    let p = lab.producers().map(|p| p.id).max().unwrap_or(0);
    let c = lab.consumers().map(|c| c.id).max().unwrap_or(0);
    p.max(c)
}

/// The names given to simulated clients, by id: a command naming a producer's id as a consumer
/// (refused in the run) makes no step.
#[derive(Default)]
struct Names {
    producers: BTreeMap<ClientId, String>,
    consumers: BTreeMap<ClientId, String>,
}

impl Names {
    fn producer(&self, id: ClientId) -> Option<&str> {
        self.producers.get(&id).map(String::as_str)
    }

    fn consumer(&self, id: ClientId) -> Option<&str> {
        self.consumers.get(&id).map(String::as_str)
    }
}

fn head(out: &mut String, config: &ClusterConfig, wire: usize, run_ms: i64) {
    let _ = writeln!(
        out,
        "# Written by `kafka-lab lesson --from-journal`: the run's actions at their times.\n\
         # Give each step a caption and add `expect`s (docs/scenario-format.md), then run it with\n\
         # `kafka-lab lesson THIS_FILE`."
    );
    if wire > 0 {
        let _ = writeln!(
            out,
            "# Real clients sent {wire} requests in this run; a lesson cannot replay them: run the\n\
             # same clients beside it."
        );
    }
    let _ = writeln!(out, "title = \"A recorded run\"");
    // Headless runs last at least as long as the recorded one did.
    let _ = writeln!(out, "duration = \"{run_ms}ms\"\n\n[lab]");
    let _ = writeln!(out, "brokers = {}\nseed = {}", config.brokers, config.seed);
    let _ = writeln!(out, "profile = \"{}\"", config.profile.name());
    let base = ClusterConfig::for_profile(config.profile, config.brokers, config.seed, "");
    let mut set = |name: &str, v: String, d: String| {
        if v != d {
            let _ = writeln!(out, "{name} = {v}");
        }
    };
    set(
        "broker_session_timeout_ms",
        config.broker_session_timeout_ms.to_string(),
        base.broker_session_timeout_ms.to_string(),
    );
    set(
        "replica_lag_time_max_ms",
        config.replica_lag_time_max_ms.to_string(),
        base.replica_lag_time_max_ms.to_string(),
    );
    set(
        "unclean_leader_election",
        config.unclean_leader_election.to_string(),
        base.unclean_leader_election.to_string(),
    );
    set(
        "auto_leader_rebalance",
        config.auto_leader_rebalance.to_string(),
        base.auto_leader_rebalance.to_string(),
    );
    set(
        "segment_bytes",
        config.log.segment_bytes.to_string(),
        base.log.segment_bytes.to_string(),
    );
}

fn topic(out: &mut String, t: &TopicSpec) {
    let _ = writeln!(
        out,
        "\n[[lab.topic]]\nname = {:?}\npartitions = {}\nreplication_factor = {}\nmin_insync_replicas = {}",
        t.name, t.partitions, t.replication_factor, t.min_insync_replicas
    );
}

fn push_step(steps: &mut String, t: i64, action: &str) {
    let _ = writeln!(
        steps,
        "\n[[step]]\nat = \"{}ms\"\n# caption = \"\"\n{action}\n# expect = {{ }}",
        t
    );
}

/// The step line for a command, or none for what a lesson does not script (speed, pause, a
/// refused command naming no client).
fn step_for(
    cmd: &Command,
    names: &mut Names,
    before: ClientId,
    lab: &crate::lab::Lab,
) -> Option<String> {
    let spawned = || Some(last_client(lab)).filter(|id| *id > before);
    Some(match cmd {
        Command::KillBroker(b) => format!("kill_broker = {b}"),
        Command::ShutdownBroker(b) => format!("shutdown_broker = {b}"),
        Command::RestartBroker(b) => format!("restart_broker = {b}"),
        Command::SetBrokerSlow(b, true) => format!("slow_broker = {b}"),
        Command::SetBrokerSlow(b, false) => format!("resume_broker = {b}"),
        Command::CreateTopic(t) => format!(
            "create_topic = {{ name = {:?}, partitions = {}, replication_factor = {} }}",
            t.name, t.partitions, t.replication_factor
        ),
        Command::DeleteTopic(t) => format!("delete_topic = {t:?}"),
        Command::AddPartitions { topic, partitions } => {
            format!("add_partitions = {{ topic = {topic:?}, partitions = {partitions} }}")
        }
        // Scenario files cannot script controllers yet: the skeleton keeps the action as a comment.
        Command::KillController(id) => {
            format!("# kill controller {id} (not a scenario action yet)")
        }
        Command::RestartController(id) => {
            format!("# restart controller {id} (not a scenario action yet)")
        }
        Command::ResetOffsets { group, topic, to } => format!(
            "# reset the offsets of {group} on {} to {to} (not a scenario action yet)",
            topic.as_deref().unwrap_or("all its topics")
        ),
        Command::SpawnProducer(p) => {
            let id = spawned()?;
            let name = p.client_id.clone().unwrap_or(format!("producer-{id}"));
            let line = producer(&name, p);
            names.producers.insert(id, name);
            line
        }
        Command::SpawnConsumer(c) => {
            let id = spawned()?;
            let name = c.client_id.clone().unwrap_or(format!("consumer-{id}"));
            let line = consumer(&name, c);
            names.consumers.insert(id, name);
            line
        }
        Command::StopProducer(id) => format!("stop_producer = {:?}", names.producer(*id)?),
        Command::KillProducer(id) => format!("kill_producer = {:?}", names.producer(*id)?),
        Command::SetProducerPaused(id, true) => {
            format!("pause_producer = {:?}", names.producer(*id)?)
        }
        Command::SetProducerPaused(id, false) => {
            format!("resume_producer = {:?}", names.producer(*id)?)
        }
        Command::SetProducerRate(id, r) => {
            format!(
                "set_config = {{ producer = {:?}, rate = {r} }}",
                names.producer(*id)?
            )
        }
        Command::KillConsumer(id) => format!("kill_consumer = {:?}", names.consumer(*id)?),
        Command::CloseConsumer(id) => format!("close_consumer = {:?}", names.consumer(*id)?),
        Command::SetSpeed(_)
        | Command::SetPaused(_)
        | Command::Note(_)
        | Command::Director(_)
        | Command::Travel(_) => {
            return None;
        }
    })
}

fn producer(name: &str, p: &ProducerSpec) -> String {
    let keys = match p.key_mode {
        KeyMode::Keyed { distinct_keys } => format!(", keys = {distinct_keys}"),
        KeyMode::None => String::new(),
    };
    let txn = match &p.transactional_id {
        Some(id) => format!(
            ", transactional_id = {id:?}, transaction_timeout_ms = {}, commit_interval_ms = {}",
            p.transaction_timeout_ms, p.commit_interval_ms
        ),
        None => String::new(),
    };
    format!(
        "spawn_producer = {{ name = {name:?}, topic = {:?}, rate = {}, acks = \"{}\"{keys}, linger_ms = {}, value_bytes = {}{txn} }}",
        p.topic, p.rate_per_sec, p.acks, p.linger_ms, p.value_bytes
    )
}

fn consumer(name: &str, c: &ConsumerSpec) -> String {
    let commit = match c.commit_mode {
        CommitMode::Auto { .. } => "auto".to_string(),
        CommitMode::EveryRecords { records: 1 } => "each".to_string(),
        CommitMode::EveryRecords { records } => format!("every:{records}"),
        CommitMode::Never => "never".to_string(),
    };
    let reset = match c.auto_offset_reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
        OffsetReset::None => "none",
    };
    format!(
        "spawn_consumer = {{ name = {name:?}, group = {:?}, topic = {:?}, commit = \"{commit}\", offset_reset = \"{reset}\", assignor = \"{}\", session_timeout_ms = {} }}",
        c.group_id,
        c.topics.first().map(String::as_str).unwrap_or(""),
        c.assignor.protocol_name(),
        c.session_timeout_ms
    )
}
