//! Gemini generateContent: the Developer API and Vertex AI (one body, two URLs and auths).
//!
//! The body asks for JSON shaped by [`response_schema`](crate::providers::prompt::response_schema)
//! through `responseJsonSchema`; the answer is the non-thought text of the first candidate.
//! Calls go through the shared cache, rate budget and retry loop of [`crate::providers`].
//! The caller reads the environment (`GEMINI_API_KEY`/`GOOGLE_API_KEY`,
//! `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_CLOUD_PROJECT`, `VERTEX_AI_LOCATION`,
//! `GEMINI_BASE_URL`, `VERTEX_AI_BASE_URL`); this module reads none.

mod auth;
mod call;
mod classify;
mod wire;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_adc;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_parse;
#[cfg(test)]
mod tests_vertex;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use shared::{ModelConfig, RecordInput};

pub use auth::{
    find_credentials, AuthorizedUserTokens, CredentialsError, FoundCredentials,
    MetadataServerTokens, ServiceAccountTokens, TokenSource, CLOUD_PLATFORM_SCOPE,
};

use super::budget::{key_fingerprint, Limits, RateBudget};
use super::http::{send_with_retries, CallPolicy, Success};
use super::spec::ModelSpec;
use super::{CallOptions, Completion, HttpContext, Provider, ProviderError, StructuredCall};
use crate::config::Secret;

/// How a [`GeminiProvider`] authenticates, which also picks the surface.
#[derive(Clone)]
pub enum GeminiAuth {
    /// Gemini Developer API key (AI Studio), sent as `x-goog-api-key`.
    ApiKey(Secret),
    /// Vertex AI in `project`/`location`, with OAuth bearer tokens from `tokens`.
    Vertex {
        project: String,
        location: String,
        tokens: Arc<dyn TokenSource>,
    },
}

impl fmt::Debug for GeminiAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeminiAuth::ApiKey(_) => f.write_str("ApiKey(***)"),
            GeminiAuth::Vertex {
                project, location, ..
            } => f
                .debug_struct("Vertex")
                .field("project", project)
                .field("location", location)
                .finish_non_exhaustive(),
        }
    }
}

/// A Gemini model on the Developer API or Vertex AI.
pub struct GeminiProvider {
    spec: ModelSpec,
    auth: GeminiAuth,
    endpoint: String,
    ctx: HttpContext,
    policy: CallPolicy,
    budget: Arc<RateBudget>,
}

