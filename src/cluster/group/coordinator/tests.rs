//! The coordinator's state machine driven by hand: join phases, session timeouts, leaves,
//! stale commits and static members.

use super::*;

fn cfg() -> CoordinatorConfig {
    CoordinatorConfig {
        initial_rebalance_delay_ms: 0,
        min_session_timeout_ms: 100,
        max_session_timeout_ms: 1_800_000,
        consumer_heartbeat_interval_ms: 2_000,
        consumer_session_timeout_ms: 10_000,
    }
}

fn req(client: &str) -> JoinRequest {
    JoinRequest {
        member_id: None,
        group_instance_id: None,
        client_id: client.into(),
        protocols: vec!["range".into()],
        topics: vec!["t".into()],
        owned: vec![],
        session_timeout_ms: 1_000,
        rebalance_timeout_ms: 5_000,
    }
}

/// Joins `clients`, completes the join phase and the leader's sync with one partition each.
fn stable_group(c: &mut GroupCoordinator, clients: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let ids: Vec<String> = clients
        .iter()
        .map(|cl| c.join("g", req(cl), 0, &mut out).unwrap())
        .collect();
    c.tick(0, |_| true, &mut out);
    let leader = c.join_result("g", &ids[0]).unwrap().unwrap();
    let gen_id = leader.generation;
    let assignment: BTreeMap<_, _> = leader
        .members
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (id.clone(), vec![TopicPartition::new("t", i as i32)]))
        .collect();
    for id in &ids {
        let a = (id == &leader.leader).then_some(&assignment);
        c.sync("g", id, gen_id, a, 0, &mut out).unwrap();
    }
    ids
}

#[test]
fn join_phase_completes_into_a_generation_with_one_leader() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a", "b"]);
    let g = c.group("g").unwrap();
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.generation, 1);
    assert_eq!(g.leader.as_deref(), Some(ids[0].as_str()));
    assert_eq!(
        g.members[&ids[1]].assignment,
        vec![TopicPartition::new("t", 1)]
    );
}

#[test]
fn silent_member_is_removed_only_after_its_session_timeout() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a", "b"]);
    let mut out = Vec::new();
    for t in (100..=1_000).step_by(100) {
        c.heartbeat("g", &ids[0], 1, t).unwrap();
        c.tick(t, |_| true, &mut out);
    }
    assert_eq!(c.group("g").unwrap().state, GroupState::Stable, "not yet");
    c.heartbeat("g", &ids[0], 1, 1_100).unwrap();
    c.tick(1_100, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
    assert_eq!(
        c.heartbeat("g", &ids[0], 1, 1_150),
        Err(KafkaError::RebalanceInProgress)
    );
    assert_eq!(
        c.heartbeat("g", &ids[1], 1, 1_150),
        Err(KafkaError::UnknownMemberId)
    );
}

#[test]
fn leave_rebalances_at_once_and_the_last_leave_empties_the_group() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a", "b"]);
    let mut out = Vec::new();
    c.leave("g", &ids[1], 10, &mut out).unwrap();
    assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
    c.leave("g", &ids[0], 20, &mut out).unwrap();
    assert_eq!(c.group("g").unwrap().state, GroupState::Empty);
}

#[test]
fn commits_from_a_stale_generation_are_rejected() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a"]);
    assert_eq!(c.validate_commit("g", Some(&ids[0]), 1), Ok(()));
    assert_eq!(
        c.validate_commit("g", Some(&ids[0]), 0),
        Err(KafkaError::IllegalGeneration)
    );
    assert_eq!(
        c.validate_commit("g", Some("nobody"), 1),
        Err(KafkaError::UnknownMemberId)
    );
    assert_eq!(c.validate_commit("other", None, -1), Ok(()));
}

#[test]
fn static_member_restart_keeps_its_assignment_without_a_rebalance() {
    let mut c = GroupCoordinator::new(cfg());
    let mut out = Vec::new();
    let mut r = req("a");
    r.group_instance_id = Some("host-1".into());
    let id = c.join("g", r.clone(), 0, &mut out).unwrap();
    c.tick(0, |_| true, &mut out);
    let a = BTreeMap::from([(id.clone(), vec![TopicPartition::new("t", 0)])]);
    c.sync("g", &id, 1, Some(&a), 0, &mut out).unwrap();
    let new_id = c.join("g", r, 500, &mut out).unwrap();
    assert_ne!(new_id, id);
    let g = c.group("g").unwrap();
    assert_eq!((g.state, g.generation), (GroupState::Stable, 1));
    assert_eq!(
        c.sync("g", &new_id, 1, None, 500, &mut out).unwrap(),
        Some(vec![TopicPartition::new("t", 0)])
    );
}

