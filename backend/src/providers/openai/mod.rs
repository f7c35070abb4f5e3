//! OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio).
//!
//! One `POST {base_url}/chat/completions` per record: the extraction prompt as the system
//! message, the OCR text and page images (data URLs) as the user message, and a strict
//! `json_schema` response format. Servers without schema support are stepped down to
//! `json_object` and then to no `response_format`, once per provider lifetime.

mod classify;
mod wire;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use shared::{ModelConfig, RecordInput};

use super::budget::{key_fingerprint, Limits, RateBudget};
use super::cache::cache_key;
use super::http::{send_with_retries, CallPolicy, Disposition};
use super::prompt::{response_schema, user_text, EXTRACTION_PROMPT};
use super::spec::ModelSpec;
use super::{
    require_input, CallOptions, Completion, HttpContext, Provider, ProviderError, StructuredCall,
};
use crate::config::Secret;

pub use wire::{MaxTokensField, ResponseFormat, SCHEMA_NAME};

/// Output tokens assumed for the rate budget when no cap is configured.
const DEFAULT_OUTPUT_ESTIMATE: u64 = 4096;
/// Input tokens assumed per image (a high-detail 1024×1024 tile set on OpenAI).
const TOKENS_PER_IMAGE: u64 = 765;

/// A model behind an OpenAI-compatible `/chat/completions` endpoint.
pub struct OpenAiProvider {
    spec: ModelSpec,
    api_key: Option<Secret>,
    base_url: String,
    ctx: HttpContext,
    policy: CallPolicy,
    max_tokens_field: MaxTokensField,
    /// The weakest [`ResponseFormat`] level this server has needed so far.
    format_level: AtomicU8,
}

impl OpenAiProvider {
    /// A provider for `spec` at `base_url`, which already ends with `/v1` (e.g.
    /// `https://api.openai.com/v1`, `http://localhost:11434/v1`; a trailing slash is
    /// trimmed). `api_key` is sent as `Authorization: Bearer` when set; local servers may
    /// need none. Retries and timeout come from the spec (`max_attempts`, `timeout_secs`).
    pub fn new(
        spec: ModelSpec,
        api_key: Option<Secret>,
        base_url: String,
        ctx: HttpContext,
    ) -> Self {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        let defaults = CallPolicy::default();
        let policy = CallPolicy {
            max_attempts: spec.max_attempts.unwrap_or(defaults.max_attempts).max(1),
            timeout: spec
                .timeout_secs
                .map_or(defaults.timeout, Duration::from_secs),
            ..defaults
        };
        let start = if spec.json_schema == Some(false) {
            ResponseFormat::JsonObject
        } else {
            ResponseFormat::JsonSchema
        };
        OpenAiProvider {
            max_tokens_field: MaxTokensField::for_base_url(&base_url),
            spec,
            api_key: api_key.filter(|k| !k.expose().trim().is_empty()),
            base_url,
            ctx,
            policy,
            format_level: AtomicU8::new(start as u8),
        }
    }

