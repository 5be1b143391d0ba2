//! A hand-made, deterministic lab for snapshot tests and the render benchmark: 3 brokers (broker 3
//! down), topic `test` with 2 partitions and replication factor 3, `__consumer_offsets`, group
//! `lab-group` Stable at generation 3 with two members, one producer, and a few events.

use crate::clients::spec::{CommitMode, KeyMode, Partitioner};
use crate::clients::view::{ClientOrigin, ConsumerSnapshot, ConsumerState, ProducerSnapshot};
use crate::cluster::event::{Event, EventKind};
use crate::cluster::snapshot::ClusterSnapshot;
use crate::cluster::snapshot::{
    BrokerSnapshot, BrokerState, GroupPartitionSnapshot, GroupSnapshot, GroupState, MemberSnapshot,
    PartitionSnapshot, ReplicaRole, ReplicaSnapshot, TopicSnapshot,
};
use crate::cluster::types::{Acks, AssignorKind, TopicPartition};
use crate::lab::LabSnapshot;
use crate::lab::snapshot::ThroughputSnapshot;
use chrono::{TimeZone, Utc};

/// Simulated time of the sample snapshot.
pub const NOW_MS: i64 = 83_250;

fn replica(broker: i32, role: ReplicaRole, leo: i64, hw: i64) -> ReplicaSnapshot {
    ReplicaSnapshot {
        broker,
        role,
        log_end_offset: leo,
        high_watermark: hw,
        log_start_offset: 0,
        epoch_starts: Vec::new(),
        segment_bases: Vec::new(),
        markers: Vec::new(),
        behind_since_ms: None,
    }
}

fn broker(id: i32, state: BrokerState, led: usize, bytes: u64) -> BrokerSnapshot {
    BrokerSnapshot {
        id,
        state,
        is_controller: id == 1,
        slow: false,
        partitions_led: led,
        leaderless: 0,
        silent_since_ms: None,
        fenced_since_ms: None,
        replicas: 5,
        bytes_on_disk: bytes,
        port: None,
        metadata_offset: (state == BrokerState::Up).then_some(42),
    }
}

/// The sample lab's KRaft quorum: broker 1 leads epoch 2, broker 2 follows one record behind,
/// broker 3 is down.
fn quorum_nodes() -> Vec<crate::cluster::kraft::ControllerSnapshot> {
    use crate::cluster::kraft::{ControllerSnapshot, Role};
    let node = |id, role, leo: i64, timer_ms| ControllerSnapshot {
        id,
        voter: true,
        role,
        epoch: if role == Role::Down { 1 } else { 2 },
        leader: (role != Role::Down).then_some(1),
        log_end_offset: leo,
        high_watermark: leo.min(42),
        lag: if role == Role::Down { 0 } else { 43 - leo },
        timer_ms,
    };
    vec![
        node(1, Role::Leader, 43, None),
        node(2, Role::Follower, 42, Some(NOW_MS + 1_400)),
        node(3, Role::Down, 0, None),
    ]
}

