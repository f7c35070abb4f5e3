//! One generateContent call: the cache first, then the API; an extraction of a record, or
//! another structured prompt (an LLM judge's).

use shared::{ModelConfig, RecordInput};

use super::{classify, wire, GeminiProvider};
use crate::providers::cache::cache_key;
use crate::providers::prompt::user_text;
use crate::providers::{require_input, CallOptions, Completion, Provider, ProviderError};

impl GeminiProvider {
    /// Extracts one record.
    pub(super) async fn run(
        &self,
        input: &RecordInput,
        config: &ModelConfig,
        options: CallOptions,
    ) -> Result<Completion, ProviderError> {
        require_input(input)?;
        let images = self.ctx.images.resolve(input, self.is_vertex()).await?;
        let user = user_text(input.text.as_deref(), images.len());
        let prompt = wire::Prompt::extraction(&user, &images, config, &self.spec);
        self.call(&prompt, options).await
    }

    /// Sends `prompt` (or answers it from the cache).
    pub(super) async fn call(
        &self,
        prompt: &wire::Prompt<'_>,
        options: CallOptions,
    ) -> Result<Completion, ProviderError> {
        let body = wire::request_body(prompt)?;
        let key = cache_key(
            self.kind(),
            self.spec.api_model(),
            &body,
            options.repetition,
        );
        if options.use_cache {
            if let Some(stored) = self.ctx.cache.get(&key).await {
                match classify::parse_response(&stored) {
                    Ok(answer) => return Ok(self.completion(answer, 0, true)),
                    Err(e) => {
                        tracing::warn!(error = %e, "ignoring an unusable cached response")
                    }
                }
            }
        }
        let estimate = estimate_tokens(prompt);
        let success = self.send(&body, estimate).await?;
        let answer = classify::parse_response(&success.body)?;
        self.ctx
            .cache
            .put(&key, &self.spec.name, &success.body)
            .await;
        Ok(self.completion(answer, success.retries, false))
    }

    /// An error as the caller sees it: a billed unusable answer priced, secrets removed.
    pub(super) fn reported(&self, e: ProviderError, key: Option<&str>) -> ProviderError {
        match e {
            ProviderError::Unusable { message, usage } => ProviderError::Unusable {
                message,
                usage: usage.priced(&self.spec),
            },
            other => other,
        }
        .redacted(key.as_slice())
    }
}

/// Tokens charged to the rate budget before a call (the real counts come from the
/// response): system prompt and user text at ~3 characters a token, 258 tokens per image
/// (Gemini's count for an image up to 384 px; larger ones are tiled and cost more), and a
/// quarter of the output cap, as answers rarely use all of it.
pub(super) fn estimate_tokens(prompt: &wire::Prompt<'_>) -> u64 {
    let chars = (prompt.system.chars().count() + prompt.user_text.chars().count()) as u64;
    chars / 3 + 258 * prompt.images.len() as u64 + u64::from(prompt.max_output_tokens) / 4
}
