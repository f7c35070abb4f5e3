//! What the server can run: models (and why an unavailable one cannot run), the quick
//! presets, and the evaluators.

use shared::{EvaluatorInfo, ModelAvailability, ModelConfig, Preset};

use super::Service;
use crate::eval::EVALUATORS;

impl Service {
    /// Every model the server knows and why an unavailable one cannot run.
    pub fn models(&self) -> Vec<ModelAvailability> {
        self.registry
            .models()
            .into_iter()
            .map(|m| {
                let spec = self.registry.spec(&m.name);
                ModelAvailability {
                    input_price_per_mtok: spec.map_or(0.0, |s| s.input_price_per_mtok),
                    output_price_per_mtok: spec.map_or(0.0, |s| s.output_price_per_mtok),
                    name: m.name,
                    provider: m.provider,
                    available: m.available,
                    reason: m.reason,
                }
            })
            .collect()
    }
}

/// Every evaluator of the registry, in display order.
pub fn evaluators() -> Vec<EvaluatorInfo> {
    EVALUATORS.iter().map(|e| e.info()).collect()
}

/// The quick presets: the original page's three (its configs and metadata exactly, so
/// tags line up with their Datadog history) plus an offline one.
pub fn presets() -> Vec<Preset> {
    let tagged = |m: &str, t: f64, s: &str, key: &str, value: &str| {
        let mut c = ModelConfig::new(m, t, Some(s));
        c.metadata.insert(key.into(), value.into());
        c
    };
    let cfg = |m: &str, t: f64, s: &str, purpose: &str| tagged(m, t, s, "purpose", purpose);
    vec![
        Preset {
            id: "offline-baseline".into(),
            name: "Offline Baseline".into(),
            description: "the built-in rules-v1 extractor at two temperatures: runs with no keys"
                .into(),
            model_configs: vec![
                cfg("rules-v1", 0.0, "rules-baseline", "offline baseline"),
                cfg("rules-v1", 0.5, "rules-t0.5", "offline baseline"),
            ],
            sample_size: Some(10),
            jobs: 2,
        },
        Preset {
            id: "baseline-comparison".into(),
            name: "Baseline Comparison".into(),
            description: "gemini-2.5-flash against gemini-2.5-flash-lite on 10 records".into(),
            model_configs: vec![
                cfg("gemini-2.5-flash", 0.0, "baseline", "baseline"),
                cfg("gemini-2.5-flash-lite", 0.0, "lite", "cost-optimization"),
            ],
            sample_size: Some(10),
            jobs: 2,
        },
        Preset {
            id: "temperature-test".into(),
            name: "Temperature Test".into(),
            description: "gemini-2.5-flash at temperatures 0.0, 0.1 and 0.2 on the full dataset"
                .into(),
            model_configs: vec![
                tagged("gemini-2.5-flash", 0.0, "t0.0", "test", "temperature"),
                tagged("gemini-2.5-flash", 0.1, "t0.1", "test", "temperature"),
                tagged("gemini-2.5-flash", 0.2, "t0.2", "test", "temperature"),
            ],
            sample_size: None,
            jobs: 2,
        },
        Preset {
            id: "quick-ci-test".into(),
            name: "Quick CI Test".into(),
            description: "gemini-2.5-flash-lite and gemini-2.5-flash on 4 records".into(),
            model_configs: vec![
                cfg("gemini-2.5-flash-lite", 0.0, "ci-lite", "ci-test"),
                cfg("gemini-2.5-flash", 0.0, "ci-flash", "ci-test"),
            ],
            sample_size: Some(4),
            jobs: 2,
        },
    ]
}
