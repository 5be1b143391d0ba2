//! Lessons and scenario files: every built-in lesson tells the truth (all its expectations hold
//! when it runs headless), bad files are refused before anything starts with file, line and
//! column, and a false expectation fails the run with a clear message.

use kafka_lab::cluster::config::Profile;
use kafka_lab::scenario::headless::OutputFormat;
use kafka_lab::scenario::lessons::{BUILT_IN, built_in};
use kafka_lab::scenario::model::Action;
use kafka_lab::scenario::model::Scenario;
use kafka_lab::scenario::parse::parse_scenario;
use kafka_lab::scenario::story::run_story;
use std::process::Command;

/// Runs a built-in lesson headless under `profile` (its own, if it names one) and checks that
/// every expectation held.
fn run_lesson_under(name: &str, profile: Profile) {
    let scenario = built_in(name)
        .expect("a built-in lesson")
        .unwrap_or_else(|e| panic!("{e}"))
        .under_profile(profile)
        .unwrap_or_else(|e| panic!("{name} under {profile}: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let mut story = Vec::new();
    let report = run_story(&scenario, dir.path(), None, OutputFormat::Text, &mut story)
        .unwrap_or_else(|e| panic!("{name} under {profile}: {e}"));
    let story = String::from_utf8_lossy(&story);
    assert!(!report.results.is_empty(), "{name} checks nothing");
    assert!(
        report.failures().is_empty(),
        "{name} under {profile}: {:#?}\n{story}",
        report.failures()
    );
    assert!(story.contains("expectations passed"), "{story}");
}

/// Runs a lesson under both profiles: Kafka 4.1's defaults and the teaching one. A lesson that
/// relies on the teaching profile's timers must name it, say so to the room, be refused under
/// `--profile kafka`, and really fail there (so the claim never goes stale).
fn run_lesson(name: &str) {
    let scenario = built_in(name).unwrap().unwrap();
    match scenario.lab.profile {
        None => {
            run_lesson_under(name, Profile::Teaching);
            run_lesson_under(name, Profile::Kafka);
        }
        Some(Profile::Teaching) => {
            run_lesson_under(name, Profile::Teaching);
            let says_so = std::iter::once(scenario.title.as_str())
                .chain(scenario.steps.iter().filter_map(|s| s.caption.as_deref()))
                .any(|t| t.contains("teaching profile"));
            assert!(
                says_so,
                "{name} needs the teaching profile but never says so"
            );
            let refused = scenario.clone().under_profile(Profile::Kafka);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.contains("--profile teaching")),
                "{name}: {:?}",
                refused.map(|_| ())
            );
            assert!(
                fails_under_kafka(scenario),
                "{name} names the teaching profile but passes under Kafka's defaults"
            );
        }
        Some(other) => panic!("{name} names profile {other}: built-in lessons run under teaching"),
    }
}

/// Whether a lesson, its profile claim removed, cannot start or fails a check under Kafka's defaults.
fn fails_under_kafka(mut scenario: Scenario) -> bool {
    scenario.lab.profile = None;
    let Ok(scenario) = scenario.under_profile(Profile::Kafka) else {
        return true;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut story = Vec::new();
    match run_story(&scenario, dir.path(), None, OutputFormat::Text, &mut story) {
        Err(_) => true,
        Ok(report) => !report.failures().is_empty(),
    }
}

macro_rules! lesson_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                run_lesson($name);
            }
        )*

        #[test]
        fn every_built_in_lesson_has_a_test() {
            let tested = [$($name),*];
            for (name, _) in BUILT_IN {
                assert!(tested.contains(name), "lesson {name} has no test here");
            }
        }
    };
}