    /// Replaces the retry policy (tests use short delays and timeouts).
    pub fn with_policy(mut self, policy: CallPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Overrides which field carries the output cap (default: [`MaxTokensField::for_base_url`]).
    pub fn with_max_tokens_field(mut self, field: MaxTokensField) -> Self {
        self.max_tokens_field = field;
        self
    }

    /// The `response_format` the next call will send (after any remembered downgrade).
    pub fn response_format(&self) -> ResponseFormat {
        ResponseFormat::from_level(self.format_level.load(Ordering::Relaxed))
    }

    fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    fn budget(&self) -> Arc<RateBudget> {
        let id = key_fingerprint(
            self.api_key
                .as_ref()
                .map_or(self.base_url.as_str(), Secret::expose),
        );
        let limits = Limits {
            requests_per_minute: self.spec.requests_per_minute,
            tokens_per_minute: self.spec.tokens_per_minute,
        };
        self.ctx.budgets.get("openai", &id, limits)
    }

    /// One live call with retries. `Ok(None)` means the server rejected `format` as
    /// unsupported (a 400 naming `response_format`), so a weaker one should be tried.
    async fn send(
        &self,
        bytes: Vec<u8>,
        format: ResponseFormat,
        tokens: u64,
    ) -> Result<Option<(String, u32)>, ProviderError> {
        let url = self.endpoint();
        // One buffer for every attempt: a retry clones a reference, not the images in it.
        let bytes = bytes::Bytes::from(bytes);
        let rejected = AtomicBool::new(false);
        let build = || {
            let mut req = self
                .ctx
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone());
            if let Some(key) = &self.api_key {
                req = req.bearer_auth(key.expose());
            }
            req
        };
        let classify = |status: u16, headers: &reqwest::header::HeaderMap, body: &str| {
            if format != ResponseFormat::Omitted && classify::rejects_response_format(status, body)
            {
                rejected.store(true, Ordering::Relaxed);
                return Disposition::Fatal(classify::describe(status, body));
            }
            classify::classify(status, headers, body)
        };
        match send_with_retries(&self.policy, &self.budget(), tokens, build, classify).await {
            Ok(s) => Ok(Some((s.body, s.retries))),
            Err(e) if rejected.load(Ordering::Relaxed) => {
                tracing::warn!(model = %self.spec.name, ?format, error = %e, "server rejected the response_format; trying a weaker one");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn run(
        &self,
        input: &RecordInput,
        config: &ModelConfig,
        options: CallOptions,
    ) -> Result<Completion, ProviderError> {
        require_input(input)?;
        let images = wire::inline_images(self.ctx.images.resolve(input, false).await?)?;
        let text = user_text(input.text.as_deref(), images.len());
        self.call(&Ask {
            system: EXTRACTION_PROMPT,
            user_text: &text,
            images: &images,
            schema_name: SCHEMA_NAME,
            schema: response_schema(),
            temperature: config.temperature,
            max_output_tokens: config.max_output_tokens.or(self.spec.max_output_tokens),
            options,
        })
        .await
    }

    /// One call: the cache first, then the server, stepping the response format down
    /// when the server rejects it.
    async fn call(&self, ask: &Ask<'_>) -> Result<Completion, ProviderError> {
        let chars = (ask.system.chars().count() + ask.user_text.chars().count()) as u64;
        let tokens = chars / 3
            + TOKENS_PER_IMAGE * ask.images.len() as u64
            + ask
                .max_output_tokens
                .map_or(DEFAULT_OUTPUT_ESTIMATE, u64::from)
                / 4;
        let cache_model = format!("{}{}", self.base_url, self.spec.api_model());
        let mut format = self.response_format();
        let mut downgrades = 0;
        loop {
            let bytes = wire::request_body(&wire::RequestParts {
                model: self.spec.api_model(),
                system: ask.system,
                schema_name: ask.schema_name,
                schema: ask.schema,
                temperature: ask.temperature,
                max_output_tokens: ask.max_output_tokens,
                max_tokens_field: self.max_tokens_field,
                format,
                user_text: ask.user_text,
                images: ask.images,
            })?;
            let key = cache_key("openai", &cache_model, &bytes, ask.options.repetition);
            if ask.options.use_cache {
                if let Some(stored) = self.ctx.cache.get(&key).await {
                    if let Ok(c) = wire::parse_response(&stored, &self.spec) {
                        return Ok(Completion {
                            cached: true,
                            cost_usd: Some(0.0),
                            retries: 0,
                            ..c
                        });
                    }
                }
            }
            match self.send(bytes, format, tokens).await? {
                Some((raw, retries)) => {
                    let completion = wire::parse_response(&raw, &self.spec)?;
                    self.ctx.cache.put(&key, &cache_model, &raw).await;
                    return Ok(Completion {
                        retries: retries + downgrades,
                        ..completion
                    });
                }
                None => {
                    let Some(weaker) = format.weaker() else {
                        return Err(ProviderError::Call(
                            "the server rejected every response_format".into(),
                        ));
                    };
                    let before = self.format_level.fetch_max(weaker as u8, Ordering::Relaxed);
                    format = ResponseFormat::from_level(before.max(weaker as u8));
                    downgrades += 1;
                }
            }
        }
    }
}

/// What one call asks of the server.
struct Ask<'a> {
    system: &'a str,
    user_text: &'a str,
    images: &'a [(String, String)],
    schema_name: &'a str,
    schema: &'a serde_json::Value,
    temperature: f64,
    max_output_tokens: Option<u32>,
    options: CallOptions,
}

impl Provider for OpenAiProvider {
    fn kind(&self) -> &'static str {
        "openai"
    }

    fn complete<'a>(
        &'a self,
        input: &'a RecordInput,
        config: &'a ModelConfig,
        options: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let key = self.api_key.as_ref().map(Secret::expose);
            self.run(input, config, options)
                .await
                .map_err(|e| e.redacted(key.as_slice()))
        })
    }

    fn answers_structured(&self) -> bool {
        true
    }

    fn complete_structured<'a>(
        &'a self,
        call: &'a StructuredCall<'a>,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let key = self.api_key.as_ref().map(Secret::expose);
            self.call(&Ask {
                system: call.system,
                user_text: call.user,
                images: &[],
                schema_name: call.schema_name,
                schema: call.schema,
                temperature: call.temperature,
                max_output_tokens: call.max_output_tokens.or(self.spec.max_output_tokens),
                options: call.options,
            })
            .await
            .map_err(|e| e.redacted(key.as_slice()))
        })
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cache;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_wire;
