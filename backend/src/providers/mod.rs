//! Model providers: one trait, one file per provider, and the registry that maps a model
//! name to its provider.
//!
//! A provider turns a record's input into raw model text plus what the call cost; parsing
//! and scoring happen in the runner, so every provider is judged by the same rules.

pub mod budget;
mod builtin;
pub mod cache;
pub mod gemini;
pub mod http;
pub mod images;
pub mod openai;
pub mod prompt;
pub mod redact;
pub mod setup;
pub mod spec;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Serialize;
use shared::{ModelConfig, RecordInput};

pub use builtin::RulesProvider;

/// What one call to a model returned.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Completion {
    /// The model's raw text (JSON for well-behaved models).
    pub text: String,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    /// Retries the call needed before this answer.
    pub retries: u32,
    /// Cost of the call in USD from the registry's prices (0 when cached).
    pub cost_usd: Option<f64>,
    /// The answer came from the response cache: nothing was billed.
    pub cached: bool,
    /// The provider's finish reason, e.g. "STOP" or "stop".
    pub finish_reason: Option<String>,
    /// The model version the provider reports.
    pub model_version: Option<String>,
}

impl Completion {
    /// The tokens and cost of this answer.
    pub fn usage(&self) -> Usage {
        Usage {
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            thinking_tokens: self.thinking_tokens,
            cost_usd: self.cost_usd,
        }
    }
}

/// Per-call options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOptions {
    /// Use the response cache (on by default; a request can bypass it).
    pub use_cache: bool,
    /// Which repetition of a record this call is: each is cached under its own key, so a
    /// repetition is a new answer (what repetition agreement measures), never the first
    /// one's cached answer, and a resumed run still pays for none twice.
    pub repetition: u32,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            use_cache: true,
            repetition: 0,
        }
    }
}

/// What every HTTP provider shares: one client, the cache, the image policy and the
/// rate budgets.
#[derive(Clone)]
pub struct HttpContext {
    pub client: reqwest::Client,
    pub cache: Arc<dyn cache::ResponseCache>,
    pub images: Arc<images::ImagePolicy>,
    pub budgets: Arc<budget::Budgets>,
}

/// The client of model calls: it never follows a redirect, so a key sent to the provider's
/// host is never replayed to another.
pub fn provider_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

impl HttpContext {
    /// A context with an in-memory cache and no image sources (tests, CLI).
    pub fn offline() -> Self {
        HttpContext {
            client: provider_client(),
            cache: Arc::new(cache::MemoryCache::default()),
            images: Arc::new(images::ImagePolicy::default()),
            budgets: Arc::new(budget::Budgets::default()),
        }
    }
}

/// Tokens and cost of a call, as far as the provider reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    /// USD from the registry's prices.
    pub cost_usd: Option<f64>,
}

impl Usage {
    /// The usage with its cost from `spec`'s prices, when tokens are known and the cost
    /// is not.
    pub fn priced(self, spec: &spec::ModelSpec) -> Self {
        let known = self.input_tokens.is_some() || self.output_tokens.is_some();
        if self.cost_usd.is_some() || !known {
            return self;
        }
        let n = |v: Option<u64>| v.unwrap_or(0);
        Usage {
            cost_usd: Some(spec.cost(
                n(self.input_tokens),
                n(self.output_tokens),
                n(self.thinking_tokens),
            )),
            ..self
        }
    }
}

/// Why a call produced no usable text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The input has nothing this provider can read.
    #[error("unsupported input: {0}")]
    UnsupportedInput(String),
    /// The model gave no usable content, and nothing says it billed the call.
    #[error("{0}")]
    NoContent(String),
    /// The model answered and billed the call, but the answer is unusable (truncated,
    /// blocked, refused, empty); `usage` is what it cost.
    #[error("{message}")]
    Unusable { message: String, usage: Usage },
    /// The call failed (transport, HTTP error, quota); retries are exhausted.
    #[error("{0}")]
    Call(String),
    /// The provider refused the call in a way every later call of the configuration will
    /// share (credentials refused, permission denied, daily or billing quota exhausted).
    #[error("{0}")]
    Refused(String),
}

impl ProviderError {
    /// Whether every later call of the same configuration will fail the same way.
    pub fn dooms_later_calls(&self) -> bool {
        matches!(self, ProviderError::Refused(_))
    }
}

impl ProviderError {
    /// The same error with `secrets` and key-shaped tokens removed from its text.
    pub fn redacted(self, secrets: &[&str]) -> Self {
        match self {
            ProviderError::UnsupportedInput(m) => {
                ProviderError::UnsupportedInput(redact::redact(&m, secrets))
            }
            ProviderError::NoContent(m) => ProviderError::NoContent(redact::redact(&m, secrets)),
            ProviderError::Unusable { message, usage } => ProviderError::Unusable {
                message: redact::redact(&message, secrets),
                usage,
            },
            ProviderError::Call(m) => ProviderError::Call(redact::redact(&m, secrets)),
            ProviderError::Refused(m) => ProviderError::Refused(redact::redact(&m, secrets)),
        }
    }
}

