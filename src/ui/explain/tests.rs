//! Explanations name this lab's values: change a config in the fixture and see it in the text.

use super::*;
use crate::cluster::event::{Event, EventKind};
use crate::ui::fixture;

fn all_text(x: &Explanation) -> String {
    format!("{}\n{}", x.title, x.paragraphs.join("\n"))
}

fn at(kind: EventKind) -> Event {
    Event {
        at_ms: 1_000,
        time: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH + chrono::Duration::milliseconds(1_000),
        kind,
    }
}

/// No text key left unresolved and no `{placeholder}` left unfilled.
fn assert_whole(x: &Explanation) {
    let t = all_text(x);
    assert!(!t.contains('{') && !t.contains('}'), "unfilled: {t}");
    for prefix in ["explain.", "help.", "panel."] {
        assert!(
            !t.split_whitespace().any(|w| w.starts_with(prefix)),
            "missing text key: {t}"
        );
    }
}

fn removed_by_timeout() -> Event {
    at(EventKind::MemberRemoved {
        group: "lab-group".into(),
        member_id: "consumer-A-1f2e".into(),
        reason: crate::cluster::event::RemovalReason::SessionTimeout {
            session_timeout_ms: 45_000,
        },
    })
}

#[test]
fn removed_member_names_its_session_timeout_and_heartbeat_and_the_clean_close() {
    let snap = fixture::snapshot();
    let x = explain(&snap, &Target::Event(Box::new(removed_by_timeout())), false);
    let t = all_text(&x);
    assert!(t.contains("consumer-A was removed"), "{t}");
    assert!(t.contains("session.timeout.ms=45000 ms"), "{t}");
    assert!(t.contains("heartbeat.interval.ms=3000 ms"), "{t}");
    assert!(t.contains("LeaveGroup"), "{t}");
    assert_whole(&x);
}

#[test]
fn a_smaller_session_timeout_in_the_lab_shows_in_the_killed_consumer_text() {
    let mut snap = fixture::snapshot();
    snap.consumers[0].session_timeout_ms = 12_000;
    snap.consumers[0].heartbeat_interval_ms = 1_500;
    snap.consumers[0].state = ConsumerState::Killed;
    let killed = at(EventKind::ConsumerKilled {
        client_id: "consumer-A".into(),
    });
    let t = all_text(&explain(&snap, &Target::Event(Box::new(killed)), false));
    assert!(t.contains("session.timeout.ms=12000 ms"), "{t}");
    assert!(t.contains("heartbeat.interval.ms=1500 ms"), "{t}");
    // Still a member, but killed: the member row explains the wait, not the heartbeats.
    let member = Target::Member {
        group: "lab-group".into(),
        member_id: "consumer-A-1f2e".into(),
    };
    let t = all_text(&explain(&snap, &member, false));
    assert!(t.contains("consumer-A was killed"), "{t}");
    assert!(t.contains("session.timeout.ms=12000 ms"), "{t}");
    // Removed from the group while the overlay is open: the consumer still explains itself.
    snap.groups[0].members.remove(0);
    let t = all_text(&explain(&snap, &member, false));
    assert!(t.contains("consumer-A was killed"), "{t}");
}

#[test]
fn running_member_names_heartbeats_commits_and_what_k_and_x_do() {
    let snap = fixture::snapshot();
    let member = Target::Member {
        group: "lab-group".into(),
        member_id: "consumer-B-9c0d".into(),
    };
    let x = explain(&snap, &member, false);
    let t = all_text(&x);
    assert!(
        t.contains("consumer-B (member consumer-B-9c0d) owns test-1"),
        "{t}"
    );
    assert!(t.contains("auto.commit.interval.ms=5000 ms"), "{t}");
    assert!(t.contains("Kill it (k)"), "{t}");
    assert_whole(&x);
}