impl fmt::Debug for GeminiProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeminiProvider")
            .field("model", &self.spec.name)
            .field("auth", &self.auth)
            .field("endpoint", &self.endpoint)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl GeminiProvider {
    /// A provider for `spec`. `base_url` replaces the default host (proxies, tests):
    /// `https://generativelanguage.googleapis.com` for an API key,
    /// `https://{location}-aiplatform.googleapis.com` for Vertex (`global` →
    /// `aiplatform.googleapis.com`, `us`/`eu` → `aiplatform.{loc}.rep.googleapis.com`).
    pub fn new(
        spec: ModelSpec,
        auth: GeminiAuth,
        base_url: Option<String>,
        ctx: HttpContext,
    ) -> Self {
        let model = spec.api_model();
        let model = model.strip_prefix("models/").unwrap_or(model);
        let (endpoint, key_id) = match &auth {
            GeminiAuth::ApiKey(key) => {
                let base =
                    base_url.unwrap_or_else(|| "https://generativelanguage.googleapis.com".into());
                let base = base.trim_end_matches('/');
                (
                    format!("{base}/v1beta/models/{model}:generateContent"),
                    key_fingerprint(key.expose()),
                )
            }
            GeminiAuth::Vertex {
                project, location, ..
            } => {
                let base = base_url.unwrap_or_else(|| vertex_host(location));
                let base = base.trim_end_matches('/');
                (
                    format!("{base}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent"),
                    key_fingerprint(&format!("{project}/{location}")),
                )
            }
        };
        let kind = kind_of(&auth);
        let limits = Limits {
            requests_per_minute: spec.requests_per_minute,
            tokens_per_minute: spec.tokens_per_minute,
        };
        let budget = ctx.budgets.get(kind, &key_id, limits);
        let policy = CallPolicy {
            max_attempts: spec.max_attempts.unwrap_or(5).max(1),
            timeout: Duration::from_secs(spec.timeout_secs.unwrap_or(120)),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        };
        GeminiProvider {
            spec,
            auth,
            endpoint,
            ctx,
            policy,
            budget,
        }
    }

    /// Replaces the retry policy (tests use millisecond delays).
    pub fn with_policy(mut self, policy: CallPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The generateContent URL this provider posts to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn is_vertex(&self) -> bool {
        matches!(self.auth, GeminiAuth::Vertex { .. })
    }

    /// Posts `body`; on Vertex, a 401 drops the cached token and retries once.
    async fn send(&self, body: &[u8], estimated_tokens: u64) -> Result<Success, ProviderError> {
        // One buffer for every attempt: a retry clones a reference, not the images in it.
        let body = bytes::Bytes::copy_from_slice(body);
        let post = |name: &'static str, value: &HeaderValue| {
            let request = self
                .ctx
                .client
                .post(&self.endpoint)
                .header(CONTENT_TYPE, "application/json")
                .header(name, value.clone());
            // User credentials bill quota to the project they name, as Google's clients do.
            let quota = match &self.auth {
                GeminiAuth::Vertex { tokens, .. } => tokens.quota_project(),
                GeminiAuth::ApiKey(_) => None,
            };
            match quota.and_then(|q| HeaderValue::from_str(q).ok()) {
                Some(q) => request.header("x-goog-user-project", q),
                None => request,
            }
            .body(body.clone())
        };
        match &self.auth {
            GeminiAuth::ApiKey(key) => {
                let value = sensitive_header(key.expose(), "the API key")?;
                let build = || post("x-goog-api-key", &value);
                send_with_retries(
                    &self.policy,
                    &self.budget,
                    estimated_tokens,
                    build,
                    classify::classify_error,
                )
                .await
            }
            GeminiAuth::Vertex { tokens, .. } => {
                let mut refreshed = false;
                loop {
                    let token = tokens.token().await?;
                    let value = sensitive_header(
                        &format!("Bearer {}", token.expose()),
                        "the access token",
                    )?;
                    let build = || post("authorization", &value);
                    let unauthorized = AtomicBool::new(false);
                    let classify = |status: u16, headers: &HeaderMap, text: &str| {
                        if status == 401 {
                            unauthorized.store(true, Ordering::Relaxed);
                        }
                        classify::classify_error(status, headers, text)
                    };
                    match send_with_retries(
                        &self.policy,
                        &self.budget,
                        estimated_tokens,
                        build,
                        classify,
                    )
                    .await
                    {
                        Err(_) if unauthorized.load(Ordering::Relaxed) && !refreshed => {
                            tracing::debug!("vertex answered 401; refreshing the access token");
                            tokens.invalidate();
                            refreshed = true;
                        }
                        Ok(mut success) => {
                            success.retries += u32::from(refreshed);
                            return Ok(success);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    fn completion(&self, answer: classify::Answer, retries: u32, cached: bool) -> Completion {
        let cost_usd = if cached {
            Some(0.0)
        } else {
            answer.has_usage.then(|| {
                let n = |v: Option<u64>| v.unwrap_or(0);
                self.spec.cost(
                    n(answer.input_tokens),
                    n(answer.output_tokens),
                    n(answer.thinking_tokens),
                )
            })
        };
        Completion {
            text: answer.text,
            input_tokens: answer.input_tokens,
            output_tokens: answer.output_tokens,
            thinking_tokens: answer.thinking_tokens,
            retries,
            cost_usd,
            cached,
            finish_reason: answer.finish_reason,
            model_version: answer.model_version,
        }
    }
}

impl Provider for GeminiProvider {
    fn kind(&self) -> &'static str {
        kind_of(&self.auth)
    }

    fn complete<'a>(
        &'a self,
        input: &'a RecordInput,
        config: &'a ModelConfig,
        options: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let key = match &self.auth {
                GeminiAuth::ApiKey(k) => Some(k.expose()),
                GeminiAuth::Vertex { .. } => None,
            };
            self.run(input, config, options)
                .await
                .map_err(|e| self.reported(e, key))
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
            let key = match &self.auth {
                GeminiAuth::ApiKey(k) => Some(k.expose()),
                GeminiAuth::Vertex { .. } => None,
            };
            let prompt = wire::Prompt {
                system: call.system,
                user_text: call.user,
                images: &[],
                schema: call.schema,
                temperature: call.temperature,
                max_output_tokens: call
                    .max_output_tokens
                    .or(self.spec.max_output_tokens)
                    .unwrap_or(wire::DEFAULT_MAX_OUTPUT_TOKENS),
                thinking_budget: self.spec.thinking_budget,
            };
            self.call(&prompt, call.options)
                .await
                .map_err(|e| self.reported(e, key))
        })
    }
}

fn kind_of(auth: &GeminiAuth) -> &'static str {
    match auth {
        GeminiAuth::ApiKey(_) => "gemini",
        GeminiAuth::Vertex { .. } => "vertex",
    }
}

/// The default Vertex AI host of a location.
fn vertex_host(location: &str) -> String {
    match location {
        "global" => "https://aiplatform.googleapis.com".into(),
        "us" | "eu" => format!("https://aiplatform.{location}.rep.googleapis.com"),
        loc => format!("https://{loc}-aiplatform.googleapis.com"),
    }
}

/// A header value that is never logged; a clear error when the secret is not valid there.
fn sensitive_header(value: &str, what: &str) -> Result<HeaderValue, ProviderError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        ProviderError::Call(format!(
            "{what} contains characters not allowed in an HTTP header"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}
