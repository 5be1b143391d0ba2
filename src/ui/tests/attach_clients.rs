//! The client keys on a dashboard attached to a real cluster: `p P c k x + -` need
//! `--allow-writes`, and `k`/`x` reach only the consumers this dashboard started.

use super::attach::{attached_app, attached_snapshot};
use crate::clients::view::ClientOrigin;
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{App, Mode, update};
use crate::ui::confirm::Confirm;
use crate::ui::fixture;

const CLIENT_KEYS: [Action; 7] = [
    Action::SpawnProducer,
    Action::StopProducer,
    Action::SpawnConsumer,
    Action::KillConsumer,
    Action::CloseConsumer,
    Action::RateUp,
    Action::RateDown,
];

/// Attached with writes allowed, with the fixture's consumer-A and producers as the
/// dashboard's own clients.
fn with_own_clients() -> App {
    let mut app = attached_app(160, 48, true);
    let lab = fixture::snapshot();
    let mut snap = attached_snapshot(true);
    snap.consumers = lab
        .consumers
        .iter()
        .filter(|c| c.client_id == "consumer-A")
        .cloned()
        .map(|mut c| {
            c.origin = ClientOrigin::Dashboard;
            c
        })
        .collect();
    snap.producers = lab
        .producers
        .iter()
        .cloned()
        .map(|mut p| {
            p.origin = ClientOrigin::Dashboard;
            p
        })
        .collect();
    app.set_snapshot(snap);
    app
}

/// Selects the groups panel line of `client`'s first partition.
fn select_member(app: &mut App, client: &str) {
    let snap = app.snapshot.clone();
    let line = crate::ui::rows::group_lines(&snap)
        .iter()
        .position(|l| match l.kind {
            crate::ui::rows::GroupLineKind::Partition {
                member: Some(m), ..
            } => snap.groups[l.group].members[m].client_id == client,
            _ => false,
        })
        .expect("a line for the member");
    app.selection.group_line = line;
}

#[test]
fn client_keys_need_allow_writes() {
    for action in CLIENT_KEYS {
        let mut app = attached_app(160, 48, false);
        assert_eq!(update(&mut app, action), None, "{action:?}");
        assert_eq!(app.mode, Mode::Normal, "{action:?}");
        let flash = app.flash.clone().unwrap_or_default();
        assert!(flash.contains("--allow-writes"), "{action:?}: {flash}");
    }
}

#[test]
fn with_allow_writes_p_and_c_open_the_labs_dialogs() {
    for action in [Action::SpawnProducer, Action::SpawnConsumer] {
        let mut app = attached_app(160, 48, true);
        update(&mut app, action);
        assert!(
            matches!(app.mode, Mode::Dialog(_)),
            "{action:?}: {:?}",
            app.mode
        );
    }
}

#[test]
fn k_and_x_reach_only_the_dashboards_own_consumers() {
    for action in [Action::KillConsumer, Action::CloseConsumer] {
        let mut app = with_own_clients();
        select_member(&mut app, "consumer-B");
        assert_eq!(update(&mut app, action), None);
        assert_eq!(app.mode, Mode::Normal);
        let flash = app.flash.clone().unwrap_or_default();
        assert!(flash.contains("not started by this dashboard"), "{flash}");

        let mut app = with_own_clients();
        select_member(&mut app, "consumer-A");
        update(&mut app, action);
        let id = app.snapshot.consumers[0].id;
        let want = match action {
            Action::KillConsumer => Confirm::KillConsumer(id, "consumer-A".into()),
            _ => Confirm::CloseConsumer(id, "consumer-A".into()),
        };
        assert_eq!(app.mode, Mode::Confirm(want));
    }
}

#[test]
fn plus_and_minus_change_a_dashboard_producers_rate() {
    let mut app = with_own_clients();
    let p = app.snapshot.producers[0].clone();
    match update(&mut app, Action::RateUp) {
        Some(Command::SetProducerRate(id, rate)) => {
            assert_eq!(id, p.id);
            assert!(rate > p.rate_per_sec, "{rate}");
        }
        other => panic!("no rate change: {other:?}"),
    }
}

#[test]
fn shift_p_stops_a_dashboard_producer() {
    let mut app = with_own_clients();
    let p = app.snapshot.producers[0].clone();
    assert_eq!(
        update(&mut app, Action::StopProducer),
        Some(Command::StopProducer(p.id))
    );
}
