//! The flow table: packets folded into bidirectional flows (initiator → responder) with per
//! direction packet and byte counts, timing and the TCP handshake's outcome. Bounded: the least
//! recently seen flow is evicted (and reported as ended) when the table is full.

use std::net::IpAddr;
use std::num::NonZeroUsize;

use lru::LruCache;
use serde::Serialize;

use crate::packet::{PacketMeta, Protocol};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FlowKey {
    pub protocol: Protocol,
    pub initiator: IpAddr,
    pub initiator_port: u16,
    pub responder: IpAddr,
    pub responder_port: u16,
}

/// How a connection attempt ended, as TRW counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pending,
    /// SYN-ACK (TCP) or any reply (UDP, ICMP).
    Answered,
    /// RST from the responder, or no answer before the timeout.
    Rejected,
    Unanswered,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub key: FlowKey,
    pub first_ts: f64,
    pub last_ts: f64,
    pub packets_out: u64,
    pub packets_in: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub syns: u32,
    pub outcome: Outcome,
    /// The initiator acknowledged the SYN-ACK: the three-way handshake completed.
    pub established: bool,
    /// Set once the outcome has been handed to the detectors.
    #[serde(skip)]
    pub outcome_reported: bool,
}

/// What one packet did to the table.
pub struct Update {
    pub key: FlowKey,
    /// The packet travels initiator → responder.
    pub outbound: bool,
    /// This packet created the flow.
    pub new_flow: bool,
    /// The handshake outcome just became known (first time only).
    pub decided: Option<Outcome>,
    /// This packet completed the TCP handshake.
    pub established: bool,
}

pub struct FlowTable {
    flows: LruCache<FlowKey, Flow>,
    idle_secs: f64,
}

impl FlowTable {
    pub fn new(capacity: usize, idle_secs: f64) -> FlowTable {
        FlowTable {
            flows: LruCache::new(NonZeroUsize::new(capacity.max(1)).expect("nonzero")),
            idle_secs,
        }
    }

    pub fn len(&self) -> usize {
        self.flows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// Folds one packet in. `evicted` receives a flow pushed out by the capacity bound.
    pub fn update(&mut self, p: &PacketMeta, evicted: &mut Vec<Flow>) -> Update {
        let forward = FlowKey {
            protocol: p.protocol,
            initiator: p.src,
            initiator_port: p.src_port,
            responder: p.dst,
            responder_port: p.dst_port,
        };
        let reverse = FlowKey {
            protocol: p.protocol,
            initiator: p.dst,
            initiator_port: p.dst_port,
            responder: p.src,
            responder_port: p.src_port,
        };
        let (key, outbound, new_flow) = if self.flows.contains(&forward) {
            (forward, true, false)
        } else if self.flows.contains(&reverse) {
            (reverse, false, false)
        } else if p.protocol == Protocol::Tcp && p.flags.syn && p.flags.ack {
            // First seen mid-handshake: the SYN-ACK's sender is the responder.
            (reverse, false, true)
        } else {
            (forward, true, true)
        };
        if new_flow {
            let flow = Flow {
                key,
                first_ts: p.ts,
                last_ts: p.ts,
                packets_out: 0,
                packets_in: 0,
                bytes_out: 0,
                bytes_in: 0,
                syns: 0,
                outcome: Outcome::Pending,
                established: false,
                outcome_reported: false,
            };
            if let Some((old_key, old)) = self.flows.push(key, flow) {
                if old_key != key {
                    evicted.push(old);
                }
            }
        }
        let flow = self.flows.get_mut(&key).expect("present");
        let mut established = false;
        flow.last_ts = flow.last_ts.max(p.ts);
        if outbound {
            flow.packets_out += 1;
            flow.bytes_out += u64::from(p.ip_len);
            if p.flags.syn && !p.flags.ack {
                flow.syns += 1;
            }
            if p.flags.ack
                && !p.flags.syn
                && !p.flags.rst
                && flow.outcome == Outcome::Answered
                && !flow.established
            {
                flow.established = true;
                established = true;
            }
        } else {
            flow.packets_in += 1;
            flow.bytes_in += u64::from(p.ip_len);
            if flow.outcome == Outcome::Pending {
                flow.outcome = match p.protocol {
                    Protocol::Tcp if p.flags.rst => Outcome::Rejected,
                    Protocol::Tcp if p.flags.syn && p.flags.ack => Outcome::Answered,
                    Protocol::Tcp => Outcome::Pending,
                    _ => Outcome::Answered,
                };
            }
        }
        let decided = (flow.outcome != Outcome::Pending && !flow.outcome_reported).then(|| {
            flow.outcome_reported = true;
            flow.outcome
        });
        Update {
            key,
            outbound,
            new_flow,
            decided,
            established,
        }
    }

    /// Marks `key` rejected (an ICMP unreachable named it); returns whether that decided it.
    pub fn reject(&mut self, key: &FlowKey) -> bool {
        match self.flows.get_mut(key) {
            Some(flow) if flow.outcome == Outcome::Pending => {
                flow.outcome = Outcome::Rejected;
                flow.outcome_reported = true;
                true
            }
            _ => false,
        }
    }

    /// Flows whose attempt got no answer within `timeout` (decided now as unanswered), and flows
    /// idle longer than the idle limit (removed and returned as ended).
    pub fn expire(&mut self, now: f64, timeout: f64) -> (Vec<FlowKey>, Vec<Flow>) {
        let mut unanswered = Vec::new();
        let mut ended = Vec::new();
        for (key, flow) in self.flows.iter_mut() {
            if flow.outcome == Outcome::Pending && now - flow.first_ts >= timeout {
                flow.outcome = Outcome::Unanswered;
                flow.outcome_reported = true;
                unanswered.push(*key);
            }
        }
        while let Some((_, oldest)) = self.flows.peek_lru() {
            if now - oldest.last_ts < self.idle_secs {
                break;
            }
            ended.push(self.flows.pop_lru().expect("present").1);
        }
        (unanswered, ended)
    }

    /// Ends every flow (end of a capture).
    pub fn drain(&mut self) -> Vec<Flow> {
        let mut all = Vec::with_capacity(self.flows.len());
        while let Some((_, flow)) = self.flows.pop_lru() {
            all.push(flow);
        }
        all
    }

    pub fn get(&self, key: &FlowKey) -> Option<&Flow> {
        self.flows.peek(key)
    }
}
