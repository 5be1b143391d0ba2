//! The driver on tokio's paused clock: commands in and snapshots out over flume, and a broker's
//! session timeout passes in no wall time.

use kafka_lab::cluster::topic::TopicSpec;

use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::event::EventKind;
use kafka_lab::lab::Lab;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::{channels, run};
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn killed_leader_is_replaced_over_the_command_channel() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::new(ClusterConfig::new(3, 9, dir.path())).unwrap();
    lab.create_topic(TopicSpec::new("test", 2, 3)).unwrap();
    let (driver_ch, front) = channels();
    let driver = tokio::spawn(run(lab, driver_ch, Default::default()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let snap = front.snapshots.recv_async().await.unwrap();
    let p0 = snap
        .partitions
        .iter()
        .find(|p| p.tp.to_string() == "test-0")
        .unwrap();
    let leader = p0.leader.unwrap();
    front
        .commands
        .send_async(Command::KillBroker(leader))
        .await
        .unwrap();
    let wall = std::time::Instant::now();
    // 9 s broker session timeout + margin, on the paused clock.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let snap = front.snapshots.recv_async().await.unwrap();
    let p0 = snap
        .partitions
        .iter()
        .find(|p| p.tp.to_string() == "test-0")
        .unwrap();
    assert!(p0.leader.is_some_and(|l| l != leader), "{p0:?}");
    assert!(snap.now_ms >= 12_000);
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "paused time costs no wall time"
    );
    let events: Vec<_> = front.events.drain().collect();
    assert!(
        events.iter().any(
            |e| matches!(e.kind, EventKind::BrokerSessionExpired { broker } if broker == leader)
        )
    );
    drop(front);
    let lab = driver.await.unwrap();
    assert!(lab.now_ms() >= 12_000);
}
