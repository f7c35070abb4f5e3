//! A sync run with a Gemini model pointed by configuration at a local server that speaks
//! the generateContent wire format: the original's response with real tokens and cost, a
//! response cache that makes re-runs free, and one rate budget shared by concurrent runs.

use std::time::Instant;

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{assert_contract_shape, spawn_with};

fn generate_content_body() -> Value {
    let label = tallylab::dataset::builtin::builtin_dataset()[1]
        .expected_output
        .clone();
    let text = json!({ "reports": label }).to_string();
    json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"text": "**Reading the form**", "thought": true},
            {"text": text}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 300, "thoughtsTokenCount": 100, "totalTokenCount": 1600},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "test"
    })
}

async fn gemini_app(rpm: u32) -> (crate::helpers::TestApp, MockServer, tempfile::TempDir) {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.5-flash:generateContent"))
        .and(header("x-goog-api-key", "test-gemini-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(generate_content_body()))
        .mount(&mock)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models.json");
    std::fs::write(
        &models,
        json!({"models": [{"name": "gemini-2.5-flash", "requests_per_minute": rpm}]}).to_string(),
    )
    .unwrap();
    let app = spawn_with(&[
        ("GEMINI_API_KEY", "test-gemini-key"),
        ("GEMINI_BASE_URL", &mock.uri()),
        ("MODELS_FILE", models.to_str().unwrap()),
    ])
    .await;
    (app, mock, dir)
}

fn body(temperature: f64, suffix: &str) -> String {
    json!({"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 4,
        "model_configs": [{"model": "gemini-2.5-flash", "temperature": temperature, "name_suffix": suffix}]}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_run_reports_real_tokens_cost_and_caches() {
    let (app, mock, _dir) = gemini_app(6000).await;
    let (status, v) = app
        .post("/api/v1/experiments/run", &body(0.0, "flash"))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_contract_shape(&v, 1, 10, 10);
    let e = &v["experiments"][0];
    assert_eq!(e["successful_records"], 10, "{e}");
    let usage = &e["usage"];
    assert_eq!(usage["input_tokens"], 12000);
    assert_eq!(usage["output_tokens"], 3000);
    assert_eq!(usage["thinking_tokens"], 1000);
    let cost = (12000.0 * 0.30 + 4000.0 * 2.50) / 1e6;
    assert!(
        (usage["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-9,
        "{usage}"
    );
    assert_eq!(mock.received_requests().await.unwrap().len(), 10);

    // The same configuration again: answered from the cache, at no cost.
    let (_, again) = app
        .post("/api/v1/experiments/run", &body(0.0, "flash-again"))
        .await;
    let usage = &again["experiments"][0]["usage"];
    assert_eq!(usage["cached_records"], 10, "{usage}");
    assert_eq!(usage["cost_usd"], 0.0);
    assert_eq!(
        mock.received_requests().await.unwrap().len(),
        10,
        "no new calls"
    );
    // A request can bypass the cache.
    let mut bypass: Value = serde_json::from_str(&body(0.0, "bypass")).unwrap();
    bypass["use_cache"] = false.into();
    app.post("/api/v1/experiments/run", &bypass.to_string())
        .await;
    assert_eq!(mock.received_requests().await.unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_on_one_key_share_one_budget() {
    // 600 requests per minute: one request every 100 ms for everyone on this key.
    let (app, mock, _dir) = gemini_app(600).await;
    let (body_a, body_b) = (body(0.0, "a"), body(0.5, "b"));
    let start = Instant::now();
    let (a, b) = tokio::join!(
        app.post("/api/v1/experiments/run", &body_a),
        app.post("/api/v1/experiments/run", &body_b),
    );
    let elapsed = start.elapsed();
    assert_eq!((a.0, b.0), (200, 200));
    assert_eq!(mock.received_requests().await.unwrap().len(), 20);
    // 20 calls spaced 100 ms apart take at least 1.9 s; two separate budgets would take ~0.9 s.
    assert!(
        elapsed.as_secs_f64() >= 1.85,
        "20 calls took {elapsed:?}: the budget is not shared"
    );
}
