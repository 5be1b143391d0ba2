//! Countdowns on the rows they concern, from the waiting lab in [`crate::ui::fixture`]: each
//! names its config and reads without colour at 80x24 and 160x48; a down leader's partition and
//! a down broker keep their last known values, marked (issue 12 bug 1).

use super::screen_text;
use crate::ui::fixture;

fn row<'a>(shown: &'a str, has: &[&str]) -> &'a str {
    shown
        .lines()
        .find(|l| has.iter().all(|h| l.contains(h)))
        .unwrap_or_else(|| panic!("no line with {has:?} in\n{shown}"))
}

#[test]
fn snapshot_waiting_lab() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = fixture::waiting_app(w, h);
        insta::assert_snapshot!(format!("waiting_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn every_wait_counts_down_on_its_own_row_without_colour() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::waiting_app(w, h);
        app.theme = crate::ui::theme::Theme::monochrome();
        let shown = screen_text(&app);
        // Broker 3: killed 4.2 s ago, broker.session.timeout.ms = 9 s.
        let b3 = row(&shown, &["3  DOWN"]);
        assert!(b3.contains("4.2s/9s"), "{w}x{h}: {b3}");
        assert!(shown.contains("broker.session.timeout.ms"), "{w}x{h}");
        // consumer-B: no heartbeat for 12.3 s of its 45 s session.
        let cb = row(&shown, &["consumer-B"]);
        assert!(
            cb.contains("killed") && cb.contains("12s/45s"),
            "{w}x{h}: {cb}"
        );
        // Group audit: 1.2 s into the 3 s initial rebalance delay.
        let audit = row(&shown, &["audit"]);
        assert!(audit.contains("1.2s/3s"), "{w}x{h}: {audit}");
        // Broker 2 behind on test-1 for 6.5 s of replica.lag.time.max.ms = 10 s.
        assert!(shown.contains("6.5s/10s"), "{w}x{h}");
        if w >= 160 {
            assert!(shown.contains("replica.lag.time.max.ms"), "{w}x{h}");
            assert!(shown.contains("session.timeout.ms=45000"), "{w}x{h}");
            assert!(
                shown.contains("group.initial.rebalance.delay.ms"),
                "{w}x{h}"
            );
        }
    }
}

#[test]
fn down_leader_keeps_last_known_offsets_and_lag_marked() {
    for (w, h) in [(80, 24), (160, 48)] {
        let shown = screen_text(&fixture::waiting_app(w, h));
        let p = row(&shown, &["test-0", "1,2,3"]);
        assert!(p.contains("↓3"), "{w}x{h}: {p}");
        assert!(p.contains("~409") && p.contains("~412"), "{w}x{h}: {p}");
        assert!(!p.contains("-1") && !p.contains(" 0 B"), "{w}x{h}: {p}");
        let member = row(&shown, &["consumer-A", "test-0"]);
        assert!(member.contains("lag ~9"), "{w}x{h}: {member}");
        let b3 = row(&shown, &["3  DOWN"]);
        assert!(b3.contains("~124.0 KiB"), "{w}x{h}: {b3}");
        assert!(
            b3.contains(" 0 "),
            "a down broker leads nothing: {w}x{h}: {b3}"
        );
    }
}

#[test]
fn a_countdown_disappears_when_its_wait_ends() {
    let mut snap = fixture::waiting_snapshot();
    snap.cluster.brokers[2].silent_since_ms = None;
    snap.cluster.brokers[2].leaderless = 0;
    snap.cluster.groups[1].rebalance = None;
    for p in &mut snap.cluster.partitions {
        for r in &mut p.replica_states {
            r.behind_since_ms = None;
        }
    }
    let mut app = fixture::waiting_app(160, 48);
    app.set_snapshot(snap);
    let shown = screen_text(&app);
    for gone in [
        "4.2s/9s",
        "1.2s/3s",
        "6.5s/10s",
        "broker.session.timeout.ms",
    ] {
        assert!(!shown.contains(gone), "{gone} still shown:\n{shown}");
    }
}

#[test]
fn a_restarted_broker_counts_its_fence_against_the_heartbeat_interval() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut snap = fixture::snapshot();
        let now = snap.now_ms;
        snap.cluster.brokers[1].fenced_since_ms = Some(now - 800);
        let mut app = fixture::app(w, h);
        app.theme = crate::ui::theme::Theme::monochrome();
        app.set_snapshot(snap);
        let shown = screen_text(&app);
        let b2 = row(&shown, &["2  up"]);
        assert!(b2.contains("fenced"), "{w}x{h}: {b2}");
        // The clock is on the row, or on the border where the row is narrow.
        assert!(shown.contains("0.8s/2s"), "{w}x{h}:\n{shown}");
        if w >= 160 {
            assert!(
                shown.contains("broker.heartbeat.interval.ms"),
                "{w}x{h}:\n{shown}"
            );
        }
        let mut app = fixture::app(w, h);
        app.set_snapshot(fixture::snapshot());
        assert!(!screen_text(&app).contains("fenced"), "{w}x{h}: unfenced");
    }
}