/// The sample lab.
pub fn snapshot() -> LabSnapshot {
    use ReplicaRole::*;
    let tp = TopicPartition::new;
    let partition = |t: TopicPartition, leader: i32, epoch: i32, states: Vec<ReplicaSnapshot>| {
        let hw = states[0].high_watermark;
        let leo = states
            .iter()
            .find(|r| r.role == Leader)
            .map(|r| r.log_end_offset)
            .unwrap_or(0);
        PartitionSnapshot {
            tp: t,
            leader: Some(leader),
            leader_epoch: epoch,
            replicas: vec![1, 2, 3],
            isr: states
                .iter()
                .filter(|r| matches!(r.role, Leader | InSync))
                .map(|r| r.broker)
                .collect(),
            elr: Vec::new(),
            leader_down: false,
            replica_states: states,
            high_watermark: hw,
            last_stable_offset: hw,
            log_start_offset: 0,
            log_end_offset: leo,
            segments: 1,
            size_bytes: leo as u64 * 168,
        }
    };
    let partitions = vec![
        partition(
            tp("__consumer_offsets", 0),
            1,
            0,
            vec![
                replica(1, Leader, 12, 12),
                replica(2, InSync, 12, 12),
                replica(3, Offline, 9, 9),
            ],
        ),
        partition(
            tp("__consumer_offsets", 1),
            2,
            1,
            vec![
                replica(1, InSync, 4, 4),
                replica(2, Leader, 4, 4),
                replica(3, Offline, 4, 4),
            ],
        ),
        partition(
            tp("test", 0),
            2,
            4,
            vec![
                replica(2, Leader, 412, 409),
                replica(1, InSync, 411, 409),
                replica(3, Offline, 377, 377),
            ],
        ),
        partition(
            tp("test", 1),
            1,
            2,
            vec![
                replica(1, Leader, 398, 398),
                replica(2, OutOfSync, 350, 350),
                replica(3, Offline, 371, 371),
            ],
        ),
    ];
    let gp = |t: TopicPartition,
              owner: &str,
              committed: i64,
              position: i64,
              hw: i64,
              moved: Option<i64>| {
        GroupPartitionSnapshot {
            tp: t,
            owner: Some(owner.into()),
            committed: Some(committed),
            position: Some(position),
            high_watermark: hw,
            lag: Some(hw - committed),
            stale: false,
            moved_at_ms: moved,
        }
    };
    let consumer =
        |id: u32, name: &str, member: &str, assigned: Vec<TopicPartition>, consumed: u64| {
            ConsumerSnapshot {
                id,
                client_id: name.into(),
                origin: ClientOrigin::Simulated,
                group_id: "lab-group".into(),
                member_id: Some(member.into()),
                topics: vec!["test".into()],
                state: ConsumerState::Running,
                assigned,
                consumed,
                commit_mode: CommitMode::Auto { interval_ms: 5_000 },
                assignor: AssignorKind::Range,
                session_timeout_ms: 45_000,
                heartbeat_interval_ms: 3_000,
                last_record: None,
            }
        };
    let cluster = ClusterSnapshot {
        now_ms: NOW_MS,
        seed: 42,
        controller: Some(1),
        brokers: vec![
            broker(1, BrokerState::Up, 2, 137_216),
            broker(2, BrokerState::Up, 2, 128_512),
            broker(3, BrokerState::Down, 0, 126_976),
        ],
        quorum: quorum_nodes(),
        topics: vec![
            TopicSnapshot {
                name: "__consumer_offsets".into(),
                partitions: 2,
                replication_factor: 3,
                min_insync_replicas: 1,
                internal: true,
                topic_id: crate::cluster::TopicId::derive(7, "__consumer_offsets", 0, 0),
            },
            TopicSnapshot {
                name: "test".into(),
                partitions: 2,
                replication_factor: 3,
                min_insync_replicas: 1,
                internal: false,
                topic_id: crate::cluster::TopicId::derive(7, "test", 0, 1),
            },
        ],
        partitions,
        groups: vec![GroupSnapshot {
            group_id: "lab-group".into(),
            state: GroupState::Stable,
            generation: 3,
            assignor: Some("range".into()),
            coordinator: Some(1),
            leader_member: Some("consumer-A-1f2e".into()),
            members: vec![
                MemberSnapshot {
                    member_id: "consumer-A-1f2e".into(),
                    client_id: "consumer-A".into(),
                    group_instance_id: None,
                    assigned: vec![tp("test", 0)],
                    last_heartbeat_ms: NOW_MS - 1_200,
                    session_timeout_ms: 45_000,
                    rebalance_timeout_ms: 300_000,
                    member_epoch: None,
                    revoking: Vec::new(),
                },
                MemberSnapshot {
                    member_id: "consumer-B-9c0d".into(),
                    client_id: "consumer-B".into(),
                    group_instance_id: None,
                    assigned: vec![tp("test", 1)],
                    last_heartbeat_ms: NOW_MS - 2_100,
                    session_timeout_ms: 45_000,
                    rebalance_timeout_ms: 300_000,
                    member_epoch: None,
                    revoking: Vec::new(),
                },
            ],
            partitions: vec![
                gp(tp("test", 0), "consumer-A-1f2e", 400, 405, 409, None),
                gp(
                    tp("test", 1),
                    "consumer-B-9c0d",
                    390,
                    396,
                    398,
                    Some(NOW_MS - 2_000),
                ),
            ],
            rebalance: None,
            protocol: "classic".into(),
            // Nothing committed at first, a backlog, then the two members catching up to 17.
            lag_history: [None, None, Some(40), Some(52), Some(61), Some(48)]
                .into_iter()
                .chain([Some(30), Some(22), Some(17)])
                .collect(),
        }],
        settings: crate::cluster::ClusterConfig::new(3, 42, "/lab").settings(),
        next_retention_check_ms: NOW_MS + 1_750,
        transactions: Vec::new(),
    };
    LabSnapshot {
        cluster,
        speed: 1.0,
        paused: false,
        producers: vec![ProducerSnapshot {
            id: 1,
            client_id: "producer-1".into(),
            origin: ClientOrigin::Simulated,
            topic: "test".into(),
            rate_per_sec: 5.0,
            acks: Acks::All,
            key_mode: KeyMode::None,
            partitioner: Partitioner::Sticky,
            batch_size: 16_384,
            sent: 415,
            acknowledged: 409,
            failed: 0,
            retried: 3,
            running: true,
            idempotent: true,
            producer_id: Some(1),
            transactional_id: None,
            transaction: None,
            transactions_ended: (0, 0),
            paused: false,
            killed: false,
        }],
        consumers: vec![
            consumer(2, "consumer-A", "consumer-A-1f2e", vec![tp("test", 0)], 405),
            consumer(3, "consumer-B", "consumer-B-9c0d", vec![tp("test", 1)], 396),
        ],
        throughput: ThroughputSnapshot {
            produced_per_sec: (0..40).map(|i| 3 + (i * 7 % 5)).collect(),
            consumed_per_sec: (0..40)
                .map(|i| if i < 30 { 5 } else { (i % 4) * 3 })
                .collect(),
        },
        lesson: None,
        attached: None,
        travel: None,
    }
}