lesson_tests! {
    experiment_1_consumer_reads_every_record_in_order => "experiment-1",
    experiment_2_killed_consumer_hands_partition_to_peer => "experiment-2",
    experiment_3_committed_offset_survives_restart => "experiment-3",
    leader_failover_moves_leadership_and_loses_nothing => "leader-failover",
    controller_quorum_reelects_and_stalls_below_a_majority => "controller-quorum",
    replicated_log_truncates_the_old_leaders_uncommitted_tail => "replicated-log",
    slow_follower_leaves_isr_and_rejoins => "slow-follower",
    acks_1_unclean_election_loses_acked_records_acks_all_does_not => "acks-and-unclean-election",
    eager_revokes_everything_cooperative_only_what_moves => "eager-vs-cooperative",
    kip848_survivor_keeps_reading_while_the_classic_one_stops => "new-consumer-protocol",
    keyed_records_stay_in_order_per_key => "keyed-order",
    idempotent_producer_stores_retries_once_and_keeps_key_order => "idempotence",
    exactly_once_reads_committed_transactions_only_and_fences_the_zombie => "exactly-once",
    retention_deletes_segments_and_offset_reset_moves_consumer => "retention-and-reset",
}

/// The lesson's point happens, not only its checks: the restarted ex-leader truncates its
/// divergent tail, and the timeline says so.
#[test]
fn replicated_log_lesson_shows_a_truncation() {
    let scenario = built_in("replicated-log").unwrap().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut story = Vec::new();
    run_story(&scenario, dir.path(), None, OutputFormat::Text, &mut story).unwrap();
    let story = String::from_utf8_lossy(&story);
    let line = story
        .lines()
        .find(|l| l.contains("truncated to offset"))
        .unwrap_or_else(|| panic!("no truncation in:\n{story}"));
    assert!(
        line.contains("log-0@1") && line.contains("divergent tail"),
        "{line}"
    );
    // Its recovery is on the timeline: fenced until a heartbeat, then caught up fetch by fetch.
    let unfenced = story.find("broker 1 unfenced").expect("unfenced line");
    let rejoined = story
        .find("log-0@1 rejoined the ISR")
        .unwrap_or_else(|| panic!("no rejoin line in:\n{story}"));
    assert!(unfenced < rejoined, "{story}");
}

const HEADER: &str = r#"title = "t"
[lab]
brokers = 3
[[lab.topic]]
name = "test"
partitions = 2
"#;

fn parse_err(body: &str) -> String {
    let source = format!("{HEADER}{body}");
    parse_scenario("bad.toml", "bad", &source)
        .expect_err("the scenario must be refused")
        .to_string()
}

#[test]
fn syntax_error_reports_file_line_and_column() {
    let e = parse_err("[[step]]\nat = \"1s\n");
    assert!(e.starts_with("bad.toml:8:"), "{e}");
    let e = parse_err("[[step]]\nat = 5s\n");
    assert!(e.starts_with("bad.toml:8:6:"), "{e}");
    assert!(e.contains("at = 5s") && e.contains('^'), "{e}");
}

#[test]
fn unknown_action_is_refused_with_the_known_ones() {
    let e = parse_err("[[step]]\nexplode_broker = 1\n");
    assert!(e.starts_with("bad.toml:8:1:"), "{e}");
    assert!(e.contains("unknown field `explode_broker`"), "{e}");
    assert!(e.contains("kill_broker"), "{e}");
}

/// As Kafka's consumer: under `group.protocol=consumer` the broker owns the session, heartbeat
/// and assignor; asking for them, or for a remote assignor without that protocol, is refused.
#[test]
fn kip848_consumer_settings_the_broker_owns_are_refused() {
    let c = |extra: &str| {
        format!(
            "[[step]]\nspawn_consumer = {{ name = \"A\", group = \"g\", topic = \"test\"{extra} }}\n"
        )
    };
    let e = parse_err(&c(
        ", group_protocol = \"consumer\", session_timeout_ms = 10000",
    ));
    assert!(e.contains("session_timeout_ms is not supported"), "{e}");
    let e = parse_err(&c(", group_protocol = \"consumer\", assignor = \"range\""));
    assert!(e.contains("assignor is not supported"), "{e}");
    let e = parse_err(&c(", remote_assignor = \"uniform\""));
    assert!(e.contains("remote_assignor needs group_protocol"), "{e}");
    let e = parse_err(&c(
        ", group_protocol = \"consumer\", remote_assignor = \"sticky\"",
    ));
    assert!(e.contains("expected \"uniform\" or \"range\""), "{e}");
    let e = parse_err(&c(", group_protocol = \"new\""));
    assert!(e.contains("classic or consumer"), "{e}");
    let e = parse_err(
        &c(", partitioner = \"x\"")
            .replace("spawn_consumer", "spawn_producer")
            .replace(", group = \"g\"", ""),
    );
    assert!(e.contains("sticky or round-robin"), "{e}");
}

