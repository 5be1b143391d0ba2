//! What moved a moment ago, for every partition: which replicas took new records (the partition
//! map's `L+412`), which producers wrote into a partition's leader (`P1→`) and which consumers
//! read from it (`→CA`), so a room sees records flow producer → leader → followers → consumer
//! without opening the log view. Worked out by comparing each snapshot with the previous one.

use super::log_view::APPENDED_SHOWN_MS;
use crate::cluster::types::{BrokerId, ClientId, TopicPartition};
use crate::lab::LabSnapshot;
use std::collections::HashMap;

/// A counter in the previous snapshot and when it last grew.
type Seen = (i64, Option<i64>);

/// Each replica's LEO, each producer's records sent and each group's position per partition in
/// the previous snapshot, and when each last grew. Bounded by what the newest snapshot holds (at
/// most `PARTITIONS_TOTAL_MAX` × replication factor replicas, the lab's producers, and each group's
/// partitions): whatever is gone from it is forgotten.
#[derive(Clone, Debug, Default)]
pub struct Pulses {
    leos: HashMap<(TopicPartition, BrokerId), Seen>,
    sent: HashMap<ClientId, Seen>,
    positions: HashMap<(String, TopicPartition), Seen>,
}

/// Notes `value` for `key` at `now`; remembers when it grew.
fn note<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Seen>, key: K, value: i64, now: i64) {
    let entry = map.entry(key).or_insert((value, None));
    if value > entry.0 {
        entry.1 = Some(now);
    }
    entry.0 = value;
}

/// Whether a remembered counter grew within the last [`APPENDED_SHOWN_MS`] before `now_ms`.
fn lately(seen: Option<&Seen>, now_ms: i64) -> bool {
    seen.and_then(|(_, at)| *at)
        .is_some_and(|at| at <= now_ms && now_ms - at < APPENDED_SHOWN_MS)
}

/// A client's short name on the map: `P` or `C` and the end of its `client.id` after the last
/// `-` (`producer-1` → `P1`, `consumer-A` → `CA`), or its first three characters.
pub fn short_label(kind: char, client_id: &str) -> String {
    let tail = client_id.rsplit(['-', '_']).next().unwrap_or(client_id);
    let tail: String = if !tail.is_empty() && tail.chars().count() <= 3 {
        tail.to_string()
    } else {
        client_id.chars().take(3).collect()
    };
    format!("{kind}{tail}")
}

impl Pulses {
    /// Takes a new snapshot's LEOs, producers' counts and groups' positions.
    pub fn observe(&mut self, snap: &LabSnapshot) {
        let now = snap.now_ms;
        let mut replicas = 0;
        for p in &snap.partitions {
            for r in &p.replica_states {
                replicas += 1;
                note(
                    &mut self.leos,
                    (p.tp.clone(), r.broker),
                    r.log_end_offset,
                    now,
                );
            }
        }
        if self.leos.len() > replicas {
            let present: std::collections::HashSet<(&TopicPartition, BrokerId)> = snap
                .partitions
                .iter()
                .flat_map(|p| p.replica_states.iter().map(move |r| (&p.tp, r.broker)))
                .collect();
            self.leos.retain(|(tp, b), _| present.contains(&(tp, *b)));
        }
        for p in &snap.producers {
            let sent = i64::try_from(p.sent).unwrap_or(i64::MAX);
            note(&mut self.sent, p.id, sent, now);
        }
        if self.sent.len() > snap.producers.len() {
            self.sent
                .retain(|id, _| snap.producers.iter().any(|p| p.id == *id));
        }
        let mut group_partitions = 0;
        for g in &snap.groups {
            for gp in &g.partitions {
                group_partitions += 1;
                if let Some(pos) = gp.position {
                    note(
                        &mut self.positions,
                        (g.group_id.clone(), gp.tp.clone()),
                        pos,
                        now,
                    );
                }
            }
        }
        if self.positions.len() > group_partitions {
            self.positions.retain(|(group, tp), _| {
                snap.groups
                    .iter()
                    .any(|g| &g.group_id == group && g.partitions.iter().any(|gp| &gp.tp == tp))
            });
        }
    }

    /// Whether this replica's LEO grew within the last [`APPENDED_SHOWN_MS`] before `now_ms`.
    pub fn grew(&self, tp: &TopicPartition, broker: BrokerId, now_ms: i64) -> bool {
        lately(self.leos.get(&(tp.clone(), broker)), now_ms)
    }