/// A model backend.
pub trait Provider: Send + Sync {
    /// Provider kind, e.g. "builtin", "gemini", "openai".
    fn kind(&self) -> &'static str;
    /// Runs one extraction.
    fn complete<'a>(
        &'a self,
        input: &'a RecordInput,
        config: &'a ModelConfig,
        options: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>>;

    /// Whether [`Self::complete_structured`] can answer (a judge model needs it).
    fn answers_structured(&self) -> bool {
        false
    }

    /// Answers another prompt with JSON shaped by its schema (an LLM judge's verdict).
    /// Models that only extract say so.
    fn complete_structured<'a>(
        &'a self,
        call: &'a StructuredCall<'a>,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        let _ = call;
        let kind = self.kind();
        Box::pin(async move {
            Err(ProviderError::UnsupportedInput(format!(
                "{kind} models answer only the extraction prompt"
            )))
        })
    }
}

/// Refuses a record with nothing a model could read, before any call.
pub(crate) fn require_input(input: &RecordInput) -> Result<(), ProviderError> {
    if input.is_empty() {
        return Err(ProviderError::UnsupportedInput(
            "the record has no text and no images".into(),
        ));
    }
    Ok(())
}

/// A prompt other than extraction, answered as JSON that follows `schema`.
#[derive(Debug, Clone)]
pub struct StructuredCall<'a> {
    /// The system instruction.
    pub system: &'a str,
    /// The user turn.
    pub user: &'a str,
    /// A name for the schema (OpenAI's `json_schema.name`).
    pub schema_name: &'a str,
    /// JSON Schema of the answer, strict-mode compatible.
    pub schema: &'a serde_json::Value,
    pub temperature: f64,
    /// Output cap; the model's default when None.
    pub max_output_tokens: Option<u32>,
    pub options: CallOptions,
}

/// A model the registry knows, and whether it can run now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub provider: String,
    pub available: bool,
    /// Why it is unavailable, e.g. "GEMINI_API_KEY not set".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Error of [`Registry::get`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelLookupError {
    #[error("unknown model \"{model}\"; available: {}", available.join(", "))]
    Unknown {
        model: String,
        available: Vec<String>,
    },
    #[error("model \"{model}\" is not available: {reason}")]
    Unavailable { model: String, reason: String },
}

/// Maps model names to providers.
#[derive(Clone, Default)]
pub struct Registry {
    providers: BTreeMap<String, Arc<dyn Provider>>,
    unavailable: BTreeMap<String, (String, String)>,
    specs: BTreeMap<String, spec::ModelSpec>,
}

impl Registry {
    /// The registry with only the built-in offline model.
    pub fn builtin() -> Self {
        let mut r = Registry::default();
        if let Some(rules) = spec::builtin_specs()
            .into_iter()
            .find(|s| s.provider == spec::ProviderKind::Builtin)
        {
            r.specs.insert(rules.name.clone(), rules);
        }
        r.register(crate::rules::RULES_MODEL_NAME, Arc::new(RulesProvider));
        r
    }

    /// Records a model's spec (endpoint, limits, prices).
    pub fn add_spec(&mut self, spec: spec::ModelSpec) {
        self.specs.insert(spec.name.clone(), spec);
    }

    /// The spec of a model, when the registry has one.
    pub fn spec(&self, name: &str) -> Option<&spec::ModelSpec> {
        self.specs.get(name)
    }

    /// Adds a usable model.
    pub fn register(&mut self, name: &str, provider: Arc<dyn Provider>) {
        self.unavailable.remove(name);
        self.providers.insert(name.to_string(), provider);
    }

    /// Lists a model that exists but cannot run now, with the reason.
    pub fn register_unavailable(&mut self, name: &str, provider: &str, reason: &str) {
        if !self.providers.contains_key(name) {
            self.unavailable
                .insert(name.into(), (provider.into(), reason.into()));
        }
    }

    /// The provider for a model name.
    pub fn get(&self, model: &str) -> Result<Arc<dyn Provider>, ModelLookupError> {
        if let Some(p) = self.providers.get(model) {
            return Ok(p.clone());
        }
        if let Some((_, reason)) = self.unavailable.get(model) {
            return Err(ModelLookupError::Unavailable {
                model: model.into(),
                reason: reason.clone(),
            });
        }
        Err(ModelLookupError::Unknown {
            model: model.into(),
            available: self.available_names(),
        })
    }

    /// Names of the models that can run now.
    pub fn available_names(&self) -> Vec<String> {
        self.providers.keys().cloned().collect()
    }

    /// Names of the models that can run now and can judge (answer structured output).
    pub fn judge_names(&self) -> Vec<String> {
        self.providers
            .iter()
            .filter(|(_, p)| p.answers_structured())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Every known model, usable or not.
    pub fn models(&self) -> Vec<ModelInfo> {
        let mut all: Vec<ModelInfo> = self
            .providers
            .iter()
            .map(|(name, p)| ModelInfo {
                name: name.clone(),
                provider: p.kind().into(),
                available: true,
                reason: None,
            })
            .chain(
                self.unavailable
                    .iter()
                    .map(|(name, (provider, reason))| ModelInfo {
                        name: name.clone(),
                        provider: provider.clone(),
                        available: false,
                        reason: Some(reason.clone()),
                    }),
            )
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }
}
