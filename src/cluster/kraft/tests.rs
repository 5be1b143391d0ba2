use super::*;

fn quorum(dir: &std::path::Path, voters: &[NodeId], observers: &[NodeId]) -> Quorum {
    let d = dir.to_path_buf();
    let mut q = Quorum::new(
        voters,
        observers,
        move |id| d.join(format!("node-{id}")),
        7,
        Timeouts {
            election_ms: 1_000,
            fetch_ms: 2_000,
        },
        10,
    );
    for &id in voters.iter().chain(observers) {
        q.start_node(id, 0).expect("open");
    }
    q.bootstrap(0);
    q
}

fn run(q: &mut Quorum, from_ms: i64, to_ms: i64) {
    let mut t = from_ms;
    while t < to_ms {
        t += 10;
        q.step(t);
    }
}

#[test]
fn a_bootstrapped_quorum_commits_a_record_once_a_majority_has_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut q = quorum(dir.path(), &[1, 2, 3], &[4]);
    assert_eq!(q.leader(), Some(1));
    assert_eq!(q.leader_epoch(), Some(1));
    assert!(q.append("TopicRecord", b"{}".to_vec(), 0));
    assert_eq!(
        q.applied_offset(1),
        Some(0),
        "not committed before any fetch"
    );
    run(&mut q, 0, 200);
    for id in [1, 2, 3, 4] {
        assert_eq!(
            q.applied_offset(id),
            Some(2),
            "node {id} applied both records"
        );
    }
    assert!(
        q.fetcher_leos().contains(&(4, 2)),
        "the observer fetched too"
    );
}

#[test]
fn killing_the_active_controller_elects_another_by_vote_within_the_timeouts() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut q = quorum(dir.path(), &[1, 2, 3], &[]);
    run(&mut q, 0, 500);
    q.drain_events();
    q.stop_node(1);
    run(&mut q, 500, 500 + 2_000);
    assert_eq!(
        q.leader(),
        None,
        "followers wait controller.quorum.fetch.timeout.ms"
    );
    // Fetch timeout, then at most two randomised election timeouts of split votes.
    run(&mut q, 2_500, 2_500 + 6_000);
    let leader = q.leader().expect("a new active controller");
    assert_ne!(leader, 1);
    let events = q.drain_events();
    assert!(events.iter().any(|e| matches!(e,
        QuorumEvent::Elected { leader: l, epoch, .. } if *l == leader && *epoch >= 2)));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, QuorumEvent::ElectionStarted { .. }))
    );
}

#[test]
fn below_a_majority_nobody_leads_and_nothing_commits_until_the_majority_returns() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut q = quorum(dir.path(), &[1, 2, 3], &[]);
    run(&mut q, 0, 500);
    q.stop_node(2);
    q.stop_node(3);
    assert!(q.append("PartitionChangeRecord", b"{}".to_vec(), 500));
    run(&mut q, 500, 10_000);
    assert_eq!(
        q.leader(),
        None,
        "the cut-off leader resigned (check quorum)"
    );
    assert_eq!(
        q.applied_offset(1),
        Some(1),
        "the record appended alone never commits"
    );
    q.start_node(2, 10_000).expect("open");
    run(&mut q, 10_000, 16_000);
    let leader = q
        .leader()
        .expect("a majority is back: an election succeeds");
    assert_eq!(
        leader, 1,
        "node 2 lacks node 1's record, so only node 1 can win"
    );
    assert!(q.applied_offset(2).is_some_and(|hw| hw >= 3));
}

#[test]
fn a_voter_never_votes_twice_in_one_epoch_even_across_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut q = quorum(dir.path(), &[1, 2, 3], &[]);
    run(&mut q, 0, 300);
    let epoch_before = q.snapshot()[1].epoch;
    q.stop_node(2);
    q.start_node(2, 300).expect("open");
    assert_eq!(
        q.snapshot()[1].epoch,
        epoch_before,
        "quorum-state keeps the epoch"
    );
}

#[test]
fn at_most_one_leader_per_epoch_under_random_crashes() {
    use rand::Rng;
    let dir = tempfile::tempdir().expect("tmp");
    let mut q = quorum(dir.path(), &[1, 2, 3, 4, 5], &[6]);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut leaders: BTreeMap<i32, NodeId> = BTreeMap::new();
    let mut t = 0;
    let mut elections = 0;
    for _ in 0..6_000 {
        t += 10;
        if rng.random_range(0..200) == 0 {
            let id = rng.random_range(1..=5);
            if q.snapshot()
                .iter()
                .any(|n| n.id == id && n.role == Role::Down)
            {
                q.start_node(id, t).expect("open");
            } else {
                q.stop_node(id);
            }
        }
        q.step(t);
        for e in q.drain_events() {
            if let QuorumEvent::Elected { leader, epoch, .. } = e {
                elections += 1;
                let first = *leaders.entry(epoch).or_insert(leader);
                assert_eq!(first, leader, "two leaders in epoch {epoch}");
            }
        }
    }
    assert!(elections > 1, "the run must have elected more than once");
}
