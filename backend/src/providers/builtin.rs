//! The built-in offline model `rules-v1`: Thai-aware rules over the record's OCR text.

use futures::future::BoxFuture;
use shared::{ModelConfig, RecordInput};

use super::{CallOptions, Completion, Provider, ProviderError};
use crate::rules;

/// Runs [`rules::extract`] on the record's text. Needs no network and no key.
pub struct RulesProvider;

impl Provider for RulesProvider {
    fn kind(&self) -> &'static str {
        "builtin"
    }

    fn complete<'a>(
        &'a self,
        input: &'a RecordInput,
        _config: &'a ModelConfig,
        _options: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let text = input.text.as_deref().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                ProviderError::UnsupportedInput(
                    "rules-v1 reads OCR text only; this record has none (images need a vision model)"
                        .into(),
                )
            })?;
            // CPU work: off the async workers, so a long text never stalls other tasks.
            let owned = text.to_string();
            let reports = tokio::task::spawn_blocking(move || rules::extract(&owned))
                .await
                .map_err(|e| ProviderError::Call(format!("rules-v1 stopped: {e}")))?
                .map_err(|e| ProviderError::NoContent(e.to_string()))?;
            let text = serde_json::to_string(&reports)
                .map_err(|e| ProviderError::NoContent(format!("cannot encode output: {e}")))?;
            Ok(Completion {
                text,
                ..Completion::default()
            })
        })
    }
}
