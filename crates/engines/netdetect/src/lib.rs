//! netdetect: network threat detection for one host. Packets (live or from a capture) become
//! flows and per-source window features; host auth log lines become authentication failures;
//! eleven detectors with the catalogue's rule names raise findings, and a logistic model scores
//! each one with an exact SHAP explanation. No HTTP, no SQL, no async: the agent and the tests
//! drive it.

pub mod appmeta;
pub mod capture;
pub mod config;
pub mod detect;
pub mod engine;
pub mod flow;
pub mod packet;
pub mod replay;
pub mod rules;
pub mod score;
pub mod selftest;
pub mod source;

pub use config::{EngineConfig, RuleOverride};
pub use engine::{Detection, Engine, Suppression};
pub use rules::{Rule, Severity};
pub use score::{Explanation, Model};
