//! The five services by name, and the state every service router is built over.

use std::fmt;
use std::str::FromStr;

use crate::Platform;

/// One of the five API contracts Redoubt serves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ServiceName {
    Guard,
    Netwatch,
    Enclave,
    Vision,
    Testops,
}

impl ServiceName {
    pub const ALL: [ServiceName; 5] = [
        ServiceName::Guard,
        ServiceName::Netwatch,
        ServiceName::Enclave,
        ServiceName::Vision,
        ServiceName::Testops,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceName::Guard => "guard",
            ServiceName::Netwatch => "netwatch",
            ServiceName::Enclave => "enclave",
            ServiceName::Vision => "vision",
            ServiceName::Testops => "testops",
        }
    }

    /// The roles a user may hold in this service, as each contract names them.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            ServiceName::Guard => &["admin", "viewer"],
            ServiceName::Netwatch => &["admin", "analyst", "auditor"],
            ServiceName::Testops => &["admin", "developer", "viewer"],
            // Enclave and vision authenticate with API keys only; a user role there is an
            // operator role for the admin tooling.
            ServiceName::Enclave | ServiceName::Vision => &["admin"],
        }
    }

    /// The prefix of API keys issued for this service (the contracts' own where they name one).
    pub fn api_key_prefix(self) -> &'static str {
        match self {
            ServiceName::Guard => "gdk_live_",
            ServiceName::Netwatch => "nsx_",
            ServiceName::Enclave => "nrx_live_",
            ServiceName::Vision => "vsk_live_",
            ServiceName::Testops => "pk_live_",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            ServiceName::Guard => 8081,
            ServiceName::Netwatch => 8082,
            ServiceName::Enclave => 8083,
            ServiceName::Vision => 8084,
            ServiceName::Testops => 8085,
        }
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServiceName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceName::ALL
            .into_iter()
            .find(|name| name.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown service `{s}` (expected one of guard, netwatch, enclave, vision, testops)"))
    }
}

/// State shared by one service's router: the platform plus which service this is.
#[derive(Clone)]
pub struct ServiceState {
    pub platform: Platform,
    pub service: ServiceName,
}