#[test]
fn partition_names_leader_isr_offsets_min_isr_and_the_unclean_setting() {
    let mut snap = fixture::snapshot();
    let tp = TopicPartition::new("test", 1);
    let x = explain(&snap, &Target::Partition(tp.clone()), false);
    let t = all_text(&x);
    assert!(t.contains("Leader: broker 1, leader epoch 2"), "{t}");
    assert!(t.contains("HW 398, LEO 398"), "{t}");
    assert!(t.contains("min.insync.replicas=1"), "{t}");
    assert!(t.contains("Broker 2 left the ISR"), "{t}");
    assert!(t.contains("replica.lag.time.max.ms=10000 ms"), "{t}");
    assert!(t.contains("unclean.leader.election.enable=false"), "{t}");
    assert_whole(&x);
    snap.settings.unclean_leader_election = true;
    snap.topics[1].min_insync_replicas = 2;
    let t = all_text(&explain(&snap, &Target::Partition(tp.clone()), false));
    assert!(t.contains("unclean.leader.election.enable=true"), "{t}");
    assert!(t.contains("min.insync.replicas=2"), "{t}");
    assert!(!t.contains("ELR"), "no ELR, no paragraph: {t}");
    let p = snap.partitions.iter_mut().find(|p| p.tp == tp).unwrap();
    p.elr = vec![2];
    let t = all_text(&explain(&snap, &Target::Partition(tp), false));
    assert!(t.contains("Eligible leader replicas (ELR"), "{t}");
    assert!(t.contains("[2]"), "{t}");
}

#[test]
fn broker_names_the_session_timeout_and_the_kill_key_of_the_mode() {
    let mut snap = fixture::snapshot();
    snap.settings.broker_session_timeout_ms = 6_000;
    let x = explain(&snap, &Target::Broker(3), false);
    let t = all_text(&x);
    assert!(t.contains("Broker 3 is down"), "{t}");
    assert!(t.contains("broker.session.timeout.ms=6000 ms"), "{t}");
    assert!(t.contains("Kill it (b)"), "{t}");
    assert_whole(&x);
    let t = all_text(&explain(&snap, &Target::Broker(1), true));
    assert!(t.contains("active controller"), "{t}");
    assert!(t.contains("Kill it (B)"), "{t}");
}

#[test]
fn group_names_state_generation_assignor_and_lag_as_hw_minus_committed() {
    let snap = fixture::snapshot();
    let x = explain(&snap, &Target::Group("lab-group".into()), false);
    let t = all_text(&x);
    assert!(
        t.contains("State Stable, generation 3, assignor range"),
        "{t}"
    );
    // (409 − 400) + (398 − 390)
    assert!(t.contains("Total lag 17"), "{t}");
    assert!(t.contains("lag = HW − committed"), "{t}");
    assert_whole(&x);
}

#[test]
fn producer_names_acks_rate_and_min_isr() {
    let snap = fixture::snapshot();
    let x = explain(&snap, &Target::Producer(1), false);
    let t = all_text(&x);
    assert!(t.contains("sends 5 records/s to test with acks=all"), "{t}");
    assert!(t.contains("min.insync.replicas=1"), "{t}");
    assert!(
        t.contains("Idempotent") && t.contains("producer id 1"),
        "{t}"
    );
    assert_whole(&x);
    let mut snap = snap;
    snap.producers[0].idempotent = false;
    let t = all_text(&explain(&snap, &Target::Producer(1), false));
    assert!(t.contains("enable.idempotence=false"), "{t}");
    assert!(t.contains("stored again"), "{t}");
}

#[test]
fn a_subject_that_left_the_lab_says_so() {
    let snap = fixture::snapshot();
    let t = all_text(&explain(&snap, &Target::Broker(9), false));
    assert!(t.contains("broker 9 is no longer in the lab"), "{t}");
    let x = explain(&snap, &Target::Nothing, false);
    assert_eq!(x.title, "Explain");
    assert!(x.paragraphs[0].contains("press e again"), "{x:?}");
}

