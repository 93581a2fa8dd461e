//! API_KEY: credentials in known formats and high-entropy values assigned to key-like names.
//! Each format follows the rule of the same provider in gitleaks' default configuration
//! (config/gitleaks.toml at gitleaks b58d3f1, July 2026; the rule id is cited above each rule;
//! trufflehog's detectors of the same names agree on the shapes). As in gitleaks, one
//! Aho-Corasick pass over the rules' keywords decides which rule regexes run at all, so a
//! prompt without any keyword costs one scan.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::{Finding, PiiType, Tier};

struct Rule {
    /// Lower-case literals, one of which every match of `pattern` contains.
    keywords: &'static [&'static str],
    pattern: &'static str,
    /// Minimum Shannon entropy (bits per character) of the secret part; 0 to skip.
    min_entropy: f64,
    score: f32,
}

const RULES: &[Rule] = &[
    // gitleaks: aws-access-token
    Rule {
        keywords: &["akia", "asia", "abia", "acca", "a3t"],
        pattern: r"(?-u:\b)(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: github-pat, github-oauth, github-app-token, github-refresh-token
    Rule {
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"(?-u:\b)gh[pousr]_[0-9A-Za-z]{36}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: github-fine-grained-pat
    Rule {
        keywords: &["github_pat_"],
        pattern: r"(?-u:\b)github_pat_[0-9A-Za-z_]{82}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: gitlab-pat
    Rule {
        keywords: &["glpat-"],
        pattern: r"(?-u:\b)glpat-[0-9A-Za-z_-]{20}(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: stripe-access-token
    Rule {
        keywords: &[
            "sk_live", "sk_test", "sk_prod", "rk_live", "rk_test", "rk_prod",
        ],
        pattern: r"(?-u:\b)[sr]k_(?:live|test|prod)_[0-9A-Za-z]{10,99}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: openai-api-key (legacy T3BlbkFJ marker)
    Rule {
        keywords: &["t3blbkfj"],
        pattern: r"(?-u:\b)sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}",
        min_entropy: 3.0,
        score: 0.98,
    },
    // gitleaks: openai-api-key (project, service-account and admin keys; the marker-less form
    // of current keys, which gitleaks' own rule misses, is kept behind the entropy floor).
    Rule {
        keywords: &["sk-proj-", "sk-svcacct-"],
        pattern: r"(?-u:\b)sk-(?:proj|svcacct)-[A-Za-z0-9_-]{40,}",
        min_entropy: 3.5,
        score: 0.95,
    },
    // gitleaks: anthropic-api-key, anthropic-admin-api-key
    Rule {
        keywords: &["sk-ant-"],
        pattern: r"(?-u:\b)sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,100}",
        min_entropy: 3.0,
        score: 0.98,
    },
    // gitleaks: slack-bot-token, slack-user-token, slack-legacy-token
    Rule {
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxe-", "xoxr-", "xoxs-"],
        pattern: r"(?-u:\b)xox[bpaers]-[0-9]{8,13}-[0-9A-Za-z-]{8,}",
        min_entropy: 0.0,
        score: 0.95,
    },
    // gitleaks: slack-webhook-url
    Rule {
        keywords: &["hooks.slack.com"],
        pattern: r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
        min_entropy: 0.0,
        score: 0.95,
    },
    // gitleaks: gcp-api-key
    Rule {
        keywords: &["aiza"],
        // gitleaks ends the key at a delimiter, not a word boundary: it may end with '-'.
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: huggingface-access-token
    Rule {
        keywords: &["hf_"],
        pattern: r"(?-u:\b)hf_[A-Za-z]{34}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.9,
    },
    // gitleaks: jwt
    Rule {
        keywords: &["eyj"],
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
        min_entropy: 0.0,
        score: 0.95,
    },
    // gitleaks: private-key
    Rule {
        keywords: &["private key-----"],
        pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)?",
        min_entropy: 0.0,
        score: 0.99,
    },
    // gitleaks: gitlab-ptt, gitlab-deploy-token, gitlab-runner-authentication-token
    Rule {
        keywords: &["glptt-", "gldt-", "glrt-"],
        pattern: r"(?-u:\b)(?:glptt-[0-9a-f]{40}|gldt-[0-9A-Za-z_-]{20}|glrt-[0-9A-Za-z_-]{20})(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: slack-app-token
    Rule {
        keywords: &["xapp-"],
        pattern: r"(?i)(?-u:\b)xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+",
        min_entropy: 0.0,
        score: 0.95,
    },
    // gitleaks: sendgrid-api-token
    Rule {
        keywords: &["sg."],
        pattern: r"(?-u:\b)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: twilio-api-key
    Rule {
        keywords: &["sk"],
        pattern: r"(?-u:\b)SK[0-9a-fA-F]{32}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.9,
    },
    // gitleaks: npm-access-token
    Rule {
        keywords: &["npm_"],
        pattern: r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: pypi-upload-token
    Rule {
        keywords: &["pypi-ageichlwas5vcmc"],
        pattern: r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        min_entropy: 0.0,
        score: 0.98,
    },
    // gitleaks: digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token
    Rule {
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        pattern: r"(?-u:\b)do[por]_v1_[a-f0-9]{64}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: shopify-access-token, shopify-custom-access-token, shopify-private-app-access-token, shopify-shared-secret
    Rule {
        keywords: &["shpat_", "shpca_", "shppa_", "shpss_"],
        pattern: r"(?-u:\b)shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: mailgun-private-api-token (the key- value, here wherever it stands: its 32 hex digits are enough)
    Rule {
        keywords: &["key-"],
        pattern: r"(?-u:\b)key-[a-f0-9]{32}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.85,
    },
    // gitleaks: postman-api-token
    Rule {
        keywords: &["pmak-"],
        pattern: r"(?-u:\b)PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: databricks-api-token
    Rule {
        keywords: &["dapi"],
        pattern: r"(?-u:\b)dapi[a-f0-9]{32}(?:-\d)?(?-u:\b)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: doppler-api-token
    Rule {
        keywords: &["dp.pt."],
        pattern: r"(?-u:\b)dp\.pt\.[A-Za-z0-9]{43}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: linear-api-key
    Rule {
        keywords: &["lin_api_"],
        pattern: r"(?-u:\b)lin_api_[A-Za-z0-9]{40}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: new-relic-user-api-key
    Rule {
        keywords: &["nrak-"],
        pattern: r"(?-u:\b)NRAK-[A-Z0-9]{27}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: huggingface-organization-api-token
    Rule {
        keywords: &["api_org_"],
        pattern: r"(?-u:\b)api_org_[A-Za-z]{34}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.9,
    },
    // gitleaks: grafana-service-account-token
    Rule {
        keywords: &["glsa_"],
        pattern: r"(?-u:\b)glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: heroku-api-key-v2
    Rule {
        keywords: &["hrku-aa"],
        pattern: r"(?-u:\b)HRKU-AA[0-9A-Za-z_-]{58}(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: pulumi-api-token
    Rule {
        keywords: &["pul-"],
        pattern: r"(?-u:\b)pul-[a-f0-9]{40}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: sentry-user-token
    Rule {
        keywords: &["sntryu_"],
        pattern: r"(?-u:\b)sntryu_[a-f0-9]{64}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: vault-service-token (the current hvs. form)
    Rule {
        keywords: &["hvs."],
        pattern: r"(?-u:\b)hvs\.[A-Za-z0-9_-]{90,120}(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.0,
        score: 0.95,
    },
    // gitleaks: rubygems-api-token
    Rule {
        keywords: &["rubygems_"],
        pattern: r"(?-u:\b)rubygems_[a-f0-9]{48}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: notion-api-token
    Rule {
        keywords: &["ntn_"],
        pattern: r"(?-u:\b)ntn_[0-9]{11}[A-Za-z0-9]{35}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: perplexity-api-key
    Rule {
        keywords: &["pplx-"],
        pattern: r"(?-u:\b)pplx-[A-Za-z0-9]{48}(?-u:\b)",
        min_entropy: 3.0,
        score: 0.97,
    },
    // gitleaks: age-secret-key
    Rule {
        keywords: &["age-secret-key-1"],
        pattern: r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        min_entropy: 0.0,
        score: 0.99,
    },
];

/// Key-like names for the generic rule: `api_key = "…"`, `token: …`, `mot de passe : …`.
const ASSIGNMENT_KEYWORDS: &[&str] = &[
    "api_key",
    "apikey",
    "api-key",
    "secret",
    "token",
    "password",
    "passwd",
    "pwd",
    "access_key",
    "private_key",
    "client_secret",
    "auth",
    "credential",
    "mot de passe",
    "mdp",
    "clé",
    "cle api",
];
const GENERIC: &str = r#"(?i)(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|access[_-]?key|private[_-]?key|client[_-]?secret|auth|credentials?|mot de passe|mdp|clé(?: api)?|cle api)[a-z_-]*\s*(?:[:=]|=>|est|is)\s*["'`]?([A-Za-z0-9_\-./+=]{16,200})"#;

struct Compiled {
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the rule it belongs to (`RULES.len()` = the generic rule).
    owner: Vec<usize>,
    rules: Vec<Regex>,
    generic: Regex,
}

fn compiled() -> &'static Compiled {
    static CELL: OnceLock<Compiled> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut words = Vec::new();
        let mut owner = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            for k in rule.keywords {
                words.push(*k);
                owner.push(i);
            }
        }
        for k in ASSIGNMENT_KEYWORDS {
            words.push(*k);
            owner.push(RULES.len());
        }
        Compiled {
            prefilter: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&words)
                .expect("valid keyword set"),
            owner,
            rules: RULES
                .iter()
                .map(|r| Regex::new(r.pattern).expect("valid secret rule"))
                .collect(),
            generic: Regex::new(GENERIC).expect("valid generic rule"),
        }
    })
}

/// Shannon entropy in bits per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    let c = compiled();
    let mut hit = vec![false; RULES.len() + 1];
    for m in c.prefilter.find_overlapping_iter(text) {
        hit[c.owner[m.pattern().as_usize()]] = true;
    }
    for (i, rule) in RULES.iter().enumerate().filter(|(i, _)| hit[*i]) {
        for m in c.rules[i].find_iter(text) {
            // A rule that ends at a delimiter matched it too: the key stops before it.
            let key = m
                .as_str()
                .trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
            if rule.min_entropy == 0.0 || entropy(key) >= rule.min_entropy {
                out.push(Finding {
                    kind: PiiType::ApiKey,
                    start: m.start(),
                    end: m.start() + key.len(),
                    score: rule.score,
                    tier: Tier::Two,
                });
            }
        }
    }
    if hit[RULES.len()] {
        for caps in c.generic.captures_iter(text) {
            let value = caps.get(1).expect("the value group");
            let v = value.as_str();
            // A value, not a word: mixed character classes and enough entropy.
            let classes = [
                v.bytes().any(|b| b.is_ascii_lowercase()),
                v.bytes().any(|b| b.is_ascii_uppercase()),
                v.bytes().any(|b| b.is_ascii_digit()),
            ];
            if entropy(v) >= 3.5 && classes.iter().filter(|x| **x).count() >= 2 {
                out.push(Finding {
                    kind: PiiType::ApiKey,
                    start: value.start(),
                    end: value.end(),
                    score: 0.8,
                    tier: Tier::Two,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::entropy;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(entropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") > 4.0);
    }
}
