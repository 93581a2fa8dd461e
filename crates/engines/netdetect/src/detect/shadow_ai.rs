//! SHADOW_AI: a host reaching an AI service, recognised by the name it asked DNS for or put in
//! its TLS ClientHello (SNI), unless the organisation allows that service.

use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::packet::PacketMeta;
use crate::rules::Rule;

/// Services matched by suffix (a name matches itself and its subdomains).
pub fn default_ai_domains() -> Vec<String> {
    [
        "openai.com",
        "chatgpt.com",
        "oaiusercontent.com",
        "anthropic.com",
        "claude.ai",
        "gemini.google.com",
        "generativelanguage.googleapis.com",
        "aistudio.google.com",
        "bard.google.com",
        "mistral.ai",
        "cohere.ai",
        "cohere.com",
        "groq.com",
        "deepseek.com",
        "perplexity.ai",
        "huggingface.co",
        "replicate.com",
        "together.xyz",
        "openrouter.ai",
        "copilot.microsoft.com",
        "githubcopilot.com",
        "poe.com",
        "character.ai",
        "x.ai",
        "grok.com",
        "stability.ai",
        "midjourney.com",
        "jasper.ai",
        "writesonic.com",
        "you.com",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect()
}

fn matches(name: &str, domains: &[String]) -> Option<String> {
    domains
        .iter()
        .find(|d| name == d.as_str() || name.ends_with(&format!(".{d}")))
        .cloned()
}

pub struct ShadowAiDetector {
    seen: Bounded<(IpAddr, String), f64>,
}

impl ShadowAiDetector {
    pub fn new(max_sources: usize) -> ShadowAiDetector {
        ShadowAiDetector {
            seen: bounded(max_sources),
        }
    }

    /// `name` was looked up (`via` = "dns") or connected to (`via` = "tls_sni") in packet `p`.
    pub fn name(
        &mut self,
        p: &PacketMeta,
        name: &str,
        via: &str,
        config: &EngineConfig,
    ) -> (bool, Option<Finding>) {
        let (host, ts) = (p.src, p.ts);
        let Some(service) = matches(name, &config.ai_domains) else {
            return (false, None);
        };
        if matches(name, &config.allowed_ai_domains).is_some() {
            return (false, None);
        }
        let suppress = config.threshold(Rule::ShadowAi, "suppress_secs");
        if self
            .seen
            .get(&(host, service.clone()))
            .is_some_and(|&until| ts < until)
        {
            return (true, None);
        }
        self.seen.put((host, service.clone()), ts + suppress);
        let finding = Finding::new(Rule::ShadowAi, host, p.protocol, ts, ts)
            .to(p.dst, Some(p.dst_port))
            .because(
                format!("{host} reached AI service {name} ({via})"),
                json!({"service": service, "name": name, "via": via}),
            )
            .with_thresholds(config);
        (true, Some(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_and_subdomains_only() {
        let d = default_ai_domains();
        assert_eq!(matches("api.openai.com", &d).as_deref(), Some("openai.com"));
        assert_eq!(matches("notopenai.com", &d), None);
    }
}
