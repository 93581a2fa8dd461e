//! The risk score: one 0–1 number from the findings, and the contract's bands.
//!
//! `risk = 1 − Π (1 − weight(type) × score)` over the findings (a noisy-OR): each finding is an
//! independent chance that the prompt leaks something, weighted by how harmful that kind of
//! leak is. One card number alone is high risk; several emails add up; company numbers (public
//! registry data) barely count. The result only grows as findings are added.

use crate::{Finding, PiiType};

/// How harmful a leak of this kind is, 0–1.
pub fn weight(kind: PiiType) -> f64 {
    match kind {
        PiiType::ApiKey => 0.95,
        PiiType::CreditCard => 0.9,
        PiiType::FrNir => 0.9,
        PiiType::Iban => 0.8,
        PiiType::Medical => 0.6,
        PiiType::Email => 0.35,
        PiiType::Phone => 0.35,
        PiiType::Person => 0.3,
        PiiType::IpAddress => 0.25,
        PiiType::LegalRef => 0.2,
        PiiType::FrSiren | PiiType::FrSiret => 0.1,
    }
}

pub fn risk_score(findings: &[Finding]) -> f64 {
    let safe: f64 = findings
        .iter()
        .map(|f| 1.0 - weight(f.kind) * f64::from(f.score).clamp(0.0, 1.0))
        .product();
    ((1.0 - safe) * 1000.0).round() / 1000.0
}

/// The contract's bands: minimal < 0.10 ≤ low < 0.30 ≤ medium < 0.70 ≤ high < 0.90 ≤ critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskBand {
    Minimal,
    Low,
    Medium,
    High,
    Critical,
}

impl RiskBand {
    /// Every band, lowest first.
    pub const ALL: [RiskBand; 5] = [
        RiskBand::Minimal,
        RiskBand::Low,
        RiskBand::Medium,
        RiskBand::High,
        RiskBand::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskBand::Minimal => "minimal",
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
            RiskBand::Critical => "critical",
        }
    }
}

pub fn risk_band(risk: f64) -> RiskBand {
    match risk {
        r if r < 0.10 => RiskBand::Minimal,
        r if r < 0.30 => RiskBand::Low,
        r if r < 0.70 => RiskBand::Medium,
        r if r < 0.90 => RiskBand::High,
        _ => RiskBand::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tier;

    fn f(kind: PiiType) -> Finding {
        Finding {
            kind,
            start: 0,
            end: 1,
            score: 1.0,
            tier: Tier::One,
        }
    }

    #[test]
    fn bands_and_composition() {
        assert_eq!(risk_score(&[]), 0.0);
        assert_eq!(risk_band(0.0), RiskBand::Minimal);
        assert_eq!(risk_band(0.1), RiskBand::Low);
        assert_eq!(risk_band(0.3), RiskBand::Medium);
        assert_eq!(risk_band(0.7), RiskBand::High);
        assert_eq!(risk_band(0.9), RiskBand::Critical);
        assert_eq!(risk_score(&[f(PiiType::CreditCard)]), 0.9);
        assert_eq!(
            risk_band(risk_score(&[f(PiiType::Email)])),
            RiskBand::Medium
        );
        let two = risk_score(&[f(PiiType::Email), f(PiiType::Email)]);
        assert!(two > risk_score(&[f(PiiType::Email)]) && two < 1.0);
        assert_eq!(risk_band(risk_score(&[f(PiiType::FrSiret)])), RiskBand::Low);
    }
}
