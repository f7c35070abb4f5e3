//! The chat-completions wire format: the request body this provider sends and the reading
//! of the answer into a [`Completion`].

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::providers::images::ImageData;
use crate::providers::prompt::{response_schema, EXTRACTION_PROMPT};
use crate::providers::spec::ModelSpec;
use crate::providers::{Completion, ProviderError};

/// Name of the strict schema in `response_format.json_schema.name`.
pub const SCHEMA_NAME: &str = "vote_reports";

/// Which `response_format` a request carries, strongest first. Servers that reject one get
/// the next (see [`super::OpenAiProvider`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResponseFormat {
    /// `{"type":"json_schema","json_schema":{name, strict: true, schema}}`.
    JsonSchema = 0,
    /// `{"type":"json_object"}` (the prompt asks for JSON).
    JsonObject = 1,
    /// No `response_format` at all.
    Omitted = 2,
}

impl ResponseFormat {
    /// The level stored in the provider's atomic downgrade state.
    pub(super) fn from_level(level: u8) -> Self {
        match level {
            0 => ResponseFormat::JsonSchema,
            1 => ResponseFormat::JsonObject,
            _ => ResponseFormat::Omitted,
        }
    }

    /// The next weaker format, if any.
    pub(super) fn weaker(self) -> Option<Self> {
        match self {
            ResponseFormat::JsonSchema => Some(ResponseFormat::JsonObject),
            ResponseFormat::JsonObject => Some(ResponseFormat::Omitted),
            ResponseFormat::Omitted => None,
        }
    }

    fn value(self) -> Option<Value> {
        match self {
            ResponseFormat::JsonSchema => Some(json!({
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": true, "schema": response_schema()},
            })),
            ResponseFormat::JsonObject => Some(json!({"type": "json_object"})),
            ResponseFormat::Omitted => None,
        }
    }
}

/// Which field carries the output cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxTokensField {
    /// `max_completion_tokens` (OpenAI; `max_tokens` is rejected by its reasoning models).
    MaxCompletionTokens,
    /// `max_tokens` (Ollama ignores `max_completion_tokens`; llama.cpp and LM Studio read
    /// only `max_tokens`).
    MaxTokens,
}

impl MaxTokensField {
    /// The rule: `max_completion_tokens` when the base URL's host is `api.openai.com`,
    /// `max_tokens` for every other server.
    pub fn for_base_url(base_url: &str) -> Self {
        let host = reqwest::Url::parse(base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        if host.as_deref() == Some("api.openai.com") {
            MaxTokensField::MaxCompletionTokens
        } else {
            MaxTokensField::MaxTokens
        }
    }

    fn name(self) -> &'static str {
        match self {
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
            MaxTokensField::MaxTokens => "max_tokens",
        }
    }
}

/// What goes into one request body.
pub(super) struct RequestParts<'a> {
    pub model: &'a str,
    pub temperature: f64,
    pub max_output_tokens: Option<u32>,
    pub max_tokens_field: MaxTokensField,
    pub format: ResponseFormat,
    pub user_text: &'a str,
    /// `(mime type, base64)` of each image.
    pub images: &'a [(String, String)],
}

/// The request body. The user content is a plain string without images (some servers
/// dislike part arrays) and text + `image_url` data-URL parts with them.
pub(super) fn request_body(p: &RequestParts<'_>) -> Value {
    let user_content = if p.images.is_empty() {
        Value::String(p.user_text.to_string())
    } else {
        let mut parts = vec![json!({"type": "text", "text": p.user_text})];
        parts.extend(p.images.iter().map(|(mime, b64)| {
            json!({"type": "image_url", "image_url": {"url": format!("data:{mime};base64,{b64}")}})
        }));
        Value::Array(parts)
    };
    let mut body = Map::new();
    body.insert("model".into(), json!(p.model));
    body.insert(
        "messages".into(),
        json!([
            {"role": "system", "content": EXTRACTION_PROMPT},
            {"role": "user", "content": user_content},
        ]),
    );
    // Always sent: Ollama samples at 1.0 when it is omitted.
    body.insert("temperature".into(), json!(p.temperature));
    if let Some(max) = p.max_output_tokens {
        body.insert(p.max_tokens_field.name().into(), json!(max));
    }
    if let Some(rf) = p.format.value() {
        body.insert("response_format".into(), rf);
    }
    Value::Object(body)
}

