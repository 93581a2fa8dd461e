//! `regulatory_context`: which provisions each destruction step relates to, by jurisdiction and
//! data classification. A mapping for the customer's own compliance work, never a claim of
//! compliance: every relationship is "related_to".

use serde_json::{json, Value};

pub const FRAMEWORK_VERSION: &str = "2026-02";
const NOTICE: &str =
    "This mapping relates destruction steps to provisions that concern data disposal, \
access control and audit. It is informational: it is not legal advice and not a certification of \
compliance with any regulation.";

/// `(regulation, provision, description)`.
type Row = (&'static str, &'static str, &'static str);

fn hipaa(step: usize) -> Vec<Row> {
    match step {
        1 => vec![("HIPAA", "§164.312(a)(1)", "Access control")],
        2 | 3 => vec![(
            "HIPAA",
            "§164.310(d)(2)(i)",
            "Device and media controls — disposal",
        )],
        4 => vec![("HIPAA", "§164.312(a)(2)(iv)", "Encryption and decryption")],
        5 => vec![("HIPAA", "§164.312(d)", "Person or entity authentication")],
        6 => vec![("HIPAA", "§164.312(c)(1)", "Integrity")],
        7 => vec![("HIPAA", "§164.312(b)", "Audit controls")],
        8 => vec![(
            "HIPAA",
            "§164.530(j)(2)",
            "Documentation — retention and disposal",
        )],
        _ => vec![],
    }
}

fn soc2(step: usize) -> Vec<Row> {
    match step {
        2 | 3 => vec![("SOC 2", "CC6.5", "Logical and physical disposal of data")],
        5 => vec![("SOC 2", "CC6.1", "Logical access security")],
        6 => vec![("SOC 2", "CC7.2", "System monitoring for anomalies")],
        7 => vec![("SOC 2", "CC4.1", "Monitoring activities")],
        _ => vec![],
    }
}

/// The data-protection law of a jurisdiction, for the erasure and security steps.
fn privacy_law(jurisdiction: &str, step: usize) -> Vec<Row> {
    let (erasure, security): (Row, Row) = match jurisdiction {
        "EU" => (
            ("GDPR", "Article 17(1)", "Right to erasure"),
            ("GDPR", "Article 32(1)", "Security of processing"),
        ),
        "UK" => (
            ("UK GDPR", "Article 17(1)", "Right to erasure"),
            ("UK GDPR", "Article 32(1)", "Security of processing"),
        ),
        "CA" => (
            (
                "PIPEDA",
                "Schedule 1, Principle 4.5.3",
                "Destruction of personal information no longer required",
            ),
            ("PIPEDA", "Schedule 1, Principle 4.7", "Safeguards"),
        ),
        "AU" => (
            (
                "Privacy Act 1988",
                "APP 11.2",
                "Destruction or de-identification of personal information",
            ),
            (
                "Privacy Act 1988",
                "APP 11.1",
                "Security of personal information",
            ),
        ),
        "IN" => (
            ("DPDP Act 2023", "Section 8(7)", "Erasure of personal data"),
            (
                "DPDP Act 2023",
                "Section 8(5)",
                "Reasonable security safeguards",
            ),
        ),
        _ => return vec![],
    };
    match step {
        2 | 3 | 6 => vec![erasure],
        1 | 4 | 5 => vec![security],
        _ => vec![],
    }
}

fn by_classification(classification: &str, step: usize) -> Vec<Row> {
    match (classification, step) {
        ("financial", 2 | 3) => vec![(
            "PCI DSS v4.0",
            "Requirement 3.2.1",
            "Account data storage is kept to a minimum and securely deleted",
        )],
        ("financial", 7) => vec![(
            "PCI DSS v4.0",
            "Requirement 10.2",
            "Audit logs record user activity",
        )],
        ("credentials", 4 | 5) => vec![("NIST SP 800-57 Part 1", "§8.3.4", "Key destruction")],
        _ => vec![],
    }
}

pub fn context(jurisdiction: &str, classification: &str) -> Value {
    let mappings: Vec<Value> = proof::cdp::STEPS
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let step = i + 1;
            let mut rows = Vec::new();
            // HIPAA applies to health information, and is US law.
            if classification == "PHI" && jurisdiction == "US" {
                rows.extend(hipaa(step));
            }
            rows.extend(privacy_law(jurisdiction, step));
            rows.extend(by_classification(classification, step));
            rows.extend(soc2(step));
            json!({
                "step": step,
                "subsystem": spec.subsystem,
                "frameworks": rows.into_iter().map(|(regulation, provision, description)| json!({
                    "regulation": regulation, "provision": provision, "description": description, "relationship": "related_to",
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "notice": NOTICE,
        "framework_version": FRAMEWORK_VERSION,
        "jurisdiction": jurisdiction,
        "data_classification": classification,
        "mappings": mappings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_in_the_us_maps_hipaa_and_eu_maps_gdpr() {
        let us = context("US", "PHI");
        assert_eq!(
            us["mappings"][2]["frameworks"][0]["provision"],
            "§164.310(d)(2)(i)"
        );
        let eu = context("EU", "PII");
        let step3 = eu["mappings"][2]["frameworks"].as_array().unwrap();
        assert!(step3
            .iter()
            .any(|f| f["regulation"] == "GDPR" && f["provision"] == "Article 17(1)"));
        assert!(!eu.to_string().contains("HIPAA"));
        for m in us["mappings"].as_array().unwrap() {
            for f in m["frameworks"].as_array().unwrap() {
                assert_eq!(f["relationship"], "related_to");
            }
        }
    }
}
