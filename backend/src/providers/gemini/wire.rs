//! The generateContent wire format (proto-JSON, camelCase), shared by the Developer API and
//! Vertex AI: the request body we send and the response and error bodies we read. Every
//! response field is optional, as proto3 omits defaults.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::ModelConfig;

use crate::providers::images::ImageData;
use crate::providers::prompt::{response_schema, EXTRACTION_PROMPT};
use crate::providers::spec::ModelSpec;
use crate::providers::ProviderError;

/// Output cap when neither the model config nor the registry gives one.
pub(super) const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 16384;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    system_instruction: Content<'a>,
    contents: Vec<Content<'a>>,
    generation_config: GenerationConfig<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    parts: Vec<Part<'a>>,
}

/// One part: exactly one of `text`, `inlineData`, `fileData`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Part<'a> {
    Text(&'a str),
    InlineData(Blob<'a>),
    FileData(FileRef<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Blob<'a> {
    mime_type: &'a str,
    data: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileRef<'a> {
    mime_type: &'a str,
    file_uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig<'a> {
    temperature: f64,
    max_output_tokens: u32,
    response_mime_type: &'static str,
    response_json_schema: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking_config: Option<ThinkingConfig>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThinkingConfig {
    thinking_budget: i32,
}

/// The output cap of a call: the model config's, else the registry's, else 16384.
pub(super) fn max_output_tokens(config: &ModelConfig, spec: &ModelSpec) -> u32 {
    config
        .max_output_tokens
        .or(spec.max_output_tokens)
        .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS)
}

/// What one request asks.
pub(super) struct Prompt<'a> {
    pub system: &'a str,
    pub user_text: &'a str,
    pub images: &'a [ImageData],
    /// The answer's JSON Schema (`responseJsonSchema`).
    pub schema: &'a Value,
    pub temperature: f64,
    pub max_output_tokens: u32,
    pub thinking_budget: Option<i32>,
}

impl<'a> Prompt<'a> {
    /// The extraction prompt for a record's text and images.
    pub fn extraction(
        user_text: &'a str,
        images: &'a [ImageData],
        config: &ModelConfig,
        spec: &ModelSpec,
    ) -> Self {
        Prompt {
            system: EXTRACTION_PROMPT,
            user_text,
            images,
            schema: response_schema(),
            temperature: config.temperature,
            max_output_tokens: max_output_tokens(config, spec),
            thinking_budget: config.thinking_budget.or(spec.thinking_budget),
        }
    }
}

/// The request body, serialised once: these exact bytes are sent and hashed for the cache.
pub(super) fn request_body(p: &Prompt<'_>) -> Result<Vec<u8>, ProviderError> {
    let mut parts = vec![Part::Text(p.user_text)];
    for image in p.images {
        parts.push(match image {
            ImageData::Inline { mime_type, base64 } => Part::InlineData(Blob {
                mime_type,
                data: base64,
            }),
            ImageData::Uri { mime_type, uri } => Part::FileData(FileRef {
                mime_type,
                file_uri: uri,
            }),
        });
    }
    let request = Request {
        system_instruction: Content {
            role: None,
            parts: vec![Part::Text(p.system)],
        },
        // Vertex requires the role; the Developer API accepts it.
        contents: vec![Content {
            role: Some("user"),
            parts,
        }],
        generation_config: GenerationConfig {
            temperature: p.temperature,
            max_output_tokens: p.max_output_tokens,
            response_mime_type: "application/json",
            response_json_schema: p.schema,
            thinking_config: p
                .thinking_budget
                .map(|thinking_budget| ThinkingConfig { thinking_budget }),
        },
    };
    serde_json::to_vec(&request)
        .map_err(|e| ProviderError::Call(format!("cannot encode the request: {e}")))
}

/// A `GenerateContentResponse`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Response {
    pub candidates: Option<Vec<Candidate>>,
    pub prompt_feedback: Option<PromptFeedback>,
    pub usage_metadata: Option<Usage>,
    pub model_version: Option<String>,
}

/// One candidate answer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Candidate {
    pub content: Option<CandidateContent>,
    pub finish_reason: Option<String>,
    pub finish_message: Option<String>,
}

/// A candidate's content.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CandidateContent {
    pub parts: Option<Vec<ResponsePart>>,
}

/// One part of an answer; thought summaries carry `thought: true`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ResponsePart {
    pub text: Option<String>,
    pub thought: Option<bool>,
}

/// Why a prompt was blocked (then there are no candidates).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PromptFeedback {
    pub block_reason: Option<String>,
    pub block_reason_message: Option<String>,
}

/// Token counts. `candidatesTokenCount` excludes thoughts; both are billed as output.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Usage {
    pub prompt_token_count: Option<u64>,
    pub candidates_token_count: Option<u64>,
    pub thoughts_token_count: Option<u64>,
}

/// An error body: a `google.rpc.Status` under `error`.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorEnvelope {
    pub error: ApiError,
}

/// A `google.rpc.Status`; `details` are kept as raw JSON and read by `@type`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ApiError {
    pub message: Option<String>,
    pub status: Option<String>,
    pub details: Option<Vec<Value>>,
}

impl ApiError {
    /// Parses an error body; some front ends wrap it in a one-element array.
    pub fn parse(body: &str) -> Option<ApiError> {
        // Checked first: serde would also read a struct from an array, field by position.
        if body.trim_start().starts_with('[') {
            return serde_json::from_str::<Vec<ErrorEnvelope>>(body)
                .ok()?
                .into_iter()
                .next()
                .map(|e| e.error);
        }
        serde_json::from_str::<ErrorEnvelope>(body)
            .ok()
            .map(|e| e.error)
    }

    /// The details of one `@type`, e.g. "google.rpc.RetryInfo".
    pub fn details_of<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.details.iter().flatten().filter(move |d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with(type_name))
        })
    }
}
