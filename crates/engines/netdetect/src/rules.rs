//! The detection catalogue: rule identifiers, severities, plan coverage, and each rule's
//! thresholds with the default and the anchor it comes from.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Rule {
    PortScan,
    BruteForce,
    C2Beacon,
    DnsTunneling,
    DataExfiltration,
    LateralMovement,
    ShadowAi,
    NewDevice,
    SynFlood,
    OtIcsUnauthorizedWrite,
    AnomalousPayload,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

/// Which plans run a rule: core (every plan), extended (professional and up), OT (business and up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    Core,
    Extended,
    Ot,
}

impl Rule {
    pub const ALL: [Rule; 11] = [
        Rule::PortScan,
        Rule::BruteForce,
        Rule::C2Beacon,
        Rule::DnsTunneling,
        Rule::DataExfiltration,
        Rule::LateralMovement,
        Rule::ShadowAi,
        Rule::NewDevice,
        Rule::SynFlood,
        Rule::OtIcsUnauthorizedWrite,
        Rule::AnomalousPayload,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::PortScan => "PORT_SCAN",
            Rule::BruteForce => "BRUTE_FORCE",
            Rule::C2Beacon => "C2_BEACON",
            Rule::DnsTunneling => "DNS_TUNNELING",
            Rule::DataExfiltration => "DATA_EXFILTRATION",
            Rule::LateralMovement => "LATERAL_MOVEMENT",
            Rule::ShadowAi => "SHADOW_AI",
            Rule::NewDevice => "NEW_DEVICE",
            Rule::SynFlood => "SYN_FLOOD",
            Rule::OtIcsUnauthorizedWrite => "OT_ICS_UNAUTHORIZED_WRITE",
            Rule::AnomalousPayload => "ANOMALOUS_PAYLOAD",
        }
    }

    pub fn parse(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Severity as the catalogue gives it (SYN_FLOOD, not in the catalogue, is HIGH).
    pub fn severity(self) -> Severity {
        match self {
            Rule::C2Beacon | Rule::DataExfiltration | Rule::OtIcsUnauthorizedWrite => {
                Severity::Critical
            }
            Rule::PortScan
            | Rule::LateralMovement
            | Rule::BruteForce
            | Rule::DnsTunneling
            | Rule::SynFlood => Severity::High,
            Rule::ShadowAi | Rule::AnomalousPayload => Severity::Medium,
            Rule::NewDevice => Severity::Low,
        }
    }

    pub fn coverage(self) -> Coverage {
        match self {
            Rule::PortScan | Rule::BruteForce | Rule::NewDevice | Rule::SynFlood => Coverage::Core,
            Rule::OtIcsUnauthorizedWrite => Coverage::Ot,
            _ => Coverage::Extended,
        }
    }

    /// MITRE ATT&CK technique, so an alert maps onto EVE/ECS exports.
    pub fn mitre(self) -> &'static str {
        match self {
            Rule::PortScan => "T1046",
            Rule::BruteForce => "T1110",
            Rule::C2Beacon => "T1071",
            Rule::DnsTunneling => "T1071.004",
            Rule::DataExfiltration => "T1048",
            Rule::LateralMovement => "T1021",
            Rule::ShadowAi => "T1567",
            Rule::NewDevice => "T1200",
            Rule::SynFlood => "T1498.001",
            Rule::OtIcsUnauthorizedWrite => "T0855",
            Rule::AnomalousPayload => "T1095",
        }
    }

    /// The rule's thresholds and their defaults (anchors in docs/decisions.md).
    pub fn thresholds(self) -> &'static [(&'static str, f64)] {
        match self {
            // TRW (Jung et al. 2004): θ0 = 0.8, θ1 = 0.2, α = β = 0.01; Zeek scan.zeek fan-out.
            Rule::PortScan => &[
                ("trw_upper", 4.595),
                ("fanout_ports", 15.0),
                ("fanout_hosts", 25.0),
                ("window_secs", 300.0),
                ("first_contact_timeout_secs", 5.0),
                ("state_secs", 3600.0),
            ],
            // CrowdSec ssh-bf: leaky bucket of capacity 5 leaking one event per 10 s; ET 2001219
            // (5 SYN to :22 in 120 s) and ET 2001972 (20 SYN to :3389 in 360 s) as the fallback.
            Rule::BruteForce => &[
                ("bucket_capacity", 5.0),
                ("leak_secs", 10.0),
                ("ssh_syns", 5.0),
                ("ssh_window_secs", 120.0),
                ("rdp_syns", 20.0),
                ("rdp_window_secs", 360.0),
            ],
            // RITA-legacy interval/size regularity; a minimum span and count (RITA v5 requires hours).
            Rule::C2Beacon => &[
                ("min_connections", 12.0),
                ("min_span_secs", 180.0),
                ("min_interval_secs", 1.0),
                ("score", 0.8),
            ],
            // anomalous-dns and RITA: unique names per registered domain, long names, NULL/TXT.
            Rule::DnsTunneling => &[
                ("unique_names", 20.0),
                ("window_secs", 3600.0),
                ("long_name", 90.0),
                ("label_entropy", 3.5),
                ("null_txt_share", 0.5),
            ],
            Rule::DataExfiltration => &[
                ("min_bytes", 8_388_608.0),
                ("baseline_factor", 10.0),
                ("producer_consumer_ratio", 0.5),
                ("window_secs", 600.0),
            ],
            Rule::LateralMovement => &[("new_hosts", 3.0), ("window_secs", 600.0)],
            Rule::ShadowAi => &[("suppress_secs", 3600.0)],
            Rule::NewDevice => &[],
            // RFC 4987: SYN rate to one destination and the share never completed.
            Rule::SynFlood => &[("syn_per_sec", 200.0), ("half_open_ratio", 0.9)],
            Rule::OtIcsUnauthorizedWrite => &[],
            Rule::AnomalousPayload => &[
                ("icmp_payload_bytes", 1000.0),
                ("entropy_bits", 7.2),
                ("min_payload_bytes", 512.0),
            ],
        }
    }

    pub fn default_threshold(self, name: &str) -> f64 {
        self.thresholds()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{} has no threshold {name}", self.as_str()))
    }
}
