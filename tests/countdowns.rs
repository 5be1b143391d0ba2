//! Every wait Kafka makes shows in the snapshot as simulated-ms instants a countdown can read:
//! a killed consumer's silence, a killed broker's silence until the controller elects, a lagging
//! follower, a group's initial rebalance delay, retention's next check; and a down leader's
//! partition keeps its last known offsets and lag (issue 12 bug 1).

mod common;

use common::{TestLab, tp};
use kafka_lab::clients::spec::{CommitMode, ConsumerSpec, OffsetReset, ProducerSpec};
use kafka_lab::cluster::snapshot::{BrokerState, ReplicaRole};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::LabSnapshot;

const GROUP: &str = "lab-group";

fn lab_with_topic() -> TestLab {
    // Dedicated controllers: killing a broker then counts its session down from the kill, with
    // no controller failover restarting the count.
    let mut t = TestLab::new(3, 7, |c| c.controllers = 3);
    t.lab
        .create_topic(TopicSpec::new("test", 1, 3))
        .expect("topic");
    t.run_for(500);
    t
}

fn consumer_spec(session_timeout_ms: u64) -> ConsumerSpec {
    let mut c = ConsumerSpec::new(GROUP, "test");
    c.client_id = Some("consumer-A".into());
    c.commit_mode = CommitMode::Auto { interval_ms: 1_000 };
    c.auto_offset_reset = OffsetReset::Earliest;
    c.session_timeout_ms = session_timeout_ms;
    c
}

fn partition(
    snap: &LabSnapshot,
    tp: &TopicPartition,
) -> kafka_lab::cluster::snapshot::PartitionSnapshot {
    snap.partitions
        .iter()
        .find(|p| &p.tp == tp)
        .cloned()
        .expect("partition in snapshot")
}

#[test]
fn killed_consumer_shows_time_since_its_last_heartbeat_until_its_session_expires() {
    let mut t = lab_with_topic();
    let id = t
        .lab
        .spawn_consumer(consumer_spec(10_000))
        .expect("consumer");
    assert!(t.run_until(20_000, |l| {
        l.snapshot()
            .groups
            .first()
            .is_some_and(|g| g.members.iter().any(|m| !m.assigned.is_empty()))
    }));
    t.lab.kill_consumer(id).expect("kill");
    let killed_at = t.lab.now_ms();
    let before = t.lab.snapshot().groups[0].members[0].clone();
    assert_eq!(before.session_timeout_ms, 10_000);
    assert!(before.last_heartbeat_ms <= killed_at);
    t.run_for(4_000);
    let m = t.lab.snapshot().groups[0].members[0].clone();
    // No heartbeat since the kill: the countdown's clock is the lab's, step for step.
    assert_eq!(m.last_heartbeat_ms, before.last_heartbeat_ms);
    let elapsed = t.lab.now_ms() - m.last_heartbeat_ms;
    assert!((4_000..4_000 + 3_000 + 10).contains(&elapsed), "{elapsed}");
    t.run_for(10_000);
    assert!(t.lab.snapshot().groups[0].members.is_empty());
}

