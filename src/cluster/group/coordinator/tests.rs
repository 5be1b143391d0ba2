//! The coordinator's state machine driven by hand: join phases, session timeouts, leaves,
//! stale commits and static members.

use super::*;

fn cfg() -> CoordinatorConfig {
    CoordinatorConfig {
        initial_rebalance_delay_ms: 0,
        min_session_timeout_ms: 100,
        max_session_timeout_ms: 1_800_000,
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