#[test]
fn first_assignment_is_not_a_move_and_a_change_of_owner_is() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a", "b"]);
    let g = c.group("g").unwrap();
    assert!(g.owners.values().all(|(_, moved)| moved.is_none()));
    let mut out = Vec::new();
    c.leave("g", &ids[1], 10, &mut out).unwrap();
    let mut r = req("a");
    r.member_id = Some(ids[0].clone());
    c.join("g", r, 20, &mut out).unwrap();
    c.tick(20, |_| true, &mut out);
    let a = BTreeMap::from([(
        ids[0].clone(),
        vec![TopicPartition::new("t", 0), TopicPartition::new("t", 1)],
    )]);
    let generation = c.group("g").unwrap().generation;
    c.sync("g", &ids[0], generation, Some(&a), 30, &mut out)
        .unwrap();
    let owners = &c.group("g").unwrap().owners;
    assert_eq!(owners[&TopicPartition::new("t", 0)], (ids[0].clone(), None));
    assert_eq!(
        owners[&TopicPartition::new("t", 1)],
        (ids[0].clone(), Some(30))
    );
}

#[test]
fn initial_delay_is_extended_by_each_member_joining_during_it_up_to_the_rebalance_timeout() {
    let mut c = GroupCoordinator::new(CoordinatorConfig {
        initial_rebalance_delay_ms: 3_000,
        ..cfg()
    });
    let mut out = Vec::new();
    let long = |client: &str| JoinRequest {
        session_timeout_ms: 60_000,
        rebalance_timeout_ms: 8_000,
        ..req(client)
    };
    c.join("g", long("a"), 0, &mut out).unwrap();
    // b joins during the first delay: another 3 s follows when it runs out.
    c.join("g", long("b"), 1_000, &mut out).unwrap();
    c.tick(3_000, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
    assert_eq!(c.group("g").unwrap().join_not_before_ms, 6_000);
    // c joins during the second: the third delay is cut to what the 8 s timeout leaves (2 s).
    c.join("g", long("c"), 4_000, &mut out).unwrap();
    c.tick(6_000, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().join_not_before_ms, 8_000);
    c.tick(7_990, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
    c.tick(8_000, |_| true, &mut out);
    let g = c.group("g").unwrap();
    assert_eq!(g.state, GroupState::CompletingRebalance);
    assert_eq!(g.members.len(), 3);
}

#[test]
fn initial_delay_with_no_late_joiner_completes_after_one_delay() {
    let mut c = GroupCoordinator::new(CoordinatorConfig {
        initial_rebalance_delay_ms: 3_000,
        ..cfg()
    });
    let mut out = Vec::new();
    c.join("g", req("a"), 0, &mut out).unwrap();
    c.tick(2_990, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
    c.tick(3_000, |_| true, &mut out);
    assert_eq!(c.group("g").unwrap().state, GroupState::CompletingRebalance);
}

#[test]
fn a_join_phase_longer_than_the_session_timeout_keeps_its_members() {
    let mut c = GroupCoordinator::new(CoordinatorConfig {
        initial_rebalance_delay_ms: 3_000,
        ..cfg()
    });
    let mut out = Vec::new();
    let a = c.join("g", req("a"), 0, &mut out).unwrap();
    c.join("g", req("b"), 100, &mut out).unwrap();
    // Two delays (6 s) against a 1 s session: the JoinGroup answer counts as a heartbeat.
    c.tick(3_000, |_| true, &mut out);
    c.tick(6_000, |_| true, &mut out);
    c.tick(6_500, |_| true, &mut out);
    let g = c.group("g").unwrap();
    assert_eq!(g.members.len(), 2, "{out:?}");
    assert!(c.join_result("g", &a).unwrap().is_some());
}

#[test]
fn offsets_of_an_empty_group_expire_after_the_retention_counted_from_when_it_emptied() {
    let mut c = GroupCoordinator::new(cfg());
    let ids = stable_group(&mut c, &["a"]);
    let tp = TopicPartition::new("t", 0);
    c.apply_commit(
        "g",
        tp.clone(),
        &crate::cluster::group::OffsetAndMetadata::new(7),
        0,
    );
    let mut out = Vec::new();
    // With a member the offsets stay, however old.
    assert!(c.expire_offsets(100_000, 1_000, |_| true).is_empty());
    c.leave("g", &ids[0], 200_000, &mut out).unwrap();
    assert!(c.expire_offsets(200_999, 1_000, |_| true).is_empty());
    assert_eq!(
        c.expire_offsets(201_000, 1_000, |_| true),
        vec![("g".to_string(), tp)]
    );
    // An Empty group with nothing left is gone, as Kafka deletes it.
    assert!(c.group("g").is_none());
}

#[test]
fn a_standalone_groups_offsets_expire_by_commit_time() {
    let mut c = GroupCoordinator::new(cfg());
    let (t0, t1) = (TopicPartition::new("t", 0), TopicPartition::new("t", 1));
    let om = crate::cluster::group::OffsetAndMetadata::new;
    c.apply_commit("solo", t0.clone(), &om(1), 0);
    c.apply_commit("solo", t1.clone(), &om(1), 500);
    assert_eq!(
        c.expire_offsets(1_200, 1_000, |_| true),
        vec![("solo".to_string(), t0)]
    );
    assert_eq!(c.group("solo").unwrap().committed.len(), 1);
    // A coordinator that does not host the group leaves it alone.
    assert!(c.expire_offsets(9_000, 1_000, |_| false).is_empty());
    assert_eq!(
        c.expire_offsets(9_000, 1_000, |_| true),
        vec![("solo".to_string(), t1)]
    );
}

#[test]
fn a_joiner_needs_one_protocol_every_member_supports() {
    let mut c = GroupCoordinator::new(cfg());
    let mut out = Vec::new();
    let with = |client: &str, protocols: &[&str]| JoinRequest {
        protocols: protocols.iter().map(|p| p.to_string()).collect(),
        ..req(client)
    };
    c.join("g", with("a", &["range", "roundrobin"]), 0, &mut out)
        .unwrap();
    c.join("g", with("b", &["range", "sticky"]), 0, &mut out)
        .unwrap();
    // Each protocol of c is supported by one member, none by both: Kafka refuses it.
    assert_eq!(
        c.join("g", with("c", &["roundrobin", "sticky"]), 0, &mut out),
        Err(KafkaError::InconsistentGroupProtocol)
    );
    assert_eq!(
        c.join("g", with("d", &[]), 0, &mut out),
        Err(KafkaError::InconsistentGroupProtocol)
    );
    assert_eq!(
        c.join("empty", with("e", &[]), 0, &mut out),
        Err(KafkaError::InconsistentGroupProtocol)
    );
    assert!(
        c.group("empty").is_none(),
        "a refused member leaves no group behind"
    );
    assert!(
        c.join("g", with("f", &["sticky", "range"]), 0, &mut out)
            .is_ok()
    );
}

#[test]
fn a_full_coordinator_forgets_an_idle_empty_group_or_refuses_a_new_one() {
    use crate::cluster::group::coordinator::GROUPS_MAX;
    let mut c = GroupCoordinator::new(cfg());
    let mut out = Vec::new();
    let mut first = String::new();
    for i in 0..GROUPS_MAX {
        let id = c.join(&format!("g{i}"), req("a"), 0, &mut out).unwrap();
        if i == 0 {
            first = id;
        }
    }
    // Every group has a member: none can go.
    assert_eq!(
        c.join("one-too-many", req("a"), 1, &mut out),
        Err(KafkaError::GroupMaxSizeReached)
    );
    assert!(c.group("one-too-many").is_none());
    // g0 empties (no offsets): it is forgotten for the new group.
    c.leave("g0", &first, 2, &mut out).unwrap();
    assert!(c.join("one-too-many", req("a"), 3, &mut out).is_ok());
    assert!(c.group("g0").is_none());
    assert_eq!(c.groups().count(), GROUPS_MAX);
}