    /// Producers whose records reached `tp`'s leader a moment ago, by `client.id`: the ones
    /// writing its topic that sent lately, while the leader's LEO grew.
    pub fn writers(&self, snap: &LabSnapshot, tp: &TopicPartition) -> Vec<String> {
        let now = snap.now_ms;
        let Some(leader) = snap
            .partitions
            .iter()
            .find(|p| &p.tp == tp)
            .and_then(|p| p.leader)
        else {
            return Vec::new();
        };
        if !self.grew(tp, leader, now) {
            return Vec::new();
        }
        snap.producers
            .iter()
            .filter(|p| p.topic == tp.topic && lately(self.sent.get(&p.id), now))
            .map(|p| p.client_id.clone())
            .collect()
    }

    /// Consumers that read `tp` a moment ago (their group's position on it moved), by `client.id`.
    pub fn readers(&self, snap: &LabSnapshot, tp: &TopicPartition) -> Vec<String> {
        let now = snap.now_ms;
        snap.groups
            .iter()
            .filter_map(|g| {
                let gp = g.partitions.iter().find(|gp| &gp.tp == tp)?;
                if !lately(self.positions.get(&(g.group_id.clone(), tp.clone())), now) {
                    return None;
                }
                let owner = gp.owner.as_ref()?;
                let m = g.members.iter().find(|m| &m.member_id == owner)?;
                Some(m.client_id.clone())
            })
            .collect()
    }

    /// Replicas remembered (the bound's witness in tests).
    pub fn len(&self) -> usize {
        self.leos.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.leos.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture;

    #[test]
    fn a_growing_leo_pulses_for_half_a_second_and_gone_partitions_are_forgotten() {
        let mut snap = fixture::snapshot();
        let mut pulses = Pulses::default();
        pulses.observe(&snap);
        let tp = snap.partitions[2].tp.clone();
        assert!(
            !pulses.grew(&tp, 2, snap.now_ms),
            "the first snapshot is the baseline"
        );
        snap.partitions[2].replica_states[0].log_end_offset += 3;
        snap.now_ms += 10;
        pulses.observe(&snap);
        let b = snap.partitions[2].replica_states[0].broker;
        assert!(pulses.grew(&tp, b, snap.now_ms));
        assert!(!pulses.grew(
            &tp,
            snap.partitions[2].replica_states[1].broker,
            snap.now_ms
        ));
        assert!(!pulses.grew(&tp, b, snap.now_ms + APPENDED_SHOWN_MS));
        let all = pulses.len();
        snap.partitions.truncate(1);
        pulses.observe(&snap);
        assert!(pulses.len() < all);
        assert_eq!(pulses.len(), snap.partitions[0].replica_states.len());
    }

    #[test]
    fn short_labels_keep_the_end_of_the_client_id() {
        assert_eq!(short_label('P', "producer-1"), "P1");
        assert_eq!(short_label('C', "consumer-A"), "CA");
        assert_eq!(short_label('C', "rdkafka"), "Crdk");
        assert_eq!(short_label('P', "my_app_12"), "P12");
    }

    #[test]
    fn writers_and_readers_pulse_while_records_move_and_fade_after() {
        let mut snap = fixture::snapshot();
        let mut pulses = Pulses::default();
        pulses.observe(&snap);
        let i = snap
            .partitions
            .iter()
            .position(|p| p.tp.to_string() == "test-0")
            .unwrap();
        let tp = snap.partitions[i].tp.clone();
        assert!(
            pulses.writers(&snap, &tp).is_empty(),
            "the first snapshot is the baseline"
        );
        assert!(pulses.readers(&snap, &tp).is_empty());
        // The producer sent and the leader took records; consumer-A's group read test-0.
        snap.now_ms += 10;
        snap.producers[0].sent += 3;
        let leader = snap.partitions[i].leader.unwrap();
        for r in &mut snap.partitions[i].replica_states {
            if r.broker == leader {
                r.log_end_offset += 3;
            }
        }
        for g in &mut snap.groups {
            for gp in &mut g.partitions {
                if gp.tp == tp {
                    gp.position = gp.position.map(|p| p + 2);
                }
            }
        }
        pulses.observe(&snap);
        assert_eq!(pulses.writers(&snap, &tp), vec!["producer-1".to_string()]);
        assert_eq!(pulses.readers(&snap, &tp), vec!["consumer-A".to_string()]);
        let other = snap
            .partitions
            .iter()
            .find(|p| p.tp != tp)
            .unwrap()
            .tp
            .clone();
        assert!(
            pulses.writers(&snap, &other).is_empty(),
            "its leader took nothing"
        );
        assert!(pulses.readers(&snap, &other).is_empty());
        snap.now_ms += APPENDED_SHOWN_MS;
        pulses.observe(&snap);
        assert!(pulses.writers(&snap, &tp).is_empty(), "the pulse fades");
        assert!(pulses.readers(&snap, &tp).is_empty());
        snap.producers.clear();
        snap.groups.clear();
        pulses.observe(&snap);
        assert!(
            pulses.sent.is_empty() && pulses.positions.is_empty(),
            "gone clients are forgotten"
        );
    }
}
