//! testops' domain: ids, roles, plans, password and slug rules, and the rows its store returns.
//! No HTTP, no SQL.

pub mod id;
pub mod password;
pub mod plan;
pub mod rows;
pub mod slug;

platform::vocabulary!(
    /// A member's role in the organisation.
    pub enum Role {
        Admin = "admin",
        Developer = "developer",
        Viewer = "viewer",
    }
);

/// The AI providers whose keys an organisation may bring (BYOK).
pub const BYOK_PROVIDERS: &[&str] = &["gemini", "openai", "anthropic"];

/// The models `ai-config` accepts as the default.
pub const AI_MODELS: &[&str] = &["gemini-2.5-flash", "gpt-4o", "claude-3-5-sonnet"];

/// The organisation's AI feature flags (all off until an admin enables them).
pub const AI_FEATURES: &[&str] = &[
    "rootCauseAnalysis",
    "autoBugGeneration",
    "flakinessDetective",
    "testOptimizer",
    "prRouting",
    "qualityChatbot",
    "specToTest",
    "automationPlanner",
];

/// Execution statuses a Slack notification can be sent for.
pub const NOTIFIABLE_STATUSES: &[&str] = &["PASSED", "FAILED", "ERROR", "UNSTABLE"];
