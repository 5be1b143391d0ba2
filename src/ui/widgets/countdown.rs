//! Countdowns: how long Kafka has been waiting and for how long it will, named by the config that
//! sets the limit, as text a room reads without colour (`no hb 4.2s/9s broker.session.timeout.ms`).
//! Each is built from snapshot instants (simulated ms) and disappears when its wait ends.

use crate::cluster::config::table::kafka_ms_if_different;
use crate::cluster::snapshot::{
    BrokerSnapshot, ClusterSettings, GroupSnapshot, MemberSnapshot, ReplicaSnapshot,
};
use crate::text::width::cells;
use crate::text::{text, text_with};

/// Kafka's client default `session.timeout.ms` (the simulated consumers' default too).
fn consumer_session_default_ms() -> i64 {
    crate::clients::spec::ConsumerSpec::new("", "").session_timeout_ms as i64
}

/// A follower is shown as falling behind only after this long, so one fetch in flight never
/// flickers a countdown onto the screen.
pub const FOLLOWER_SHOWN_AFTER_MS: i64 = 1_000;

/// Width of the character progress bar in the widest form.
const BAR_CELLS: usize = 6;

/// One wait in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Countdown {
    /// A short label for narrow panels (`no hb`).
    pub short: &'static str,
    /// The label in words (`no heartbeat`).
    pub long: &'static str,
    /// The Kafka config that sets the limit.
    pub config: &'static str,
    /// Time waited so far.
    pub elapsed_ms: i64,
    /// When the wait ends.
    pub limit_ms: i64,
    /// Kafka's default for `config` when the lab's limit differs (a teaching profile's or a
    /// lesson's shortened timer), so the room is never told a shortened value is Kafka's.
    pub kafka_ms: Option<i64>,
}

