//! The chat-completions wire format: the request body this provider sends and the reading
//! of the answer into a [`Completion`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::providers::images::ImageData;

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
}

/// What goes into one request body.
pub(super) struct RequestParts<'a> {
    pub model: &'a str,
    /// The system message (the extraction prompt, or another).
    pub system: &'a str,
    /// `json_schema.name` and the schema sent with [`ResponseFormat::JsonSchema`].
    pub schema_name: &'a str,
    pub schema: &'a Value,
    pub temperature: f64,
    pub max_output_tokens: Option<u32>,
    pub max_tokens_field: MaxTokensField,
    pub format: ResponseFormat,
    pub user_text: &'a str,
    /// `(mime type, base64)` of each image.
    pub images: &'a [(String, String)],
}

// The body is serialised from borrowed, typed parts (building a `Value` copied the form
// text and the schema on every call). Fields are declared in sorted order so the bytes are
// those a `serde_json::Value` body gave: cache keys hash the exact bytes and stay valid.
#[derive(Serialize)]
struct ChatRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    messages: [ChatMessage<'a>; 2],
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<FormatBody<'a>>,
    temperature: f64,
}

#[derive(Serialize)]
struct ChatMessage<'a> {
    content: MessageContent<'a>,
    role: &'static str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum MessageContent<'a> {
    Text(&'a str),
    Parts(Vec<UserPart<'a>>),
}

#[derive(Serialize)]
struct UserPart<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<ImageUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct ImageUrl {
    url: String,
}

#[derive(Serialize)]
struct FormatBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    json_schema: Option<SchemaSpec<'a>>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct SchemaSpec<'a> {
    name: &'a str,
    schema: &'a Value,
    strict: bool,
}

impl ResponseFormat {
    fn body<'a>(self, name: &'a str, schema: &'a Value) -> Option<FormatBody<'a>> {
        match self {
            ResponseFormat::JsonSchema => Some(FormatBody {
                json_schema: Some(SchemaSpec {
                    name,
                    schema,
                    strict: true,
                }),
                kind: "json_schema",
            }),
            ResponseFormat::JsonObject => Some(FormatBody {
                json_schema: None,
                kind: "json_object",
            }),
            ResponseFormat::Omitted => None,
        }
    }
}

/// The request body's bytes. The user content is a plain string without images (some
/// servers dislike part arrays) and text + `image_url` data-URL parts with them.
pub(super) fn request_body(p: &RequestParts<'_>) -> Result<Vec<u8>, ProviderError> {
    let content = if p.images.is_empty() {
        MessageContent::Text(p.user_text)
    } else {
        let mut parts = vec![UserPart {
            image_url: None,
            text: Some(p.user_text),
            kind: "text",
        }];
        parts.extend(p.images.iter().map(|(mime, b64)| UserPart {
            image_url: Some(ImageUrl {
                url: format!("data:{mime};base64,{b64}"),
            }),
            text: None,
            kind: "image_url",
        }));
        MessageContent::Parts(parts)
    };
    let max = p.max_output_tokens;
    let body = ChatRequest {
        max_completion_tokens: max
            .filter(|_| p.max_tokens_field == MaxTokensField::MaxCompletionTokens),
        max_tokens: max.filter(|_| p.max_tokens_field == MaxTokensField::MaxTokens),
        messages: [
            ChatMessage {
                content: MessageContent::Text(p.system),
                role: "system",
            },
            ChatMessage {
                content,
                role: "user",
            },
        ],
        model: p.model,
        response_format: p.format.body(p.schema_name, p.schema),
        // Always sent: Ollama samples at 1.0 when it is omitted.
        temperature: p.temperature,
    };
    serde_json::to_vec(&body)
        .map_err(|e| ProviderError::Call(format!("cannot encode the request: {e}")))
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
