//! NIS2 readiness: eight checks computed from the tenant's stored state (settings and their
//! dates, agent heartbeats and versions, triage of urgent alerts, sign-in MFA, detection
//! self-tests), after the automatable checks of Art. 21(2) and 23 in the research notes (§4.2).
//! Pure: the handler gathers the state, this module judges it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::model::ComplianceSettings;

/// A review older than this no longer counts (plans, assessments, attestations).
pub const REVIEW_VALID_DAYS: i64 = 365;
/// A device counts as monitored when its last heartbeat is this recent.
pub const MONITORED_WITHIN_SECS: i64 = 300;
/// Share of devices that must be monitored.
pub const COVERAGE_TARGET: f64 = 0.95;
/// CRITICAL/HIGH alerts must leave `open` within the early-warning window.
pub const EARLY_WARNING_HOURS: i64 = 24;
/// A self-test must have run this recently.
pub const SELF_TEST_DAYS: i64 = 30;

/// One check as `GET /compliance/status` returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    /// The NIS2 provisions it evidences.
    pub article: &'static str,
    pub passed: bool,
    /// What was found, with figures and dates.
    pub evidence: String,
    /// What to do when it fails (empty when it passes).
    pub fix: String,
}

/// An agent as the checks see it.
pub struct AgentFacts {
    pub hostname: String,
    pub version: String,
    pub last_heartbeat: Option<DateTime<Utc>>,
}

/// Everything the checks read.
pub struct ComplianceFacts {
    pub now: DateTime<Utc>,
    pub settings: ComplianceSettings,
    pub agents: Vec<AgentFacts>,
    pub latest_agent_version: String,
    /// CRITICAL/HIGH alerts open for longer than the window, and the oldest's arrival.
    pub stale_urgent: (i64, Option<DateTime<Utc>>),
    /// Console users (people with a netwatch role in the tenant).
    pub console_users: i64,
    /// The latest self-test alert with a trace: (alert id, when, rule).
    pub self_test: Option<(uuid::Uuid, DateTime<Utc>, String)>,
}

fn check(
    id: &'static str,
    title: &'static str,
    article: &'static str,
    passed: bool,
    evidence: String,
    fix: &str,
) -> Check {
    Check {
        id,
        title,
        article,
        passed,
        evidence,
        fix: if passed {
            String::new()
        } else {
            fix.to_string()
        },
    }
}

/// An e-mail address or an https URL.
pub fn valid_contact(text: &str) -> bool {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("https://") {
        return rest.len() > 3 && rest.contains('.') && !rest.contains(char::is_whitespace);
    }
    platform::identity::accounts::normalize_email(text).is_ok()
}