/// The sample lab in the middle of Kafka's waits, for the countdowns: broker 3 killed 4.2 s ago
/// and not yet noticed by the controller (still the leader of `test-0`, whose offsets and lag are
/// the last known), broker 2 falling behind on `test-1` for 6.5 s, consumer-B killed 12.3 s ago,
/// and group `audit` in its initial rebalance delay.
pub fn waiting_snapshot() -> LabSnapshot {
    use ReplicaRole::*;
    let mut snap = snapshot();
    let b3 = &mut snap.cluster.brokers[2];
    b3.silent_since_ms = Some(NOW_MS - 4_200);
    b3.leaderless = 1;
    for p in &mut snap.cluster.partitions {
        p.isr = vec![1, 2, 3];
        match p.tp.to_string().as_str() {
            "test-0" => {
                p.leader = Some(3);
                p.leader_epoch = 3;
                p.leader_down = true;
                p.replica_states[0].role = InSync;
            }
            "test-1" => {
                p.replica_states[1].role = InSync;
                p.replica_states[1].behind_since_ms = Some(NOW_MS - 6_500);
            }
            _ => {}
        }
    }
    let g = &mut snap.cluster.groups[0];
    g.partitions[0].stale = true;
    g.members[1].last_heartbeat_ms = NOW_MS - 12_300;
    snap.consumers[1].state = ConsumerState::Killed;
    snap.cluster.groups.push(GroupSnapshot {
        group_id: "audit".into(),
        state: GroupState::PreparingRebalance,
        generation: 0,
        assignor: None,
        coordinator: Some(2),
        leader_member: None,
        members: vec![MemberSnapshot {
            member_id: "auditor-5b1c".into(),
            client_id: "auditor".into(),
            group_instance_id: None,
            assigned: vec![],
            last_heartbeat_ms: NOW_MS - 1_200,
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            member_epoch: None,
            revoking: Vec::new(),
        }],
        partitions: vec![],
        rebalance: Some(crate::cluster::snapshot::RebalanceWait {
            started_ms: NOW_MS - 1_200,
            initial_delay_until_ms: Some(NOW_MS + 1_800),
            deadline_ms: NOW_MS + 298_800,
            joined: 1,
        }),
        protocol: "classic".into(),
        lag_history: Vec::new(),
    });
    snap
}

/// The waiting lab as the dashboard shows it (no events: the countdowns tell the story).
pub fn waiting_app(width: u16, height: u16) -> crate::ui::app::App {
    let mut app = crate::ui::app::App::new(crate::ui::theme::Theme::colored(), width, height);
    app.set_snapshot(waiting_snapshot());
    app
}

/// The sample lab's events, oldest first.
pub fn events() -> Vec<Event> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 10, 0, 0)
        .single()
        .unwrap_or_default();
    let tp = TopicPartition::new;
    let at = |ms: i64, kind: EventKind| Event {
        at_ms: ms,
        time: start + chrono::Duration::milliseconds(ms),
        kind,
    };
    vec![
        at(
            0,
            EventKind::LabStarted {
                brokers: 3,
                seed: 42,
            },
        ),
        at(
            12,
            EventKind::TopicCreated {
                topic: "test".into(),
                partitions: 2,
                replication_factor: 3,
            },
        ),
        at(
            40,
            EventKind::ClientSpawned {
                id: 1,
                client_id: "producer-1".into(),
                description: crate::cluster::event::ClientDescription::Producer {
                    topic: "test".into(),
                    rate: "5".into(),
                    acks: "all".into(),
                    keys: None,
                },
            },
        ),
        at(
            3_120,
            EventKind::GenerationAssigned {
                group: "lab-group".into(),
                generation: 1,
                assignor: "range".into(),
                assignment: vec![
                    ("consumer-A".into(), vec![tp("test", 0)]),
                    ("consumer-B".into(), vec![tp("test", 1)]),
                ],
            },
        ),
        at(
            60_004,
            EventKind::OffsetCommitted {
                group: "lab-group".into(),
                tp: tp("test", 0),
                offset: 400,
            },
        ),
        at(70_000, EventKind::BrokerKilled { broker: 3 }),
        at(79_001, EventKind::BrokerSessionExpired { broker: 3 }),
        at(
            79_002,
            EventKind::LeaderElected {
                tp: tp("test", 0),
                leader: 2,
                leader_epoch: 4,
                reason: crate::cluster::event::ElectionReason::LeaderUnavailable { leader: 3 },
                source: crate::cluster::event::ElectionSource::Isr,
            },
        ),
        at(
            80_310,
            EventKind::IsrShrunk {
                tp: tp("test", 1),
                removed: vec![2],
                isr: vec![1],
            },
        ),
        at(
            81_250,
            EventKind::RebalanceStarted {
                group: "lab-group".into(),
                reason: crate::cluster::event::RebalanceReason::Left {
                    member: "consumer-C".into(),
                    group_empty: false,
                },
            },
        ),
    ]
}