/// Seconds as a room reads them: `4.2s` below 10 s, `45s`, `5m`, `2m30s`.
pub fn secs(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 10_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if ms < 100_000 {
        format!("{}s", ms / 1000)
    } else if (ms / 1000) % 60 == 0 {
        format!("{}m", ms / 60_000)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// A limit in seconds, without a needless `.0` (`9s`, `2.5s`, `5m`).
fn limit_secs(ms: i64) -> String {
    if ms % 1000 == 0 && ms < 100_000 {
        format!("{}s", ms / 1000)
    } else {
        secs(ms)
    }
}

impl Countdown {
    /// `4.2s/9s`: waited so far over the limit (the elapsed part never passes the limit).
    pub fn ratio(&self) -> String {
        format!(
            "{}/{}",
            secs(self.elapsed_ms.min(self.limit_ms)),
            limit_secs(self.limit_ms)
        )
    }

    /// `▰▰▰▱▱▱`: how much of the wait has passed, in `cells` characters.
    pub fn bar(&self, cells: usize) -> String {
        let done = if self.limit_ms <= 0 {
            cells
        } else {
            ((self.elapsed_ms.clamp(0, self.limit_ms) as f64 / self.limit_ms as f64) * cells as f64)
                .round() as usize
        };
        format!(
            "{}{}",
            "▰".repeat(done),
            "▱".repeat(cells - done.min(cells))
        )
    }

    /// `config=value`, as Kafka names it, with Kafka's default when the lab's differs:
    /// `replica.lag.time.max.ms=10000 (Kafka 30000)`.
    pub fn setting(&self) -> String {
        let base = format!("{}={}", self.config, self.limit_ms);
        match self.kafka_ms {
            Some(k) => format!(
                "{base} ({})",
                text_with("countdown.kafka_default", &[("value", &k.to_string())])
            ),
            None => base,
        }
    }

    /// The most this countdown can say in `width` characters: from `no heartbeat 4.2s/9s
    /// broker.session.timeout.ms=9000 ▰▰▰▱▱▱` down to `4.2s/9s` (and nothing if even that is too
    /// wide).
    pub fn fit(&self, width: usize) -> String {
        let ratio = self.ratio();
        let forms = [
            format!(
                "{} {ratio} {} {}",
                self.long,
                self.setting(),
                self.bar(BAR_CELLS)
            ),
            format!("{} {ratio} {}", self.long, self.setting()),
            format!("{} {ratio} {}", self.short, self.config),
            format!("{} {ratio}", self.long),
            format!("{} {ratio}", self.short),
            ratio,
        ];
        forms
            .into_iter()
            .find(|f| cells(f) <= width)
            .unwrap_or_default()
    }

    /// What a panel's border says about a countdown: the whole story when it fits, else the
    /// config that sets the limit when the row already shows the numbers, or the numbers when it
    /// does not.
    pub fn legend(&self, who: &str, width: usize, row_shows_ratio: bool) -> String {
        let ratio = self.ratio();
        let mut forms = vec![
            format!("{who} {} {ratio} {}", self.long, self.setting()),
            format!("{who} {} {ratio} {}", self.short, self.config),
        ];
        let config = [self.setting(), self.config.to_string()];
        let numbers = [format!("{who} {} {ratio}", self.short), ratio.clone()];
        if row_shows_ratio {
            forms.extend(config.into_iter().chain(numbers));
        } else {
            forms.extend(numbers.into_iter().chain(config));
        }
        forms
            .into_iter()
            .find(|f| cells(f) <= width)
            .unwrap_or_default()
    }
}

/// One border line for every countdown a panel's rows show: each told whole when all fit, else
/// the configs behind them, else what fits of the first.
pub fn legends(items: &[(String, Countdown)], width: usize) -> String {
    let whole = items
        .iter()
        .map(|(who, c)| format!("{who} {} {} {}", c.long, c.ratio(), c.setting()))
        .collect::<Vec<_>>()
        .join(" · ");
    if cells(&whole) <= width {
        return whole;
    }
    let mut settings: Vec<String> = items.iter().map(|(_, c)| c.setting()).collect();
    settings.dedup();
    let settings = settings.join(" · ");
    if cells(&settings) <= width {
        return settings;
    }
    items
        .first()
        .map(|(who, c)| c.legend(who, width, true))
        .unwrap_or_default()
}

/// A stopped broker the controller still counts as alive: silence against
/// `broker.session.timeout.ms`.
pub fn broker_session(
    b: &BrokerSnapshot,
    now_ms: i64,
    settings: &ClusterSettings,
) -> Option<Countdown> {
    b.silent_since_ms.map(|since| Countdown {
        short: text("countdown.no_hb"),
        long: text("countdown.no_heartbeat"),
        config: "broker.session.timeout.ms",
        elapsed_ms: now_ms - since,
        limit_ms: settings.broker_session_timeout_ms,
        kafka_ms: kafka_ms_if_different(
            "broker.session.timeout.ms",
            settings.broker_session_timeout_ms,
        ),
    })
}

/// A restarted broker the controller keeps fenced until its next heartbeat:
/// `broker.heartbeat.interval.ms`.
pub fn broker_fence(
    b: &BrokerSnapshot,
    now_ms: i64,
    settings: &ClusterSettings,
) -> Option<Countdown> {
    b.fenced_since_ms.map(|since| Countdown {
        short: text("countdown.fenced"),
        long: text("countdown.fenced_long"),
        config: "broker.heartbeat.interval.ms",
        elapsed_ms: now_ms - since,
        limit_ms: settings.broker_heartbeat_interval_ms,
        kafka_ms: kafka_ms_if_different(
            "broker.heartbeat.interval.ms",
            settings.broker_heartbeat_interval_ms,
        ),
    })
}

/// A group member whose heartbeats stopped: silence against its `session.timeout.ms`. Shown at
/// once for a consumer known to be killed, otherwise once a third of the session has passed in
/// silence (a live member heartbeats well within that).
pub fn member_session(m: &MemberSnapshot, now_ms: i64, killed: bool) -> Option<Countdown> {
    let elapsed_ms = now_ms - m.last_heartbeat_ms;
    (killed || elapsed_ms * 3 > m.session_timeout_ms).then_some(Countdown {
        short: text("countdown.no_hb"),
        long: text("countdown.no_heartbeat"),
        config: "session.timeout.ms",
        elapsed_ms,
        limit_ms: m.session_timeout_ms,
        kafka_ms: Some(consumer_session_default_ms()).filter(|k| *k != m.session_timeout_ms),
    })
}

/// An in-sync follower that has not caught up lately: lag time against `replica.lag.time.max.ms`.
pub fn follower_lag(
    r: &ReplicaSnapshot,
    now_ms: i64,
    settings: &ClusterSettings,
) -> Option<Countdown> {
    let since = r.behind_since_ms?;
    let elapsed_ms = now_ms - since;
    (elapsed_ms >= FOLLOWER_SHOWN_AFTER_MS).then_some(Countdown {
        short: text("countdown.behind"),
        long: text("countdown.behind"),
        config: "replica.lag.time.max.ms",
        elapsed_ms,
        limit_ms: settings.replica_lag_time_max_ms,
        kafka_ms: kafka_ms_if_different(
            "replica.lag.time.max.ms",
            settings.replica_lag_time_max_ms,
        ),
    })
}

/// A join phase in progress: the initial rebalance delay of an empty group's first member, else
/// the wait for members to rejoin, bounded by the slowest member's `rebalance.timeout.ms`.
pub fn group_wait(g: &GroupSnapshot, now_ms: i64) -> Option<Countdown> {
    let w = g.rebalance.as_ref()?;
    let elapsed_ms = now_ms - w.started_ms;
    Some(match w.initial_delay_until_ms {
        Some(until) => Countdown {
            short: text("countdown.delay"),
            long: text("countdown.initial_delay"),
            config: "group.initial.rebalance.delay.ms",
            elapsed_ms,
            limit_ms: until - w.started_ms,
            // The delay's limit can grow as members join, so it is not compared with a default.
            kafka_ms: None,
        },
        None => Countdown {
            short: text("countdown.rejoin"),
            long: text("countdown.waiting_for_rejoins"),
            config: "rebalance.timeout.ms",
            elapsed_ms,
            limit_ms: w.deadline_ms - w.started_ms,
            kafka_ms: None,
        },
    })
}

/// Time to retention's next run: since the last one against `log.retention.check.interval.ms`.
pub fn retention(next_check_ms: i64, now_ms: i64, settings: &ClusterSettings) -> Countdown {
    let interval = settings.retention_check_interval_ms;
    Countdown {
        short: text("countdown.retention"),
        long: text("countdown.retention_check"),
        config: "log.retention.check.interval.ms",
        elapsed_ms: interval - (next_check_ms - now_ms),
        limit_ms: interval,
        kafka_ms: kafka_ms_if_different("log.retention.check.interval.ms", interval),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::snapshot::{BrokerState, GroupState, RebalanceWait, ReplicaRole};

    fn settings() -> ClusterSettings {
        crate::cluster::ClusterConfig::new(3, 1, "/lab").settings()
    }

    #[test]
    fn a_shortened_limit_names_kafkas_default_and_kafkas_own_does_not() {
        let mut r = crate::ui::fixture::snapshot().partitions[0].replica_states[1].clone();
        r.behind_since_ms = Some(0);
        let teaching = follower_lag(&r, 5_000, &settings()).expect("shown");
        assert_eq!(
            teaching.setting(),
            "replica.lag.time.max.ms=10000 (Kafka 30000)"
        );
        let kafka = crate::cluster::ClusterConfig::for_profile(
            crate::cluster::config::Profile::Kafka,
            3,
            1,
            "/lab",
        )
        .settings();
        let own = follower_lag(&r, 5_000, &kafka).expect("shown");
        assert_eq!(own.setting(), "replica.lag.time.max.ms=30000");
        let retention = retention(5_000, 1_000, &settings());
        assert_eq!(
            retention.setting(),
            "log.retention.check.interval.ms=5000 (Kafka 300000)"
        );
    }

    #[test]
    fn seconds_read_like_a_clock() {
        assert_eq!(secs(4_230), "4.2s");
        assert_eq!(secs(45_000), "45s");
        assert_eq!(secs(300_000), "5m");
        assert_eq!(secs(150_000), "2m30s");
        assert_eq!(secs(-5), "0.0s");
    }

    #[test]
    fn a_countdown_says_less_as_the_room_shrinks() {
        let c = Countdown {
            short: "no hb",
            long: "no heartbeat",
            config: "broker.session.timeout.ms",
            elapsed_ms: 4_500,
            limit_ms: 9_000,
            kafka_ms: None,
        };
        assert_eq!(
            c.fit(80),
            "no heartbeat 4.5s/9s broker.session.timeout.ms=9000 ▰▰▰▱▱▱"
        );
        assert_eq!(
            c.fit(53),
            "no heartbeat 4.5s/9s broker.session.timeout.ms=9000"
        );
        assert_eq!(c.fit(40), "no hb 4.5s/9s broker.session.timeout.ms");
        assert_eq!(c.fit(22), "no heartbeat 4.5s/9s");
        assert_eq!(c.fit(15), "no hb 4.5s/9s");
        assert_eq!(c.fit(9), "4.5s/9s");
        assert_eq!(c.fit(3), "");
        assert_eq!(
            c.legend("b3", 80, true),
            "b3 no heartbeat 4.5s/9s broker.session.timeout.ms=9000"
        );
        assert_eq!(c.legend("b3", 32, true), "broker.session.timeout.ms=9000");
        assert_eq!(c.legend("b3", 32, false), "b3 no hb 4.5s/9s");
        assert_eq!(c.legend("b3", 5, true), "");
    }

    #[test]
    fn a_border_explains_every_countdown_or_at_least_their_configs() {
        let s = settings();
        let mut a = retention(5_000, 1_000, &s);
        // The widths below are about fitting; the Kafka-default label has its own test.
        a.kafka_ms = None;
        let mut b = a.clone();
        b.config = "session.timeout.ms";
        b.limit_ms = 45_000;
        let items = vec![("x".to_string(), a), ("y".to_string(), b)];
        assert_eq!(
            legends(&items, 200),
            "x retention check 1.0s/5s log.retention.check.interval.ms=5000 · \
             y retention check 1.0s/45s session.timeout.ms=45000"
        );
        assert_eq!(
            legends(&items, 70),
            "log.retention.check.interval.ms=5000 · session.timeout.ms=45000"
        );
        assert_eq!(legends(&items, 40), "log.retention.check.interval.ms=5000");
        assert_eq!(legends(&[], 40), "");
    }

    #[test]
    fn the_bar_fills_with_the_wait_and_stops_at_the_limit() {
        let mut c = retention(5_000, 0, &settings());
        assert_eq!(c.bar(4), "▱▱▱▱");
        c.elapsed_ms = 2_500;
        assert_eq!(c.bar(4), "▰▰▱▱");
        c.elapsed_ms = 99_000;
        assert_eq!(c.bar(4), "▰▰▰▰");
        assert_eq!(c.ratio(), "5.0s/5s");
    }

    #[test]
    fn a_silent_broker_counts_against_broker_session_timeout() {
        let mut b = crate::ui::fixture::snapshot().brokers[2].clone();
        assert_eq!(b.state, BrokerState::Down);
        assert_eq!(broker_session(&b, 10_000, &settings()), None);
        b.silent_since_ms = Some(6_000);
        let c = broker_session(&b, 10_000, &settings()).expect("countdown");
        assert_eq!((c.elapsed_ms, c.limit_ms), (4_000, 9_000));
        assert_eq!(c.config, "broker.session.timeout.ms");
    }

    #[test]
    fn a_member_shows_its_silence_when_killed_or_a_third_of_its_session_gone() {
        let m = crate::ui::fixture::snapshot().groups[0].members[0].clone();
        let at = |ms| m.last_heartbeat_ms + ms;
        assert_eq!(member_session(&m, at(3_000), false), None);
        let c = member_session(&m, at(3_000), true).expect("killed");
        assert_eq!((c.elapsed_ms, c.limit_ms), (3_000, 45_000));
        assert!(member_session(&m, at(16_000), false).is_some());
    }

    #[test]
    fn a_follower_shows_its_lag_time_after_a_second() {
        let mut r = crate::ui::fixture::snapshot().partitions[0].replica_states[1].clone();
        assert_eq!(r.role, ReplicaRole::InSync);
        assert_eq!(follower_lag(&r, 10_000, &settings()), None);
        r.behind_since_ms = Some(9_500);
        assert_eq!(follower_lag(&r, 10_000, &settings()), None);
        let c = follower_lag(&r, 12_000, &settings()).expect("behind");
        assert_eq!((c.elapsed_ms, c.limit_ms), (2_500, 10_000));
    }

    #[test]
    fn a_join_phase_shows_the_initial_delay_then_the_rebalance_timeout() {
        let mut g = crate::ui::fixture::snapshot().groups[0].clone();
        assert_eq!(group_wait(&g, 1_000), None);
        g.state = GroupState::PreparingRebalance;
        g.rebalance = Some(RebalanceWait {
            started_ms: 1_000,
            initial_delay_until_ms: Some(4_000),
            deadline_ms: 301_000,
            joined: 1,
        });
        let c = group_wait(&g, 2_000).expect("delay");
        assert_eq!(c.config, "group.initial.rebalance.delay.ms");
        assert_eq!(c.ratio(), "1.0s/3s");
        g.rebalance.as_mut().expect("wait").initial_delay_until_ms = None;
        let c = group_wait(&g, 2_000).expect("rejoin");
        assert_eq!(c.config, "rebalance.timeout.ms");
        assert_eq!(c.ratio(), "1.0s/5m");
    }
}