/// Splits resolved images into `(mime, base64)`; only inline images the chat API takes.
pub(super) fn inline_images(
    images: Vec<ImageData>,
) -> Result<Vec<(String, String)>, ProviderError> {
    images
        .into_iter()
        .map(|img| match img {
            ImageData::Inline { mime_type, base64 } if mime_type.starts_with("image/") => Ok((mime_type, base64)),
            ImageData::Inline { mime_type, .. } => Err(ProviderError::UnsupportedInput(format!(
                "{mime_type} input is not supported by OpenAI-compatible chat completions; send page images"
            ))),
            ImageData::Uri { uri, .. } => {
                Err(ProviderError::UnsupportedInput(format!("{uri}: OpenAI-compatible servers need inline images")))
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Deserialize)]
struct Part {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

/// Reads a 2xx body into a completion (`retries`/`cached` left at their defaults).
/// Malformed bodies are `Call` errors; refusals, truncation, filtering and empty answers are
/// `NoContent`.
pub(super) fn parse_response(body: &str, spec: &ModelSpec) -> Result<Completion, ProviderError> {
    let resp: ChatResponse = serde_json::from_str(body)
        .map_err(|e| ProviderError::Call(format!("malformed chat completion response: {e}")))?;
    let Some(choice) = resp.choices.and_then(|c| c.into_iter().next()) else {
        return Err(ProviderError::Call(match resp.error {
            Some(e) => format!(
                "error in a 2xx response: {}",
                crate::providers::http::short(&e.to_string())
            ),
            None => "chat completion response has no choices".into(),
        }));
    };
    let (input, completion, reasoning) = match &resp.usage {
        Some(u) => (
            u.prompt_tokens,
            u.completion_tokens,
            u.completion_tokens_details
                .as_ref()
                .and_then(|d| d.reasoning_tokens),
        ),
        None => (None, None, None),
    };
    let output = completion.map(|c| c.saturating_sub(reasoning.unwrap_or(0)));
    let usage = crate::providers::Usage {
        input_tokens: input,
        output_tokens: output,
        thinking_tokens: reasoning,
        cost_usd: None,
    }
    .priced(spec);
    // A billed answer that cannot be used still costs what it cost.
    let unusable = |message: String| ProviderError::Unusable { message, usage };
    let finish = choice.finish_reason;
    let message = choice.message;
    if let Some(refusal) = message
        .as_ref()
        .and_then(|m| m.refusal.as_deref())
        .filter(|r| !r.trim().is_empty())
    {
        return Err(unusable(format!(
            "model refused: {}",
            crate::providers::http::short(refusal)
        )));
    }
    match finish.as_deref() {
        Some("length") => {
            let n =
                completion.map_or_else(|| "an unknown number of".to_string(), |n| n.to_string());
            return Err(unusable(format!(
                "output truncated (finish_reason length after {n} completion tokens); raise max_output_tokens"
            )));
        }
        Some("content_filter") => {
            return Err(unusable(
                "output blocked by the content filter (finish_reason content_filter)".into(),
            ))
        }
        _ => {}
    }
    let text = match message.and_then(|m| m.content) {
        Some(Content::Text(t)) => t,
        Some(Content::Parts(parts)) => parts
            .into_iter()
            .filter(|p| {
                p.kind
                    .as_deref()
                    .is_none_or(|k| k == "text" || k == "output_text")
            })
            .filter_map(|p| p.text)
            .collect::<Vec<_>>()
            .join(""),
        None => String::new(),
    };
    if text.trim().is_empty() {
        return Err(unusable(format!(
            "empty response (finish_reason {})",
            finish.as_deref().unwrap_or("none")
        )));
    }
    let cost_usd = match (input, output) {
        (Some(_), Some(_)) => usage.cost_usd,
        _ => None,
    };
    Ok(Completion {
        text,
        input_tokens: input,
        output_tokens: output,
        thinking_tokens: reasoning,
        retries: 0,
        cost_usd,
        cached: false,
        finish_reason: finish,
        model_version: resp.model,
    })
}
