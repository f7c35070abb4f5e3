//! A load-generator model server: OpenAI-compatible chat completions on loopback that
//! answer each record's expected reports after a configurable latency, with a configurable
//! share of 500s and 429s. Used by the scale benchmark in place of a real model.

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

    /// A `MODELS_FILE` registering `names`, all served here (OpenAI wire format, free).
    pub fn models_file(&self, names: &[&str]) -> String {
        let models: Vec<Value> = names
            .iter()
            .map(|n| json!({"name": n, "provider": "openai", "base_url": self.base_url}))
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

async fn complete(shared: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    let n = shared.calls.fetch_add(1, Ordering::Relaxed);
    let b = shared.behaviour;
    let delay = b.latency + b.jitter.mul_f64(unit(n.wrapping_mul(3)));
    tokio::time::sleep(delay).await;
    let roll = unit(n);
    if roll < b.rate_limited {
        return HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "0"))
            .json(
                json!({"error": {"message": "rate limited (load model)", "type": "rate_limit"}}),
            );
    }
    if roll < b.rate_limited + b.error_rate {
        return HttpResponse::InternalServerError().json(
            json!({"error": {"message": "server error (load model)", "type": "server_error"}}),
        );
    }
    let text = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_str())
        .find_map(|c| c.split_once(TEXT_MARKER).map(|(_, t)| t))
        .unwrap_or_default();
    let Some(content) = shared.answers.get(text) else {
        return HttpResponse::BadRequest().json(
            json!({"error": {"message": "unknown record", "type": "invalid_request_error"}}),
        );
    };
    HttpResponse::Ok().json(json!({
        "id": format!("chatcmpl-load-{n}"),
        "object": "chat.completion",
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300}
    }))
}