/// One event of every kind, so a new kind without a text fails here.
fn every_event_kind() -> Vec<EventKind> {
    use EventKind::*;
    let tp = || TopicPartition::new("test", 0);
    vec![
        LabStarted {
            brokers: 3,
            seed: 7,
        },
        TopicCreated {
            topic: "t".into(),
            partitions: 3,
            replication_factor: 2,
        },
        BrokerKilled { broker: 2 },
        BrokerShuttingDown { broker: 2 },
        BrokerStopped { broker: 2 },
        BrokerStarted { broker: 2 },
        BrokerSessionExpired { broker: 2 },
        BrokerUnfenced {
            broker: 2,
            fenced_ms: 2_000,
        },
        ReplicaCaughtUp {
            tp: tp(),
            broker: 2,
            after_ms: 2_430,
            records: 48,
        },
        BrokerSlow {
            broker: 2,
            slow: true,
        },
        BrokerSlow {
            broker: 2,
            slow: false,
        },
        ControllerMoved {
            from: Some(1),
            to: None,
        },
        LeaderElected {
            tp: tp(),
            leader: 2,
            leader_epoch: 5,
            reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 1 },
            source: crate::cluster::event::ElectionSource::Isr,
        },
        PartitionOffline { tp: tp() },
        UncleanLeaderElected {
            tp: tp(),
            leader: 3,
            records_lost: 4,
            first_lost_offset: 10,
        },
        IsrShrunk {
            tp: tp(),
            removed: vec![3],
            isr: vec![1, 2],
        },
        IsrExpanded {
            tp: tp(),
            added: vec![3],
            isr: vec![1, 2, 3],
        },
        HighWatermarkAdvanced {
            tp: tp(),
            high_watermark: 9,
        },
        SegmentRolled {
            tp: tp(),
            broker: 1,
            base_offset: 100,
        },
        SegmentsDeleted {
            tp: tp(),
            broker: 1,
            segments: 2,
            log_start_offset: 100,
        },
        LogTruncated {
            tp: tp(),
            broker: 1,
            to_offset: 5,
            records_dropped: 2,
            reason: crate::cluster::event::TruncationReason::DivergentTail { leader_epoch: 5 },
        },
        ProduceFailed {
            client: "producer-1".into(),
            tp: tp(),
            error: crate::cluster::event::ProduceError {
                error: crate::cluster::KafkaError::NotEnoughReplicas,
                retrying: false,
                expired_after_ms: None,
            },
        },
        ClientSpawned {
            id: 4,
            client_id: "consumer-C".into(),
            description: crate::cluster::event::ClientDescription::Consumer {
                group: "lab-group".into(),
                topics: "test".into(),
                assignor: "range".into(),
                commit: crate::cluster::event::CommitWords::Auto(5000),
                reset: "earliest".into(),
            },
        },
        ConsumerKilled {
            client_id: "consumer-A".into(),
        },
        ConsumerClosed {
            client_id: "consumer-A".into(),
        },
        ProducerStopped {
            client_id: "producer-1".into(),
        },
        ProducerKilled {
            client_id: "producer-1".into(),
        },
        ProducerPaused {
            client_id: "producer-1".into(),
            paused: true,
        },
        ProducerPaused {
            client_id: "producer-1".into(),
            paused: false,
        },
        ZombieFenced {
            client_id: "producer-1".into(),
            transactional_id: "copy-job".into(),
            epoch: 0,
            error: crate::cluster::error::KafkaError::InvalidProducerEpoch,
        },
        MemberJoined {
            group: "lab-group".into(),
            member_id: "m".into(),
            client_id: "consumer-C".into(),
        },
        removed_by_timeout().kind,
        MemberRemoved {
            group: "lab-group".into(),
            member_id: "consumer-B-9c0d".into(),
            reason: crate::cluster::event::RemovalReason::LeaveGroup,
        },
        MemberRemoved {
            group: "lab-group".into(),
            member_id: "x".into(),
            reason: crate::cluster::event::RemovalReason::RebalanceTimeout,
        },
        RebalanceStarted {
            group: "lab-group".into(),
            reason: crate::cluster::event::RebalanceReason::Joined { member: "m".into() },
        },
        GenerationAssigned {
            group: "lab-group".into(),
            generation: 4,
            assignor: "range".into(),
            assignment: vec![],
        },
        PartitionsRevoked {
            group: "lab-group".into(),
            member_id: "consumer-A-1f2e".into(),
            partitions: vec![tp()],
        },
        OffsetCommitted {
            group: "lab-group".into(),
            tp: tp(),
            offset: 40,
        },
        OffsetReset {
            group: "lab-group".into(),
            tp: tp(),
            offset: 0,
            policy: "earliest".into(),
        },
        ProducerEpochBumped {
            producer_id: 3,
            epoch: 1,
        },
        CoordinatorMoved {
            group: "lab-group".into(),
            broker: Some(2),
        },
        Check {
            passed: true,
            text: "PASS [1/2] x".into(),
        },
        Check {
            passed: false,
            text: "FAIL [2/2] y".into(),
        },
        Note {
            text: "hello".into(),
        },
    ]
}

#[test]
fn every_event_kind_has_a_whole_explanation() {
    let snap = fixture::snapshot();
    let mut seen = std::collections::HashSet::new();
    for kind in every_event_kind() {
        let e = at(kind);
        let x = explain(&snap, &Target::Event(Box::new(e.clone())), false);
        assert_eq!(x.paragraphs[0], e.kind.to_string());
        assert!(x.paragraphs.len() >= 2, "{x:?}");
        assert_whole(&x);
        seen.insert(x.paragraphs[1].clone());
    }
    // Distinct kinds get distinct texts, not one generic sentence.
    assert!(seen.len() >= 35, "{}", seen.len());
}

