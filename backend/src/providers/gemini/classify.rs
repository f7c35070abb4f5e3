//! What a Gemini response means: error bodies become retry decisions (RetryInfo waits, daily
//! quotas fatal, 4xx fatal with the API's own message), and 200 bodies become the answer's
//! text and usage, or a clear "no content" error (blocked, truncated, filtered, empty).

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::wire::{ApiError, Response};
use crate::providers::http::{parse_proto_duration, retry_after_header, short, Disposition};
use crate::providers::ProviderError;

/// Longest API message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 500;

/// Decides on a non-2xx response: 408/429/5xx retry (429 after the body's RetryInfo delay,
/// unless a per-day quota ran out), everything else is fatal.
pub(super) fn classify_error(status: u16, headers: &HeaderMap, body: &str) -> Disposition {
    let api = ApiError::parse(body);
    let label = describe(status, api.as_ref(), body);
    match status {
        429 => {
            if api.as_ref().is_some_and(daily_quota_exhausted) {
                return Disposition::Refused(format!("daily quota exhausted: {label}"));
            }
            // Developer API: the wait is only in the body. Vertex's bare 429: backoff.
            let after = api
                .as_ref()
                .and_then(retry_delay)
                .or_else(|| retry_after_header(headers));
            Disposition::Retry {
                after,
                rate_limited: true,
                reason: label,
            }
        }
        408 | 500 | 502 | 503 | 504 => Disposition::Retry {
            after: retry_after_header(headers),
            rate_limited: false,
            reason: label,
        },
        // The Developer API answers a bad key with 400 API_KEY_INVALID: every call will.
        400 if api.as_ref().is_some_and(key_invalid) => Disposition::Refused(label),
        _ => Disposition::Fatal(label),
    }
}

/// True when a `google.rpc.ErrorInfo` says the API key is invalid or expired.
fn key_invalid(e: &ApiError) -> bool {
    e.details_of("google.rpc.ErrorInfo")
        .filter_map(|d| d.get("reason").and_then(Value::as_str))
        .any(|r| matches!(r, "API_KEY_INVALID" | "API_KEY_EXPIRED"))
}

/// "HTTP 403 PERMISSION_DENIED: Permission … denied …", or the raw body's start.
fn describe(status: u16, api: Option<&ApiError>, body: &str) -> String {
    match api {
        Some(e) => {
            let message: String = e
                .message
                .as_deref()
                .unwrap_or("(no message)")
                .chars()
                .take(MAX_MESSAGE_CHARS)
                .collect();
            match e.status.as_deref() {
                Some(s) => format!("HTTP {status} {s}: {message}"),
                None => format!("HTTP {status}: {message}"),
            }
        }
        None => format!("HTTP {status}: {}", short(body)),
    }
}

/// The wait of a `google.rpc.RetryInfo` detail ("58s").
fn retry_delay(e: &ApiError) -> Option<std::time::Duration> {
    e.details_of("google.rpc.RetryInfo")
        .filter_map(|d| d.get("retryDelay").and_then(Value::as_str))
        .find_map(parse_proto_duration)
}

/// True when a `google.rpc.QuotaFailure` names a per-day quota (it resets daily).
fn daily_quota_exhausted(e: &ApiError) -> bool {
    e.details_of("google.rpc.QuotaFailure")
        .filter_map(|d| d.get("violations").and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.get("quotaId").and_then(Value::as_str))
        .any(|id| id.contains("PerDay"))
}

/// What a successful response yielded.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Answer {
    /// The non-thought text of the first candidate.
    pub text: String,
    /// False when the body had no `usageMetadata` (counts are then unknown, not zero).
    pub has_usage: bool,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    pub finish_reason: Option<String>,
    pub model_version: Option<String>,
}

/// Reads a 200 body. A body that is not a response is a fatal call error; a response
/// without usable text is [`ProviderError::Unusable`] naming why, with the tokens it used.
pub(super) fn parse_response(body: &str) -> Result<Answer, ProviderError> {
    let malformed = |why: String| {
        ProviderError::Call(format!("malformed response body: {why}: {}", short(body)))
    };
    // Only an object: serde would also read a struct from an array, field by position.
    if !body.trim_start().starts_with('{') {
        return Err(malformed("not a JSON object".into()));
    }
    let response: Response = serde_json::from_str(body).map_err(|e| malformed(e.to_string()))?;
    let usage = response.usage_metadata.as_ref();
    let input_tokens = usage.and_then(|u| u.prompt_token_count);
    let output_tokens = usage.and_then(|u| u.candidates_token_count);
    let thinking_tokens = usage.and_then(|u| u.thoughts_token_count);
    // A billed answer that cannot be used still costs what it cost (priced by the provider).
    let unusable = |message: String| ProviderError::Unusable {
        message,
        usage: crate::providers::Usage {
            input_tokens,
            output_tokens,
            thinking_tokens,
            cost_usd: None,
        },
    };

    let Some(candidate) = response.candidates.as_ref().and_then(|c| c.first()) else {
        let feedback = response.prompt_feedback.as_ref();
        let reason = feedback
            .and_then(|f| f.block_reason.as_deref())
            .unwrap_or("no candidates and no blockReason");
        let mut msg = format!("prompt blocked: {reason}");
        if let Some(m) = feedback.and_then(|f| f.block_reason_message.as_deref()) {
            msg.push_str(&format!(" ({m})"));
        }
        return Err(unusable(msg));
    };

    let text: String = candidate
        .content
        .as_ref()
        .and_then(|c| c.parts.as_ref())
        .into_iter()
        .flatten()
        .filter(|p| p.thought != Some(true))
        .filter_map(|p| p.text.as_deref())
        .collect();
    let finish = candidate.finish_reason.as_deref();
    let with_message = |mut msg: String| {
        if let Some(m) = candidate.finish_message.as_deref() {
            msg.push_str(&format!(": {m}"));
        }
        unusable(msg)
    };
    match finish {
        None | Some("STOP") if !text.trim().is_empty() => {}
        None | Some("STOP") => {
            return Err(with_message(format!(
                "no content: empty answer (finishReason {})",
                finish.unwrap_or("absent")
            )));
        }
        Some("MAX_TOKENS") => {
            // Even with text, the JSON is cut off: an error, not an answer.
            return Err(with_message(format!(
                "output truncated: finishReason MAX_TOKENS after {} output tokens ({} thinking); \
                 raise max_output_tokens or lower thinking_budget",
                output_tokens.unwrap_or(0),
                thinking_tokens.unwrap_or(0)
            )));
        }
        Some(other) => {
            let why = match other {
                "SAFETY" | "IMAGE_SAFETY" => "blocked by safety filters",
                "RECITATION" | "IMAGE_RECITATION" => "blocked as recitation of training data",
                "PROHIBITED_CONTENT" | "IMAGE_PROHIBITED_CONTENT" => {
                    "blocked as prohibited content"
                }
                "BLOCKLIST" => "blocked by a terms blocklist",
                "SPII" => "blocked for sensitive personal information",
                "OTHER" => "stopped for an unspecified reason",
                _ => "stopped for an unexpected reason",
            };
            return Err(with_message(format!(
                "no content: finishReason {other} ({why})"
            )));
        }
    }
    Ok(Answer {
        text,
        has_usage: usage.is_some(),
        input_tokens,
        output_tokens,
        thinking_tokens,
        finish_reason: candidate.finish_reason.clone(),
        model_version: response.model_version.clone(),
    })
}
