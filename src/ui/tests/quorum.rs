//! The KRaft quorum in the Brokers panel: each controller's role, epoch, metadata LEO and HW,
//! lag and timer where rows are free, and "quorum lost" on the panel's border at any size.

use super::screen_text;
use crate::cluster::kraft::Role;
use crate::ui::fixture;

/// The sample lab with controllers 2 and 3 down: one of three, no majority, no leader.
fn lost_app(w: u16, h: u16) -> crate::ui::app::App {
    let mut app = fixture::waiting_app(w, h);
    app.snapshot.controller = None;
    let now_ms = app.snapshot.now_ms;
    for n in app.snapshot.quorum.iter_mut() {
        if n.id == 1 {
            n.role = Role::Unattached;
            n.leader = None;
            n.timer_ms = Some(now_ms + 600);
        } else {
            n.role = Role::Down;
            n.timer_ms = None;
            n.lag = 0;
        }
    }
    for b in app.snapshot.brokers.iter_mut() {
        b.is_controller = false;
    }
    app
}

#[test]
fn snapshot_quorum_lost() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = lost_app(w, h);
        let shown = screen_text(&app);
        let said = if w >= 160 {
            "quorum lost: elections and topic creation waiting"
        } else {
            "quorum lost: no elections"
        };
        assert!(shown.contains(said), "{w}x{h}:\n{shown}");
        insta::assert_snapshot!(format!("quorum_lost_{w}x{h}"), shown);
    }
}

#[test]
fn wide_screens_list_each_controller_with_its_role_offsets_and_timer() {
    let shown = screen_text(&fixture::waiting_app(160, 48));
    assert!(shown.contains("c1 leader e2 LEO 43 HW 42"), "{shown}");
    assert!(
        shown.contains("c2 follower e2 LEO 42 HW 42 lag 1 fetch timeout"),
        "{shown}"
    );
    assert!(shown.contains("c3 down"), "{shown}");
    let lost = screen_text(&lost_app(160, 48));
    assert!(lost.contains("c1 unattached e2"), "{lost}");
    assert!(lost.contains("election 0.6s"), "{lost}");
}
