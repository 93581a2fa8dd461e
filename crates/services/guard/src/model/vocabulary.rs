//! guard's closed vocabularies, one declaration each: what handlers validate against, what the
//! store counts by and what the OpenAPI document lists. Risk bands are the pii engine's
//! (`pii::RiskBand`).

use platform::http::fields::Vocabulary;
use platform::http::ApiError;

platform::vocabulary!(
    /// What a policy decides.
    pub enum PolicyAction {
        Block = "block",
        Coach = "coach",
        Log = "log",
    }
);

platform::vocabulary!(
    /// What was decided for an interaction: a policy's action, or `allow` when none matched.
    pub enum Action {
        Block = "block",
        Coach = "coach",
        Log = "log",
        Allow = "allow",
    }
);

platform::vocabulary!(
    pub enum Source {
        BrowserExtension = "browser_extension",
        Proxy = "proxy",
        EndpointAgent = "endpoint_agent",
        Api = "api",
    }
);

platform::vocabulary!(
    pub enum Direction {
        Outbound = "outbound",
        Inbound = "inbound",
    }
);

platform::vocabulary!(
    pub enum InteractionType {
        Prompt = "prompt",
        Completion = "completion",
        ToolCall = "tool_call",
        Embedding = "embedding",
    }
);

platform::vocabulary!(
    pub enum Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

/// The risk bands' names, lowest first.
pub fn risk_bands() -> Vec<&'static str> {
    pii::RiskBand::ALL.iter().map(|b| b.as_str()).collect()
}

/// A filter value: absent, or one of `T` ("`name` must be one of A, B" otherwise).
pub fn filter<T: Vocabulary>(name: &str, value: &Option<String>) -> Result<(), ApiError> {
    let names: Vec<&str> = T::ALL.iter().map(|v| v.as_str()).collect();
    filter_in(name, value, &names)
}

/// [`filter`] over a list of names (the risk bands, which are the pii engine's type).
pub fn filter_in(name: &str, value: &Option<String>, names: &[&str]) -> Result<(), ApiError> {
    match value {
        Some(v) if !names.contains(&v.as_str()) => Err(ApiError::bad_request(format!(
            "{name} must be one of {}",
            names.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// A field value that must be one of `T` ("`name` must be one of A, B (got `x`)" otherwise).
pub fn field<T: Vocabulary>(name: &str, value: &str) -> Result<T, String> {
    T::parse(value).ok_or_else(|| format!("{name} must be one of {} (got `{value}`)", T::listed()))
}