#[test]
fn session_expired_and_isr_shrunk_name_the_broker_timers() {
    let mut snap = fixture::snapshot();
    snap.settings.broker_session_timeout_ms = 7_500;
    snap.settings.replica_lag_time_max_ms = 4_000;
    let t = all_text(&explain(
        &snap,
        &Target::Event(Box::new(at(EventKind::BrokerSessionExpired { broker: 3 }))),
        false,
    ));
    assert!(t.contains("broker.session.timeout.ms=7500 ms"), "{t}");
    assert!(t.contains("broker.heartbeat.interval.ms=2000 ms"), "{t}");
    let shrunk = at(EventKind::IsrShrunk {
        tp: TopicPartition::new("test", 1),
        removed: vec![2],
        isr: vec![1],
    });
    let t = all_text(&explain(&snap, &Target::Event(Box::new(shrunk)), false));
    assert!(t.contains("replica.lag.time.max.ms=4000 ms"), "{t}");
    assert!(t.contains("Broker 2 left the ISR of test-1"), "{t}");
}

#[test]
fn every_target_of_the_fixture_is_whole() {
    let snap = fixture::snapshot();
    let mut targets = vec![Target::Nothing, Target::Group("lab-group".into())];
    targets.extend(snap.brokers.iter().map(|b| Target::Broker(b.id)));
    targets.extend(
        snap.partitions
            .iter()
            .map(|p| Target::Partition(p.tp.clone())),
    );
    targets.extend(snap.producers.iter().map(|p| Target::Producer(p.id)));
    for state in [
        ConsumerState::Running,
        ConsumerState::Killed,
        ConsumerState::Closed,
    ] {
        let mut s = snap.clone();
        s.consumers[0].state = state;
        s.consumers[0].member_id = None;
        let x = explain(&s, &Target::Consumer(s.consumers[0].id), false);
        assert_whole(&x);
    }
    for t in targets {
        let x = explain(&snap, &t, false);
        assert!(!x.paragraphs.is_empty());
        assert_whole(&x);
    }
}

#[test]
fn a_shortened_timer_in_an_explanation_is_labelled_with_kafkas_default_last() {
    let mut snap = fixture::snapshot();
    let tp = TopicPartition::new("test", 1);
    let x = explain(&snap, &Target::Partition(tp.clone()), false);
    let last = x.paragraphs.last().expect("paragraphs");
    assert!(
        last.contains("replica.lag.time.max.ms=10000 (Kafka 30000)"),
        "{last}"
    );
    assert_whole(&x);
    // With Kafka's own value there is nothing to label.
    snap.settings.replica_lag_time_max_ms = 30_000;
    let x = explain(&snap, &Target::Partition(tp), false);
    assert!(!all_text(&x).contains("(Kafka 30000)"), "{}", all_text(&x));
}

#[test]
fn every_event_explanation_reads_in_chinese() {
    let snap = fixture::snapshot();
    // The fixture's data (topic `test`), a capitalised sentence start, profile names
    // (`--profile teaching`), and Kafka's own words where Chinese Kafka texts keep them.
    let data = [
        "hello",
        "x",
        "y",
        "test",
        "Broker",
        "unfenced",
        "fenced",
        "teaching",
        "kafka",
        "unclean",
        "ID",
        "Java",
        "eager",
        "FindCoordinator",
        "InitProducerId",
        "producer",
    ];
    let mut english = Vec::new();
    crate::text::with_lang(crate::text::Lang::Zh, || {
        for kind in every_event_kind() {
            let x = explain(&snap, &Target::Event(Box::new(at(kind))), false);
            assert_whole(&x);
            for p in x.paragraphs.iter().chain([&x.title]) {
                for word in crate::text::tests::english_words(p) {
                    if !(crate::text::tests::KAFKA_WORDS.contains(&word) || data.contains(&word)) {
                        english.push(format!("{word:?} in {p:?}"));
                    }
                }
            }
        }
    });
    assert!(english.is_empty(), "English left:\n{}", english.join("\n"));
    // "none" is a Kafka word elsewhere (auto.offset.reset), so the controller's move is checked
    // by its words.
    let moved = crate::text::with_lang(crate::text::Lang::Zh, || {
        let kind = EventKind::ControllerMoved {
            from: Some(1),
            to: None,
        };
        all_text(&explain(&snap, &Target::Event(Box::new(at(kind))), false))
    });
    assert!(
        moved.contains("从 broker 1 转到了 无（没有 broker 在运行）"),
        "{moved}"
    );
}