#[test]
fn wrong_type_says_what_was_found_and_expected() {
    let e = parse_err("[[step]]\nkill_consumer = 3\n");
    assert!(e.contains("bad.toml:8:"), "{e}");
    assert!(e.contains("string"), "{e}");
}

#[test]
fn missing_broker_topic_and_clients_are_refused_before_running() {
    let e = parse_err("[[step]]\nkill_broker = 4\n");
    assert!(
        e.starts_with("bad.toml:8:1:") && e.contains("broker 4 does not exist"),
        "{e}"
    );
    let e = parse_err("[[step]]\nspawn_producer = { name = \"P\", topic = \"nope\" }\n");
    assert!(e.contains("topic \"nope\" does not exist"), "{e}");
    let e = parse_err("[[step]]\nkill_consumer = \"ghost\"\n");
    assert!(e.contains("no consumer named \"ghost\""), "{e}");
    let e = parse_err("[[step]]\nstop_producer = \"ghost\"\n");
    assert!(e.contains("no producer named \"ghost\""), "{e}");
    let e = parse_err("[[step]]\nexpect = { partition = \"test-7\", leader = 1 }\n");
    assert!(e.contains("partitions 0..=1"), "{e}");
    let e = parse_err("[[step]]\nexpect = { group = \"g\", state = \"Stable\" }\n");
    assert!(e.contains("no consumer joined group \"g\""), "{e}");
    // A consumer must be spawned before a step names it, not after.
    let e = parse_err(
        "[[step]]\nkill_consumer = \"A\"\n[[step]]\nspawn_consumer = { name = \"A\", group = \"g\", topic = \"test\" }\n",
    );
    assert!(e.contains("no consumer named \"A\""), "{e}");
}

#[test]
fn a_step_does_one_thing() {
    let e = parse_err("[[step]]\nkill_broker = 1\nrestart_broker = 1\n");
    assert!(e.contains("a step does one thing"), "{e}");
    let e = parse_err("[[step]]\nat = \"1s\"\non = \"key\"\ncaption = \"x\"\n");
    assert!(e.contains("one of at, after or on"), "{e}");
    let e = parse_err("[[step]]\non = \"click\"\ncaption = \"x\"\n");
    assert!(e.contains("expected on = \"key\""), "{e}");
}

#[test]
fn producer_settings_and_idempotence_checks_follow_kafkas_rules() {
    let p = "[[step]]\nspawn_producer = { name = \"P\", topic = \"test\", ";
    let e = parse_err(&format!("{p}acks = 1, enable_idempotence = true }}\n"));
    assert!(e.contains("enable_idempotence = true needs acks"), "{e}");
    let e = parse_err(&format!(
        "{p}max_in_flight = 6, enable_idempotence = true }}\n"
    ));
    assert!(e.contains("max.in.flight.requests.per.connection"), "{e}");
    let e = parse_err(&format!("{p}delivery_timeout_ms = 1000 }}\n"));
    assert!(e.contains("delivery.timeout.ms must be at least"), "{e}");
    let e = parse_err(
        "[[step]]\nspawn_consumer = { name = \"A\", group = \"g\", topic = \"test\", isolation_level = \"committed\" }\n",
    );
    assert!(
        e.contains("isolation.level must be read_uncommitted or read_committed"),
        "{e}"
    );
    let c = "[[step]]\nspawn_consumer = { name = \"A\", group = \"g\", topic = \"test\" }\n";
    let e = parse_err(&format!(
        "{c}[[step]]\nexpect = {{ consumer = \"A\", from = \"ghost\", duplicates = 0 }}\n"
    ));
    assert!(e.contains("no producer named \"ghost\""), "{e}");
    let e = parse_err(&format!(
        "{p}}}\n{c}[[step]]\nexpect = {{ consumer = \"A\", from = \"P\", read_at_least = 1 }}\n"
    ));
    assert!(e.contains("`from` picks one producer's records"), "{e}");
    let e = parse_err("[[step]]\nexpect = { broker = 1, duplicates = 0 }\n");
    assert!(e.contains("belongs to a consumer expectation"), "{e}");
    let ok = format!(
        "{HEADER}{p}max_in_flight = 8, request_timeout_ms = 2000 }}\n{c}\
         [[step]]\nexpect = {{ consumer = \"A\", from = \"P\", duplicates = 0, keys_in_order = false }}\n"
    );
    let parsed = parse_scenario("ok.toml", "ok", &ok).unwrap_or_else(|e| panic!("{e}"));
    let Some(Action::SpawnProducer(spec)) = &parsed.steps[0].action else {
        panic!("{:?}", parsed.steps[0].action)
    };
    assert!(
        !spec.enable_idempotence && spec.max_in_flight == 8,
        "more than 5 in flight turns the default idempotence off, as in Kafka"
    );
}