fn recent(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    at.is_some_and(|t| {
        t <= now + Duration::minutes(5) && now - t <= Duration::days(REVIEW_VALID_DAYS)
    })
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Whether `version` is the latest or one minor release behind it (same major).
pub fn patched(version: &str, latest: &str) -> bool {
    let (Ok(v), Ok(l)) = (
        semver::Version::parse(version.trim_start_matches('v')),
        semver::Version::parse(latest),
    ) else {
        return false;
    };
    v >= l || (v.major == l.major && v.minor + 1 >= l.minor)
}

pub fn evaluate(f: &ComplianceFacts) -> Vec<Check> {
    let s = &f.settings;
    let now = f.now;
    let mut checks = Vec::with_capacity(8);

    let csirt = s.csirt_contact.as_deref().filter(|c| valid_contact(c));
    checks.push(check(
        "csirt_contact",
        "CSIRT notification channel",
        "Art. 23(1), Art. 21(2)(b)",
        csirt.is_some(),
        match (&s.csirt_contact, csirt) {
            (_, Some(c)) => format!("CSIRT contact on file: {c}"),
            (Some(c), None) => format!("the CSIRT contact on file is neither an e-mail address nor an https URL: {c}"),
            (None, _) => "no CSIRT contact on file".into(),
        },
        "Set csirt_contact (your national CSIRT's reporting address or portal URL) with PUT /compliance/settings.",
    ));

    let irp_ok = s.irp_reference.is_some() && recent(s.irp_reviewed_at, now);
    checks.push(check(
        "incident_response_plan",
        "Incident response plan, reviewed within 12 months",
        "Art. 21(2)(b), 21(2)(c)",
        irp_ok,
        match (&s.irp_reference, s.irp_reviewed_at) {
            (Some(r), Some(t)) => format!("plan {r}, last reviewed {}", day(t)),
            (Some(r), None) => format!("plan {r}, never marked reviewed"),
            (None, _) => "no incident response plan on file".into(),
        },
        "Review the plan and record it: PUT /compliance/settings with irp_reference (and irp_reviewed_at).",
    ));

    let supply_ok = s.supply_chain_assessed && recent(s.supply_chain_assessed_at, now);
    checks.push(check(
        "supply_chain",
        "Supply-chain security assessed within 12 months",
        "Art. 21(2)(d)",
        supply_ok,
        match (s.supply_chain_assessed, s.supply_chain_assessed_at) {
            (true, Some(t)) => format!("supply chain assessed on {}", day(t)),
            (true, None) => "supply chain marked assessed without a date".into(),
            (false, _) => "supply chain not marked assessed".into(),
        },
        "Assess your ICT suppliers and record it: PUT /compliance/settings with supply_chain_assessed: true.",
    ));

    let total = f.agents.len();
    let monitored = f
        .agents
        .iter()
        .filter(|a| {
            a.last_heartbeat
                .is_some_and(|t| (now - t).num_seconds() <= MONITORED_WITHIN_SECS)
        })
        .count();
    let coverage = if total == 0 {
        0.0
    } else {
        monitored as f64 / total as f64
    };
    checks.push(check(
        "monitoring_coverage",
        "Monitoring coverage: 95 % of devices reporting",
        "Art. 21(2)(f), 21(2)(i)",
        total > 0 && coverage >= COVERAGE_TARGET,
        if total == 0 {
            "no agent is registered".into()
        } else {
            format!(
                "{monitored} of {total} devices sent a heartbeat in the last 5 minutes ({:.0} %)",
                coverage * 100.0
            )
        },
        "Install redoubt-agent on every device and check that silent ones can reach the server.",
    ));

    let behind: Vec<&AgentFacts> = f
        .agents
        .iter()
        .filter(|a| !patched(&a.version, &f.latest_agent_version))
        .collect();
    checks.push(check(
        "agents_patched",
        "Agents on the latest or previous release",
        "Art. 21(2)(e)",
        total > 0 && behind.is_empty(),
        if total == 0 {
            "no agent is registered".into()
        } else if behind.is_empty() {
            format!(
                "all {total} agents run {} or the release before it",
                f.latest_agent_version
            )
        } else {
            let names: Vec<String> = behind
                .iter()
                .take(5)
                .map(|a| format!("{} ({})", a.hostname, a.version))
                .collect();
            format!(
                "{} of {total} agents are older than one release behind {}: {}",
                behind.len(),
                f.latest_agent_version,
                names.join(", ")
            )
        },
        "Update the listed agents to the version GET /agents/version announces.",
    ));

    let (stale, oldest) = f.stale_urgent;
    checks.push(check(
        "triage_within_early_warning",
        "CRITICAL and HIGH alerts triaged within 24 h",
        "Art. 21(2)(b), 23(4)(a)",
        stale == 0,
        if stale == 0 {
            "no CRITICAL or HIGH alert has been open for more than 24 hours".into()
        } else {
            format!(
                "{stale} CRITICAL or HIGH alerts have been open for more than 24 hours (oldest since {})",
                oldest.map(|t| t.to_rfc3339()).unwrap_or_default()
            )
        },
        "Triage them (PUT /alerts/{id}); an incident may already be due for its 24 h early warning.",
    ));

    let mfa_ok = s.mfa_enforced && recent(s.mfa_attested_at, now);
    checks.push(check(
        "mfa",
        "Multi-factor sign-in for every console user",
        "Art. 21(2)(j)",
        mfa_ok,
        match (s.mfa_enforced, s.mfa_attested_at) {
            (true, Some(t)) => format!(
                "{} console users; MFA enforcement at the identity provider attested by an admin on {} (see the audit log)",
                f.console_users,
                day(t)
            ),
            _ => format!(
                "{} console users; Redoubt's password sign-in has no second factor and no MFA enforcement is attested",
                f.console_users
            ),
        },
        "Put console sign-in behind an identity provider that enforces MFA, then set mfa_enforced: true.",
    ));

    let test_ok = f
        .self_test
        .as_ref()
        .is_some_and(|(_, at, _)| now - *at <= Duration::days(SELF_TEST_DAYS));
    checks.push(check(
        "detection_self_test",
        "Detection self-test in the last 30 days",
        "Art. 21(2)(f)",
        test_ok,
        match &f.self_test {
            Some((id, at, rule)) if test_ok => format!(
                "self-test alert {id} ({rule}) went agent → alert → trace on {}",
                at.to_rfc3339()
            ),
            _ => "no self-test alert with a trace in the last 30 days".into(),
        },
        "Run `redoubt-agent --self-test` on a monitored host.",
    ));
    checks
}

/// passed/8 as a percentage, rounded.
pub fn score(checks: &[Check]) -> u32 {
    if checks.is_empty() {
        return 0;
    }
    let passed = checks.iter().filter(|c| c.passed).count();
    ((passed as f64 / checks.len() as f64) * 100.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(now: DateTime<Utc>) -> ComplianceFacts {
        ComplianceFacts {
            now,
            settings: ComplianceSettings::default(),
            agents: vec![],
            latest_agent_version: "0.1.0".into(),
            stale_urgent: (0, None),
            console_users: 1,
            self_test: None,
        }
    }

    #[test]
    fn an_empty_tenant_passes_only_the_triage_check() {
        let checks = evaluate(&facts(Utc::now()));
        assert_eq!(checks.len(), 8);
        let passed: Vec<_> = checks.iter().filter(|c| c.passed).map(|c| c.id).collect();
        assert_eq!(passed, ["triage_within_early_warning"]);
        assert_eq!(score(&checks), 13);
        assert!(checks.iter().all(|c| c.passed || !c.fix.is_empty()));
    }

    #[test]
    fn dates_expire_after_twelve_months() {
        let now = Utc::now();
        let mut f = facts(now);
        f.settings.irp_reference = Some("IRP-2024-v3.pdf".into());
        f.settings.irp_reviewed_at = Some(now - Duration::days(100));
        f.settings.supply_chain_assessed = true;
        f.settings.supply_chain_assessed_at = Some(now - Duration::days(400));
        let checks = evaluate(&f);
        assert!(checks[1].passed, "{:?}", checks[1]);
        assert!(!checks[2].passed, "{:?}", checks[2]);
    }

    #[test]
    fn coverage_needs_95_percent_of_recent_heartbeats() {
        let now = Utc::now();
        let mut f = facts(now);
        f.agents = (0..20)
            .map(|i| AgentFacts {
                hostname: format!("h{i}"),
                version: "0.1.0".into(),
                last_heartbeat: Some(now - Duration::seconds(if i == 0 { 600 } else { 30 })),
            })
            .collect();
        assert!(evaluate(&f)[3].passed, "19 of 20 is 95 %");
        f.agents[1].last_heartbeat = None;
        assert!(!evaluate(&f)[3].passed, "18 of 20 is 90 %");
    }

    #[test]
    fn versions_may_lag_one_minor_release() {
        assert!(patched("1.4.2", "1.4.0"));
        assert!(patched("1.3.9", "1.4.0"));
        assert!(!patched("1.2.0", "1.4.0"));
        assert!(!patched("0.9.0", "1.0.0"));
        assert!(!patched("not-a-version", "1.0.0"));
    }

    #[test]
    fn contacts_are_emails_or_https_urls() {
        assert!(valid_contact("csirt@example.es"));
        assert!(valid_contact("https://incibe-cert.es/report"));
        assert!(!valid_contact("call Bob"));
        assert!(!valid_contact("http://insecure.example"));
    }
}