#[test]
fn killed_leader_counts_down_to_the_election_and_keeps_its_last_known_offsets_and_lag() {
    let mut t = lab_with_topic();
    let test0 = tp("test", 0);
    let producer = t
        .lab
        .spawn_producer(ProducerSpec::new("test", 50.0))
        .expect("producer");
    let consumer = t
        .lab
        .spawn_consumer(consumer_spec(45_000))
        .expect("consumer");
    t.run_for(6_000);
    // The consumer stops where it is: the lag then stays put while the producer adds records.
    t.lab.kill_consumer(consumer).expect("kill consumer");
    t.run_for(2_000);
    t.lab.stop_producer(producer).expect("stop producer");
    t.run_for(1_000);
    let before = t.lab.snapshot();
    let p_before = partition(&before, &test0);
    let lag_before = before.groups[0].partitions[0].lag;
    assert!(
        lag_before.is_some_and(|l| l > 0),
        "the group lags before the kill"
    );
    let leader = p_before.leader.expect("leader");
    let disk_before = before
        .brokers
        .iter()
        .find(|b| b.id == leader)
        .expect("b")
        .bytes_on_disk;

    t.lab.kill_broker(leader).expect("kill broker");
    t.run_for(3_000);
    let snap = t.lab.snapshot();
    let b = snap
        .brokers
        .iter()
        .find(|b| b.id == leader)
        .expect("broker");
    assert_eq!(b.state, BrokerState::Down);
    let silent_since = b
        .silent_since_ms
        .expect("the controller has not noticed yet");
    assert!(snap.now_ms - silent_since >= 3_000);
    assert!(snap.now_ms - silent_since < snap.settings.broker_session_timeout_ms);
    assert_eq!(b.partitions_led, 0, "a down broker serves nothing");
    assert!(b.leaderless >= 1, "what it led waits for the controller");
    assert_eq!(
        b.bytes_on_disk, disk_before,
        "last known disk size, not 0 B"
    );
    let p = partition(&snap, &test0);
    assert!(p.leader_down);
    assert_eq!(
        p.high_watermark, p_before.high_watermark,
        "last known HW, not -1"
    );
    assert_eq!(p.log_end_offset, p_before.log_end_offset);
    assert_eq!(p.size_bytes, p_before.size_bytes);
    let gp = &snap.groups[0].partitions[0];
    assert!(gp.stale);
    assert_eq!(
        gp.lag, lag_before,
        "the lag keeps its last known value, not 0"
    );
    let offline = p
        .replica_states
        .iter()
        .find(|r| r.broker == leader)
        .expect("replica");
    assert_eq!(offline.role, ReplicaRole::Offline);
    assert_eq!(offline.log_end_offset, p_before.log_end_offset);

    // The session expires broker.session.timeout.ms after the last heartbeat; the election follows.
    let timeout = snap.settings.broker_session_timeout_ms;
    assert!(t.run_until(timeout, |l| {
        let s = l.snapshot();
        s.brokers
            .iter()
            .any(|b| b.id == leader && b.silent_since_ms.is_none())
    }));
    let snap = t.lab.snapshot();
    let expired_after = snap.now_ms - silent_since;
    assert!(
        (timeout..timeout + 20).contains(&expired_after),
        "{expired_after}"
    );
    let p = partition(&snap, &test0);
    assert!(!p.leader_down);
    assert_ne!(p.leader, Some(leader));
    let b = snap
        .brokers
        .iter()
        .find(|b| b.id == leader)
        .expect("broker");
    assert_eq!(b.leaderless, 0);
    assert!(!snap.groups[0].partitions[0].stale);
}

#[test]
fn slow_follower_shows_its_lag_time_until_it_leaves_the_isr() {
    let mut t = lab_with_topic();
    let test0 = tp("test", 0);
    t.lab
        .spawn_producer(ProducerSpec::new("test", 50.0))
        .expect("producer");
    t.run_for(2_000);
    let leader = t.lab.leader_of(&test0).expect("leader");
    let follower = (1..=3).find(|b| *b != leader).expect("follower");
    t.lab.set_broker_slow(follower, true).expect("slow");
    t.run_for(4_000);
    let snap = t.lab.snapshot();
    let r = partition(&snap, &test0)
        .replica_states
        .into_iter()
        .find(|r| r.broker == follower)
        .expect("replica");
    assert_eq!(r.role, ReplicaRole::InSync);
    let since = r.behind_since_ms.expect("behind");
    assert!(snap.now_ms - since >= 3_900, "{}", snap.now_ms - since);
    let lag_max = snap.settings.replica_lag_time_max_ms;
    assert!(t.run_until(lag_max, |l| {
        !partition(&l.snapshot(), &test0).isr.contains(&follower)
    }));
    let r = partition(&t.lab.snapshot(), &test0)
        .replica_states
        .into_iter()
        .find(|r| r.broker == follower)
        .expect("replica");
    assert_eq!(r.role, ReplicaRole::OutOfSync);
    assert_eq!(r.behind_since_ms, None, "the countdown ends with the wait");
}

