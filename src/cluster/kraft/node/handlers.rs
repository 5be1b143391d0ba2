//! What a KRaft node does with each message it receives: votes, fetches and their answers.

use super::{Ctx, FETCH_IDLE_MS, FETCH_MAX_BYTES, Fetcher, RaftNode};
use crate::cluster::kraft::message::{Body, Message};
use crate::cluster::kraft::{NodeId, Role};
use bytes::Bytes;

impl RaftNode {
    /// Handles one delivered message.
    pub(crate) fn handle(&mut self, m: &Message, ctx: &mut Ctx) {
        if !self.is_up() {
            return;
        }
        match &m.body {
            Body::VoteRequest {
                epoch,
                last_epoch,
                last_offset,
            } => self.on_vote_request(ctx, m.from, *epoch, (*last_epoch, *last_offset)),
            Body::VoteResponse { epoch, granted } => {
                if *epoch > self.epoch {
                    self.become_unattached(ctx, *epoch);
                } else if self.role == Role::Candidate && *epoch == self.epoch && *granted {
                    self.votes.insert(m.from);
                    if self.votes.len() >= ctx.majority() {
                        self.become_leader(ctx);
                    }
                }
            }
            Body::BeginQuorumEpoch { epoch } => {
                if *epoch > self.epoch || (*epoch == self.epoch && self.role != Role::Leader) {
                    self.become_follower(ctx, *epoch, m.from);
                }
            }
            Body::FetchRequest {
                epoch,
                fetch_offset,
                last_fetched_epoch,
            } => self.on_fetch(ctx, m.from, *epoch, *fetch_offset, *last_fetched_epoch),
            Body::FetchResponse {
                epoch,
                leader,
                from_leader,
                records,
                high_watermark,
                truncate_to,
            } => {
                self.fetch_sent_ms = None;
                if !from_leader {
                    self.next_fetch_ms = ctx.now_ms + FETCH_IDLE_MS;
                    match leader {
                        Some(l) if *l != self.id && *epoch >= self.epoch => {
                            let news = self.leader != Some(*l) || *epoch > self.epoch;
                            if news {
                                self.become_follower(ctx, *epoch, *l);
                            }
                        }
                        _ if *epoch > self.epoch => self.become_unattached(ctx, *epoch),
                        _ => {}
                    }
                    return;
                }
                if *epoch < self.epoch {
                    return;
                }
                if *epoch > self.epoch || self.leader != Some(m.from) {
                    self.become_follower(ctx, *epoch, m.from);
                }
                self.deadline_ms = ctx.now_ms + ctx.timeouts.fetch_ms;
                self.on_fetched(ctx, records, *high_watermark, *truncate_to);
            }
        }
    }

    fn on_vote_request(&mut self, ctx: &mut Ctx, from: NodeId, epoch: i32, theirs: (i32, i64)) {
        if !self.voter {
            return;
        }
        if epoch > self.epoch {
            self.become_unattached(ctx, epoch);
        }
        let mine = (self.last_epoch(), self.leo());
        let granted = epoch == self.epoch
            && self.leader.is_none()
            && self.role != Role::Leader
            && self.voted_for.is_none_or(|v| v == from)
            && theirs >= mine;
        if granted {
            self.voted_for = Some(from);
            self.persist();
            self.deadline_ms = ctx.election_deadline();
        }
        ctx.out.push((
            from,
            Body::VoteResponse {
                epoch: self.epoch,
                granted,
            },
        ));
    }

    fn on_fetch(&mut self, ctx: &mut Ctx, from: NodeId, epoch: i32, offset: i64, last: i32) {
        if epoch > self.epoch {
            self.become_unattached(ctx, epoch);
        }
        if self.role != Role::Leader || epoch < self.epoch {
            ctx.out.push((
                from,
                Body::FetchResponse {
                    epoch: self.epoch,
                    leader: self.leader,
                    from_leader: false,
                    records: Bytes::new(),
                    high_watermark: self.high_watermark,
                    truncate_to: None,
                },
            ));
            return;
        }
        let Some(log) = self.log.as_ref() else {
            return;
        };
        let leo = log.log_end_offset();
        // KIP-595: the fetcher's last epoch must end where the leader's does, or it truncates.
        let diverging = if offset == 0 {
            None
        } else {
            match log.end_offset_for_epoch(last) {
                Some((e, end)) if e == last && end >= offset => None,
                Some((_, end)) => Some(end.min(offset)),
                None => Some(0),
            }
        };
        let records = match diverging {
            Some(_) => Bytes::new(),
            None => log
                .read(offset.min(leo), FETCH_MAX_BYTES, leo)
                .map(|f| f.bytes)
                .unwrap_or_default(),
        };
        if diverging.is_none() {
            self.fetchers.insert(
                from,
                Fetcher {
                    log_end_offset: offset,
                    last_fetch_ms: ctx.now_ms,
                },
            );
            self.update_high_watermark(ctx);
        }
        ctx.out.push((
            from,
            Body::FetchResponse {
                epoch: self.epoch,
                leader: Some(self.id),
                from_leader: true,
                records,
                high_watermark: self.high_watermark,
                truncate_to: diverging,
            },
        ));
    }

    fn on_fetched(&mut self, ctx: &mut Ctx, records: &Bytes, hw: i64, truncate_to: Option<i64>) {
        let Some(log) = self.log.as_mut() else {
            return;
        };
        if let Some(t) = truncate_to {
            let _ = log.truncate_to(t);
            self.next_fetch_ms = ctx.now_ms;
            return;
        }
        let appended = !records.is_empty() && log.append_replicated(records, ctx.now_ms).is_ok();
        let leo = log.log_end_offset();
        self.high_watermark = self.high_watermark.max(hw.min(leo));
        self.next_fetch_ms = if appended {
            ctx.now_ms
        } else {
            ctx.now_ms + FETCH_IDLE_MS
        };
    }
}
