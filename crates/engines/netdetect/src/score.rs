//! The alert score: an L2 logistic regression over the source's window features, explained by
//! exact linear SHAP. In log-odds, φᵢ = wᵢ·(tᵢ(xᵢ) − μᵢ)/σᵢ and base_logit + Σφᵢ = logit exactly
//! (Lundberg & Lee 2017, linear model, independent features). The score is σ(logit); the
//! probability-space contributions are the log-odds ones rescaled so that
//! base_value + Σ contributions = score, base_value = σ(base_logit) — the contract's arithmetic.

use serde::{Deserialize, Serialize};

/// The model shipped with the engine (written by `scripts/train-netdetect`).
pub const MODEL_JSON: &str = include_str!("../model/model.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    Identity,
    /// ln(1 + x), for counts and volumes.
    Log1p,
}

impl Transform {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Transform::Identity => x,
            Transform::Log1p => x.max(0.0).ln_1p(),
        }
    }

    pub fn invert(self, t: f64) -> f64 {
        match self {
            Transform::Identity => t,
            Transform::Log1p => t.exp_m1(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureWeight {
    pub name: String,
    pub transform: Transform,
    /// Mean of the transformed feature over the training set (the SHAP reference).
    pub mean: f64,
    /// Standard deviation of the transformed feature over the training set.
    pub scale: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub version: String,
    pub bias: f64,
    pub features: Vec<FeatureWeight>,
    /// How the weights were obtained (data set, regularisation, metrics).
    #[serde(default)]
    pub training: serde_json::Value,
}

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub name: String,
    pub value: f64,
    /// The training mean, in the feature's own units.
    pub reference: f64,
    pub weight: f64,
    /// Exact SHAP value in log-odds.
    pub logit_contribution: f64,
    /// Share of (score − base_value), proportional to the log-odds contribution.
    pub contribution: f64,
}

/// `shap_json`: base_value + Σ contribution = score, base_logit + Σ logit_contribution = logit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub model_version: String,
    pub base_value: f64,
    pub base_logit: f64,
    pub logit: f64,
    pub score: f64,
    pub features: Vec<Contribution>,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    pub fn shipped() -> Model {
        serde_json::from_str(MODEL_JSON).expect("model/model.json is valid")
    }

    pub fn names(&self) -> Vec<&str> {
        self.features.iter().map(|f| f.name.as_str()).collect()
    }

    /// Scores raw feature values (same order as `features`) and explains the score.
    pub fn explain(&self, values: &[f64]) -> Explanation {
        assert_eq!(values.len(), self.features.len(), "one value per feature");
        let mut contributions: Vec<Contribution> = self
            .features
            .iter()
            .zip(values)
            .map(|(f, &value)| {
                let z = (f.transform.apply(value) - f.mean) / f.scale;
                Contribution {
                    name: f.name.clone(),
                    value,
                    reference: f.transform.invert(f.mean),
                    weight: f.weight,
                    logit_contribution: f.weight * z,
                    contribution: 0.0,
                }
            })
            .collect();
        let base_logit = self.bias;
        let logit = contributions
            .iter()
            .fold(base_logit, |acc, c| acc + c.logit_contribution);
        let score = sigmoid(logit);
        let base_value = sigmoid(base_logit);
        let total_logit = logit - base_logit;
        let delta = score - base_value;
        for c in contributions.iter_mut() {
            c.contribution = if total_logit == 0.0 {
                0.0
            } else {
                delta * c.logit_contribution / total_logit
            };
        }
        // Rounding: the largest contribution absorbs the last ulps so the sums are exact as
        // a reader adds them (left to right from the base).
        if let Some(largest) = (0..contributions.len()).max_by(|&a, &b| {
            contributions[a]
                .contribution
                .abs()
                .total_cmp(&contributions[b].contribution.abs())
        }) {
            for _ in 0..4 {
                let sum = contributions
                    .iter()
                    .fold(base_value, |acc, c| acc + c.contribution);
                if sum == score {
                    break;
                }
                contributions[largest].contribution += score - sum;
            }
        }
        Explanation {
            model_version: self.version.clone(),
            base_value,
            base_logit,
            logit,
            score,
            features: contributions,
        }
    }
}

impl Explanation {
    /// |base + Σ − total| in probability space and in log-odds.
    pub fn additivity_error(&self) -> (f64, f64) {
        let p = self
            .features
            .iter()
            .fold(self.base_value, |acc, c| acc + c.contribution);
        let l = self
            .features
            .iter()
            .fold(self.base_logit, |acc, c| acc + c.logit_contribution);
        ((p - self.score).abs(), (l - self.logit).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model(weights: &[f64], bias: f64) -> Model {
        Model {
            version: "test".into(),
            bias,
            features: weights
                .iter()
                .enumerate()
                .map(|(i, &w)| FeatureWeight {
                    name: format!("f{i}"),
                    transform: if i % 2 == 0 {
                        Transform::Log1p
                    } else {
                        Transform::Identity
                    },
                    mean: 0.5,
                    scale: 1.5,
                    weight: w,
                })
                .collect(),
            training: serde_json::Value::Null,
        }
    }

    #[test]
    fn the_shipped_model_loads_and_features_at_their_reference_score_the_base() {
        let m = Model::shipped();
        let at_mean: Vec<f64> = m
            .features
            .iter()
            .map(|f| f.transform.invert(f.mean))
            .collect();
        let e = m.explain(&at_mean);
        assert!((e.score - e.base_value).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn shap_adds_up_exactly(
            weights in prop::collection::vec(-5.0f64..5.0, 1..18),
            bias in -4.0f64..4.0,
            values in prop::collection::vec(0.0f64..1e6, 18),
        ) {
            let m = model(&weights, bias);
            let e = m.explain(&values[..weights.len()]);
            let (p, l) = e.additivity_error();
            prop_assert!(p < 1e-9, "probability error {p}");
            prop_assert!(l < 1e-9, "log-odds error {l}");
            prop_assert!((0.0..=1.0).contains(&e.score));
            // And after a JSON round trip, as the API stores and serves it.
            let back: Explanation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
            prop_assert_eq!(back.additivity_error(), (p, l));
        }
    }
}