#[test]
fn first_member_of_an_empty_group_waits_the_initial_rebalance_delay() {
    let mut t = lab_with_topic();
    let joined_by = t.lab.now_ms();
    t.lab
        .spawn_consumer(consumer_spec(10_000))
        .expect("consumer");
    assert!(t.run_until(2_000, |l| {
        l.snapshot()
            .groups
            .first()
            .is_some_and(|g| g.rebalance.is_some())
    }));
    let snap = t.lab.snapshot();
    let wait = snap.groups[0].rebalance.clone().expect("join phase");
    let delay = snap.settings.group_initial_rebalance_delay_ms;
    let until = wait.initial_delay_until_ms.expect("initial delay");
    assert_eq!(until, wait.started_ms + delay);
    assert!(wait.started_ms >= joined_by && until > snap.now_ms);
    assert_eq!(wait.joined, 1);
    assert!(wait.deadline_ms >= until);
    assert!(t.run_until(delay + 1_000, |l| {
        l.snapshot().groups[0].rebalance.is_none()
    }));
    assert!(t.lab.now_ms() >= until);
}

#[test]
fn retention_check_is_due_within_its_interval() {
    let mut t = lab_with_topic();
    let interval = t.lab.snapshot().settings.retention_check_interval_ms;
    for _ in 0..3 {
        t.run_for(interval / 2 + 10);
        let snap = t.lab.snapshot();
        let next = snap.next_retention_check_ms;
        assert!(
            next > snap.now_ms && next <= snap.now_ms + interval,
            "{next}"
        );
    }
}

/// The dashboard drawn from a real lab 4 s into two waits: consumer-A and test-0's leader killed.
fn screen_after_kills(width: u16, height: u16) -> String {
    use kafka_lab::cluster::config::ClusterConfig;
    use kafka_lab::lab::Lab;
    use kafka_lab::scenario::default_lab::DefaultLab;
    use kafka_lab::ui::app::App;
    use kafka_lab::ui::theme::Theme;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let dir = tempfile::tempdir().expect("dir");
    // Dedicated controllers: test-0's leader is broker 1, which in combined mode is the active
    // controller too, and a controller failover would restart the session count.
    let mut config = ClusterConfig::new(3, 7, dir.path());
    config.controllers = 3;
    let mut lab = Lab::new(config).expect("lab");
    let default = DefaultLab {
        session_timeout_ms: 10_000,
        ..DefaultLab::default()
    };
    default.install(&mut lab).expect("default lab");
    lab.advance_by(20_000);
    let victim = lab.consumers().next().expect("consumer").id;
    lab.kill_consumer(victim).expect("kill consumer");
    let leader = lab.leader_of(&tp("test", 0)).expect("leader");
    lab.kill_broker(leader).expect("kill broker");
    lab.advance_by(4_000);
    let mut app = App::new(Theme::monochrome(), width, height);
    app.set_snapshot(lab.snapshot());
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| kafka_lab::ui::view::draw(f, &app))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dashboard_counts_down_a_killed_broker_and_a_killed_consumer_on_their_rows() {
    for (w, h) in [(80, 24), (160, 48)] {
        let shown = screen_after_kills(w, h);
        let broker = shown
            .lines()
            .find(|l| l.contains("DOWN"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(broker.contains("4.0s/9s"), "{w}x{h}: {broker}");
        assert!(shown.contains("broker.session.timeout.ms"), "{w}x{h}");
        let consumer = shown
            .lines()
            .find(|l| l.contains("consumer-A") && l.contains("killed"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(consumer.contains("/10s"), "{w}x{h}: {consumer}");
        let partition = shown
            .lines()
            .find(|l| l.contains("test-0") && l.contains('↓'))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(
            partition.contains('~') && !partition.contains("-1"),
            "{w}x{h}: {partition}"
        );
    }
}
