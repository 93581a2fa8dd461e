//! DNS_TUNNELING: per client and registered domain (public suffix list), the unique names asked
//! within the window; fires when there are many and they look like encoded data — a long name,
//! high label entropy, or mostly NULL/TXT queries (anomalous-dns, RITA's C2-over-DNS).

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::packet::{DnsQuestion, Protocol};
use crate::rules::Rule;

const MAX_NAMES: usize = 4096;

struct Domain {
    first: f64,
    names: HashSet<String>,
    queries: u32,
    null_txt: u32,
    max_len: usize,
    entropy_sum: f64,
    common_suffix: Option<String>,
    alerted: bool,
}

pub struct DnsDetector {
    domains: Bounded<(IpAddr, String), Domain>,
}

/// The registered domain of `name` (eTLD+1), or the name itself when it has none.
pub fn registered_domain(name: &str) -> String {
    psl::domain_str(name).unwrap_or(name).to_string()
}

/// Shannon entropy (bits per character) of the labels left of the registered domain.
fn subdomain_entropy(name: &str, domain: &str) -> f64 {
    let sub = name
        .strip_suffix(domain)
        .unwrap_or(name)
        .trim_end_matches('.');
    let bytes: Vec<u8> = sub.bytes().filter(|&b| b != b'.').collect();
    f64::from(crate::packet::entropy(&bytes))
}

fn common_suffix(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.rsplit('.').collect(), b.rsplit('.').collect());
    let shared: Vec<&str> = la
        .iter()
        .zip(&lb)
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| *x)
        .collect();
    shared.into_iter().rev().collect::<Vec<_>>().join(".")
}

/// Five of the names asked (sorted, so the evidence is the same on every run).
fn sample(names: &HashSet<String>) -> Vec<&String> {
    let mut all: Vec<&String> = names.iter().collect();
    all.sort();
    all.truncate(5);
    all
}

impl DnsDetector {
    pub fn new(max_sources: usize) -> DnsDetector {
        DnsDetector {
            domains: bounded(max_sources),
        }
    }

    /// Returns the (unique names, longest name) of this client's domain, and a finding.
    pub fn query(
        &mut self,
        client: IpAddr,
        q: &DnsQuestion,
        ts: f64,
        config: &EngineConfig,
    ) -> (u32, u32, Option<Finding>) {
        if q.is_response || q.name.is_empty() {
            return (0, 0, None);
        }
        let domain = registered_domain(&q.name);
        let window = config.threshold(Rule::DnsTunneling, "window_secs");
        let d = self
            .domains
            .get_or_insert_mut((client, domain.clone()), || Domain {
                first: ts,
                names: HashSet::new(),
                queries: 0,
                null_txt: 0,
                max_len: 0,
                entropy_sum: 0.0,
                common_suffix: None,
                alerted: false,
            });
        if ts - d.first > window {
            *d = Domain {
                first: ts,
                names: HashSet::new(),
                queries: 0,
                null_txt: 0,
                max_len: 0,
                entropy_sum: 0.0,
                common_suffix: None,
                alerted: d.alerted,
            };
        }
        d.queries += 1;
        if q.qtype == 10 || q.qtype == 16 {
            d.null_txt += 1;
        }
        d.max_len = d.max_len.max(q.name.len());
        if d.names.len() < MAX_NAMES && d.names.insert(q.name.clone()) {
            d.entropy_sum += subdomain_entropy(&q.name, &domain);
            d.common_suffix = Some(match &d.common_suffix {
                None => q.name.clone(),
                Some(s) => common_suffix(s, &q.name),
            });
        }
        let unique = d.names.len() as u32;
        let stats = (unique, d.max_len as u32);
        if d.alerted || f64::from(unique) < config.threshold(Rule::DnsTunneling, "unique_names") {
            return (stats.0, stats.1, None);
        }
        let mean_entropy = d.entropy_sum / f64::from(unique);
        let share = f64::from(d.null_txt) / f64::from(d.queries);
        let long = d.max_len as f64 >= config.threshold(Rule::DnsTunneling, "long_name");
        let random = mean_entropy >= config.threshold(Rule::DnsTunneling, "label_entropy");
        let null_txt = share >= config.threshold(Rule::DnsTunneling, "null_txt_share");
        if !(long || random || null_txt) {
            return (stats.0, stats.1, None);
        }
        d.alerted = true;
        let zone = d
            .common_suffix
            .clone()
            .filter(|s| s.len() >= domain.len())
            .unwrap_or_else(|| domain.clone());
        let finding = Finding::new(Rule::DnsTunneling, client, Protocol::Udp, d.first, ts)
            .because(
                format!("{unique} unique names under {zone} in {:.0} s (longest {} chars, {:.0} % NULL/TXT)",
                    ts - d.first, d.max_len, share * 100.0),
                json!({"domain": domain, "zone": zone, "unique_names": unique, "queries": d.queries,
                       "max_name_len": d.max_len, "sample_names": sample(&d.names), "mean_label_entropy": mean_entropy, "null_txt_share": share,
                       "signals": {"long_name": long, "high_entropy": random, "null_txt": null_txt}}),
            )
            .with_thresholds(config);
        (stats.0, stats.1, Some(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_domains_follow_the_public_suffix_list() {
        assert_eq!(registered_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(registered_domain("x9.t1.test"), "t1.test");
        assert_eq!(
            common_suffix("aa.t1.dx.example.net", "bb.dx.example.net"),
            "dx.example.net"
        );
    }
}