#[test]
fn transactional_producers_kill_pause_and_their_checks_parse_as_kafka_allows() {
    let p = "[[step]]\nspawn_producer = { name = \"P\", topic = \"test\", ";
    let e = parse_err(&format!("{p}acks = 1, transactional_id = \"job\" }}\n"));
    assert!(
        e.contains("transactional.id needs enable.idempotence=true"),
        "{e}"
    );
    let e = parse_err(&format!(
        "{p}transactional_id = \"job\", commit_interval_ms = 0 }}\n"
    ));
    assert!(e.contains("commit interval must be positive"), "{e}");
    let e = parse_err("[[step]]\npause_producer = \"ghost\"\n");
    assert!(e.contains("no producer named \"ghost\""), "{e}");
    let e = parse_err(&format!(
        "{p}}}\n[[step]]\nexpect = {{ producer = \"P\", state = \"Zombie\" }}\n"
    ));
    assert!(e.contains("found state = \"Zombie\""), "{e}");
    let e = parse_err("[[step]]\nexpect = { broker = 1, aborted_read = 0 }\n");
    assert!(e.contains("belongs to a consumer expectation"), "{e}");
    let c = "[[step]]\nspawn_consumer = { name = \"A\", group = \"g\", topic = \"test\" }\n";
    let ok = format!(
        "{HEADER}{p}transactional_id = \"job\", commit_interval_ms = 500, transaction_timeout_ms = 9000 }}\n{c}\
         [[step]]\npause_producer = \"P\"\n[[step]]\nresume_producer = \"P\"\n[[step]]\nkill_producer = \"P\"\n\
         [[step]]\nexpect = {{ producer = \"P\", state = \"Fenced\" }}\n\
         [[step]]\nexpect = {{ consumer = \"A\", aborted_read = 0 }}\n"
    );
    let parsed = parse_scenario("ok.toml", "ok", &ok).unwrap_or_else(|e| panic!("{e}"));
    let Some(Action::SpawnProducer(spec)) = &parsed.steps[0].action else {
        panic!("{:?}", parsed.steps[0].action)
    };
    assert_eq!(spec.transactional_id.as_deref(), Some("job"));
    assert_eq!(
        (spec.commit_interval_ms, spec.transaction_timeout_ms),
        (500, 9_000)
    );
    assert_eq!(
        parsed.steps[2].action,
        Some(Action::PauseProducer("P".into(), true))
    );
    assert_eq!(
        parsed.steps[3].action,
        Some(Action::PauseProducer("P".into(), false))
    );
    assert_eq!(
        parsed.steps[4].action,
        Some(Action::KillProducer("P".into()))
    );
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
}

