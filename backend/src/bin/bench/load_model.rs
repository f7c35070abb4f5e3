//! A load-generator model server on loopback, speaking the OpenAI chat-completions and the
//! Gemini generateContent wire formats: it answers each record's expected reports after a
//! configurable latency, with a configurable share of 500s and 429s. Used by the scale
//! benchmark in place of a real model.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};
use shared::DatasetRecord;

/// How the model behaves.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// Time to answer one call.
    pub latency: Duration,
    /// Extra latency drawn uniformly in 0..jitter per call.
    pub jitter: Duration,
    /// Share of calls answered 500.
    pub error_rate: f64,
    /// Share of calls answered 429 with `retry-after: 0`.
    pub rate_limited: f64,
}

struct Shared {
    /// Record text → its expected reports as the model's JSON answer.
    answers: HashMap<String, String>,
    behaviour: Behaviour,
    calls: AtomicU64,
}

/// The variable the server reads the (any) key of the load model's Gemini models from.
pub const GEMINI_KEY_ENV: &str = "BENCH_LOAD_MODEL_KEY";

/// The marker after which the prompt carries the record's OCR text (`providers::prompt`).
const TEXT_MARKER: &str = "OCR text of the pages:\n";

/// A running load model; stops when dropped.
pub struct LoadModel {
    pub base_url: String,
    handle: actix_web::dev::ServerHandle,
    shared: Arc<Shared>,
}

impl LoadModel {
    /// Starts the server for `records` on a free loopback port.
    pub fn start(records: &[DatasetRecord], behaviour: Behaviour) -> anyhow::Result<Self> {
        let answers = records
            .iter()
            .filter_map(|r| {
                let text = r.input.text.clone()?;
                let reports = serde_json::to_value(&r.expected_output).ok()?;
                Some((text, json!({ "reports": reports }).to_string()))
            })
            .collect();
        let shared = Arc::new(Shared {
            answers,
            behaviour,
            calls: AtomicU64::new(0),
        });
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::JsonConfig::default().limit(64 << 20))
                .route("/v1/chat/completions", web::post().to(complete))
                .route("/v1beta/models/{call}", web::post().to(generate_content))
        })
        .workers(1)
        .backlog(4096)
        .max_connections(100_000)
        .bind(("127.0.0.1", 0))?;
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(LoadModel {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            handle,
            shared,
        })
    }

    /// Calls answered so far.
    pub fn calls(&self) -> u64 {
        self.shared.calls.load(Ordering::Relaxed)
    }

    /// A `MODELS_FILE` registering `openai` and `gemini` model names, all served here
    /// (free); the Gemini models take their key from [`GEMINI_KEY_ENV`].
    pub fn models_file(&self, openai: &[&str], gemini: &[&str]) -> String {
        let root = self.base_url.trim_end_matches("/v1");
        let models: Vec<Value> = openai
            .iter()
            .map(|n| json!({"name": n, "provider": "openai", "base_url": self.base_url}))
            .chain(gemini.iter().map(|n| {
                json!({"name": n, "provider": "gemini", "base_url": root, "api_key_env": GEMINI_KEY_ENV})
            }))
            .collect();
        json!({ "models": models }).to_string()
    }

    /// Stops the server.
    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A number in 0..1 from a call counter (splitmix64): repeatable, evenly spread.
fn unit(n: u64) -> f64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}

/// What one call gets: a fault (429 or 500) after the latency, or the answer for the record
/// whose text follows [`TEXT_MARKER`] in one of `texts`.
enum Reply<'a> {
    RateLimited,
    Failed,
    Unknown,
    Answer(u64, &'a str),
}

async fn reply<'a, 'b>(shared: &'a Shared, mut texts: impl Iterator<Item = &'b str>) -> Reply<'a> {
    let n = shared.calls.fetch_add(1, Ordering::Relaxed);
    let b = shared.behaviour;
    let delay = b.latency + b.jitter.mul_f64(unit(n.wrapping_mul(3)));
    tokio::time::sleep(delay).await;
    let roll = unit(n);
    if roll < b.rate_limited {
        return Reply::RateLimited;
    }
    if roll < b.rate_limited + b.error_rate {
        return Reply::Failed;
    }
    let text = texts
        .find_map(|c| c.split_once(TEXT_MARKER).map(|(_, t)| t))
        .unwrap_or_default();
    match shared.answers.get(text) {
        Some(content) => Reply::Answer(n, content),
        None => Reply::Unknown,
    }
}

fn fault(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    let mut r = HttpResponse::build(status);
    if status == actix_web::http::StatusCode::TOO_MANY_REQUESTS {
        r.insert_header(("retry-after", "0"));
    }
    r.json(json!({"error": {"code": status.as_u16(), "message": message, "status": "LOAD_MODEL"}}))
}

fn reply_fault(reply: &Reply<'_>) -> Option<HttpResponse> {
    use actix_web::http::StatusCode;
    match reply {
        Reply::RateLimited => Some(fault(
            StatusCode::TOO_MANY_REQUESTS,
            "rate limited (load model)",
        )),
        Reply::Failed => Some(fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server error (load model)",
        )),
        Reply::Unknown => Some(fault(StatusCode::BAD_REQUEST, "unknown record")),
        Reply::Answer(..) => None,
    }
}

async fn complete(shared: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    let texts = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_str());
    let reply = reply(&shared, texts).await;
    if let Some(fault) = reply_fault(&reply) {
        return fault;
    }
    let Reply::Answer(n, content) = reply else {
        unreachable!("faults answered above")
    };
    HttpResponse::Ok().json(json!({
        "id": format!("chatcmpl-load-{n}"),
        "object": "chat.completion",
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300}
    }))
}

async fn generate_content(
    shared: web::Data<Shared>,
    call: web::Path<String>,
    body: web::Json<Value>,
) -> HttpResponse {
    if !call.ends_with(":generateContent") {
        return HttpResponse::NotFound().finish();
    }
    let texts = body["contents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["parts"].as_array().into_iter().flatten())
        .filter_map(|p| p["text"].as_str());
    let reply = reply(&shared, texts).await;
    if let Some(fault) = reply_fault(&reply) {
        return fault;
    }
    let Reply::Answer(_, content) = reply else {
        unreachable!("faults answered above")
    };
    HttpResponse::Ok().json(json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": content}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 300, "totalTokenCount": 1300},
        "modelVersion": "load-model"
    }))
}