/// The sample lab in an app of `width`×`height`, with every event in the timeline.
pub fn app(width: u16, height: u16) -> crate::ui::app::App {
    let mut app = crate::ui::app::App::new(crate::ui::theme::Theme::colored(), width, height);
    app.set_snapshot(snapshot());
    for e in events() {
        app.push_event(e);
    }
    app
}

/// A large lab for the render benchmark: `brokers` brokers, topic `big` with `partitions`
/// partitions at replication factor 3, and `groups` groups of 3 members each reading `big`.
pub fn large_snapshot(brokers: i32, partitions: i32, groups: usize) -> LabSnapshot {
    let brokers = brokers.max(1);
    let mut snap = snapshot();
    snap.brokers = (1..=brokers)
        .map(|id| {
            broker(
                id,
                BrokerState::Up,
                partitions as usize / brokers as usize,
                1 << 30,
            )
        })
        .collect();
    snap.topics.push(TopicSnapshot {
        name: "big".into(),
        partitions,
        replication_factor: 3,
        min_insync_replicas: 2,
        internal: false,
        topic_id: crate::cluster::TopicId::derive(7, "big", 0, 2),
    });
    snap.partitions = (0..partitions)
        .map(|p| {
            let replicas: Vec<i32> = (0..3.min(brokers)).map(|r| (p + r) % brokers + 1).collect();
            let leo = 1_000_000 + p as i64 * 17;
            let states = replicas
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let role = match i {
                        0 => ReplicaRole::Leader,
                        _ if p % 7 == 0 && i == 2 => ReplicaRole::OutOfSync,
                        _ => ReplicaRole::InSync,
                    };
                    replica(*b, role, leo - i as i64, leo - 3)
                })
                .collect::<Vec<_>>();
            PartitionSnapshot {
                tp: TopicPartition::new("big", p),
                leader: replicas.first().copied(),
                leader_epoch: p % 5,
                isr: states
                    .iter()
                    .filter(|r| r.role != ReplicaRole::OutOfSync)
                    .map(|r| r.broker)
                    .collect(),
                elr: Vec::new(),
                replicas,
                leader_down: false,
                replica_states: states,
                high_watermark: leo - 3,
                last_stable_offset: leo - 3,
                log_start_offset: 0,
                log_end_offset: leo,
                segments: 12,
                size_bytes: leo as u64 * 120,
            }
        })
        .collect();
    snap.groups = (0..groups)
        .map(|g| {
            let members: Vec<MemberSnapshot> = (0..3)
                .map(|m| MemberSnapshot {
                    member_id: format!("g{g}-member-{m}"),
                    client_id: format!("g{g}-consumer-{m}"),
                    group_instance_id: None,
                    assigned: vec![],
                    last_heartbeat_ms: snap.cluster.now_ms,
                    session_timeout_ms: 45_000,
                    rebalance_timeout_ms: 300_000,
                    member_epoch: None,
                    revoking: Vec::new(),
                })
                .collect();
            GroupSnapshot {
                group_id: format!("group-{g}"),
                state: GroupState::Stable,
                generation: 1 + g as i32,
                assignor: Some("range".into()),
                coordinator: Some(1 + (g as i32 % brokers)),
                leader_member: Some(members[0].member_id.clone()),
                partitions: (0..partitions)
                    .map(|p| GroupPartitionSnapshot {
                        tp: TopicPartition::new("big", p),
                        owner: Some(members[p as usize % 3].member_id.clone()),
                        committed: Some(999_000),
                        position: Some(999_500),
                        high_watermark: 1_000_000,
                        lag: Some(1_000),
                        stale: false,
                        moved_at_ms: None,
                    })
                    .collect(),
                members,
                rebalance: None,
                protocol: "classic".into(),
                // A backlog building up to today's lag over the last minute.
                lag_history: (1..=60)
                    .map(|s| Some(partitions as i64 * 1_000 * s / 60))
                    .collect(),
            }
        })
        .collect();
    snap
}