#[test]
fn a_false_expectation_fails_the_headless_run_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.toml");
    std::fs::write(
        &path,
        format!(
            "{HEADER}[[step]]\nspawn_producer = {{ name = \"P\", topic = \"test\", rate = 5 }}\n\
             [[step]]\nafter = \"5s\"\nexpect = {{ partition = \"test-0\", hw_at_least = 1000000 }}\n"
        ),
    )
    .unwrap();
    let out = bin()
        .args(["lesson", path.to_str().unwrap(), "--headless"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("FAIL [2/2] partition test-0 HW ≥ 1000000"),
        "{stdout}"
    );
    assert!(stderr.contains("1 of 1 expectations failed"), "{stderr}");
    assert!(
        stderr.contains("(line 9)") && stderr.contains("but the HW is"),
        "{stderr}"
    );
}

#[test]
fn a_bad_file_fails_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, format!("{HEADER}[[step]]\nkill_broker = 9\n")).unwrap();
    let out = bin()
        .args(["lesson", path.to_str().unwrap(), "--headless"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("bad.toml:8:1: broker 9 does not exist"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn lesson_lists_the_built_in_lessons_and_refuses_unknown_names() {
    let out = bin().arg("lesson").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for (name, _) in BUILT_IN {
        assert!(stdout.contains(name), "{stdout}");
    }
    let out = bin().args(["lesson", "no-such-lesson"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("built-in lessons are experiment-1"));
}

#[test]
fn headless_lesson_prints_pass_lines_and_exits_zero() {
    let out = bin()
        .args(["lesson", "experiment-2", "--headless"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("PASS [8/8]"), "{stdout}");
    assert!(
        stdout.contains("lesson experiment-2: 4 of 4 expectations passed"),
        "{stdout}"
    );
}

#[test]
fn a_scenario_names_its_profile_and_an_unknown_one_is_refused_where_written() {
    let source = "title = \"t\"\n[lab]\nprofile = \"fast\"\n";
    let e = parse_scenario("bad.toml", "bad", source)
        .expect_err("an unknown profile")
        .to_string();
    assert!(e.starts_with("bad.toml:3:11:"), "{e}");
    assert!(e.contains("expected teaching or kafka"), "{e}");
    let ok = "title = \"t\"\n[lab]\nprofile = \"kafka\"\n";
    let s = parse_scenario("ok.toml", "ok", ok).expect("a kafka-profile scenario");
    assert_eq!(s.lab.profile, Some(Profile::Kafka));
    let refused = s.under_profile(Profile::Teaching).map(|_| ()).unwrap_err();
    assert!(refused.contains("--profile kafka"), "{refused}");
}

#[test]
fn show_log_names_an_existing_partition_and_the_status_carries_it_once_the_step_ran() {
    let source = format!(
        "{HEADER}[[step]]\ncaption = \"look\"\nshow_log = \"test-1\"\n[[step]]\non = \"key\"\ncaption = \"later\"\n"
    );
    let scenario = parse_scenario("ok.toml", "ok", &source).unwrap();
    let tp = kafka_lab::cluster::types::TopicPartition::new("test", 1);
    assert_eq!(scenario.steps[0].show_log, Some(tp.clone()));
    assert_eq!(scenario.steps[1].show_log, None);
    // A step with only show_log does something.
    parse_scenario(
        "ok.toml",
        "ok",
        &format!("{HEADER}[[step]]\nshow_log = \"test-0\"\n"),
    )
    .unwrap();
    let e = parse_err("[[step]]\ncaption = \"x\"\nshow_log = \"test-9\"\n");
    assert!(
        e.starts_with("bad.toml:9:1:") && e.contains("partitions 0..=1"),
        "{e}"
    );
    let e = parse_err("[[step]]\nshow_log = \"nope-0\"\n");
    assert!(e.contains("topic \"nope\""), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let mut lab = kafka_lab::scenario::runner::build_lab(&scenario, dir.path(), None).unwrap();
    let mut runner = kafka_lab::scenario::runner::LessonRunner::new(
        std::sync::Arc::new(scenario),
        kafka_lab::scenario::runner::KeyPolicy::Wait,
    );
    assert_eq!(runner.status().show_log, None, "no step ran yet");
    runner.tick(&mut lab);
    assert_eq!(runner.status().show_log, Some(tp), "kept after later steps");
}
