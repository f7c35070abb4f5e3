//! The model registry's data: which provider serves a model name, at which endpoint, with
//! which limits and prices. Built-in defaults cover the Gemini family, two OpenAI models and
//! `rules-v1`; a `MODELS_FILE` (JSON) adds models or overrides fields by name.

use serde::{Deserialize, Serialize};

/// Which wire format a model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The built-in offline extractor.
    Builtin,
    /// Gemini Developer API (`x-goog-api-key`); falls back to Vertex AI when only a Google
    /// Cloud project is configured.
    Gemini,
    /// Vertex AI (`Authorization: Bearer` from a service account or ADC).
    Vertex,
    /// OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp, LM Studio).
    Openai,
}

impl ProviderKind {
    /// The name shown in the models list.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Builtin => "builtin",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Vertex => "vertex",
            ProviderKind::Openai => "openai",
        }
    }
}

/// One model of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The name used in model configs.
    pub name: String,
    pub provider: ProviderKind,
    /// The id sent to the API (default: `name`).
    #[serde(default)]
    pub model_id: Option<String>,
    /// Endpoint override (proxies, local servers, tests).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Environment variable holding this model's key (default per provider).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Rate budget of the provider key (shared by every model on the key).
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    #[serde(default)]
    pub tokens_per_minute: Option<u64>,
    /// USD per million input tokens.
    #[serde(default)]
    pub input_price_per_mtok: f64,
    /// USD per million output tokens (thinking tokens are billed as output).
    #[serde(default)]
    pub output_price_per_mtok: f64,
    /// Default max output tokens when the model config gives none.
    #[serde(default)]
    pub max_output_tokens: Option<u32>,
    /// Default thinking budget (Gemini 2.5) when the model config gives none.
    #[serde(default)]
    pub thinking_budget: Option<i32>,
    /// Per-call timeout, seconds (default 120).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Attempts per call (default 5).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// OpenAI-compatible servers without json_schema support get json_object instead.
    #[serde(default)]
    pub json_schema: Option<bool>,
}

impl ModelSpec {
    /// The id sent to the API.
    pub fn api_model(&self) -> &str {
        self.model_id.as_deref().unwrap_or(&self.name)
    }

    /// Cost in USD of a call.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64, thinking_tokens: u64) -> f64 {
        (input_tokens as f64 * self.input_price_per_mtok
            + (output_tokens + thinking_tokens) as f64 * self.output_price_per_mtok)
            / 1_000_000.0
    }

    fn new(name: &str, provider: ProviderKind, input: f64, output: f64) -> Self {
        ModelSpec {
            name: name.into(),
            provider,
            model_id: None,
            base_url: None,
            api_key_env: None,
            requests_per_minute: None,
            tokens_per_minute: None,
            input_price_per_mtok: input,
            output_price_per_mtok: output,
            max_output_tokens: None,
            thinking_budget: None,
            timeout_secs: None,
            max_attempts: None,
            json_schema: None,
        }
    }
}

/// The built-in models (list prices, standard tier, USD per 1M tokens).
pub fn builtin_specs() -> Vec<ModelSpec> {
    vec![
        ModelSpec::new(
            crate::rules::RULES_MODEL_NAME,
            ProviderKind::Builtin,
            0.0,
            0.0,
        ),
        ModelSpec::new("gemini-2.5-pro", ProviderKind::Gemini, 1.25, 10.0),
        ModelSpec::new("gemini-2.5-flash", ProviderKind::Gemini, 0.30, 2.50),
        ModelSpec::new("gemini-2.5-flash-lite", ProviderKind::Gemini, 0.10, 0.40),
        ModelSpec::new("gpt-4o-mini", ProviderKind::Openai, 0.15, 0.60),
        ModelSpec::new("gpt-4.1-mini", ProviderKind::Openai, 0.40, 1.60),
    ]
}

/// A models file: `{"models": [ModelSpec…]}`.
#[derive(Debug, Deserialize)]
struct ModelsFile {
    models: Vec<serde_json::Value>,
}

/// Built-in specs with the file's entries merged in: an entry whose name exists overrides
/// the fields it gives; a new name must give at least `provider`.
pub fn merge_models_file(mut specs: Vec<ModelSpec>, text: &str) -> Result<Vec<ModelSpec>, String> {
    let file: ModelsFile =
        serde_json::from_str(text).map_err(|e| format!("MODELS_FILE is not valid: {e}"))?;
    for (i, entry) in file.models.into_iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or(format!("models[{i}].name is required"))?
            .to_string();
        let merged = match specs.iter().position(|s| s.name == name) {
            Some(pos) => {
                let mut base = serde_json::to_value(&specs[pos]).map_err(|e| e.to_string())?;
                if let (Some(b), Some(o)) = (base.as_object_mut(), entry.as_object()) {
                    for (k, v) in o {
                        b.insert(k.clone(), v.clone());
                    }
                }
                let spec: ModelSpec =
                    serde_json::from_value(base).map_err(|e| format!("models[{i}]: {e}"))?;
                specs[pos] = spec;
                continue;
            }
            None => serde_json::from_value::<ModelSpec>(entry)
                .map_err(|e| format!("models[{i}]: {e}"))?,
        };
        specs.push(merged);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_bills_thinking_as_output() {
        let flash = builtin_specs()
            .into_iter()
            .find(|s| s.name == "gemini-2.5-flash")
            .unwrap();
        let c = flash.cost(1_000_000, 100_000, 100_000);
        assert!((c - (0.30 + 0.5)).abs() < 1e-9, "{c}");
    }

    #[test]
    fn models_file_overrides_and_adds() {
        let text = r#"{"models": [
            {"name": "gemini-2.5-flash", "base_url": "http://127.0.0.1:9/", "requests_per_minute": 10},
            {"name": "llama3", "provider": "openai", "base_url": "http://localhost:11434/v1", "json_schema": false}
        ]}"#;
        let specs = merge_models_file(builtin_specs(), text).unwrap();
        let flash = specs.iter().find(|s| s.name == "gemini-2.5-flash").unwrap();
        assert_eq!(flash.base_url.as_deref(), Some("http://127.0.0.1:9/"));
        assert_eq!(
            flash.input_price_per_mtok, 0.30,
            "unset fields keep their default"
        );
        let llama = specs.iter().find(|s| s.name == "llama3").unwrap();
        assert_eq!(llama.provider, ProviderKind::Openai);
        assert!(merge_models_file(builtin_specs(), r#"{"models": [{"name": "x"}]}"#).is_err());
        assert!(merge_models_file(builtin_specs(), "nope").is_err());
    }
}
