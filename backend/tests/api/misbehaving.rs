//! A model server that misbehaves in every way it can — absurd retry headers, 5xx,
//! timeouts, truncated and malformed bodies, non-reports (one with a NUL), redirects, a key
//! echoed back —
//! and the run still accounts for every trial, each a success or a clear error, with no
//! key in anything stored.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::spawn_with;

/// A key-shaped string the server echoes (this model is sent no key: its base_url is its
/// own); it must be redacted all the same.
const KEY: &str = "sk-chaos-0123456789abcdef";

/// Record `i` of the bundled dataset gets behaviour `i`.
struct Chaos {
    records: Vec<shared::DatasetRecord>,
    elsewhere: String,
}

impl Respond for Chaos {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let Some(i) = self
            .records
            .iter()
            .position(|r| r.input.text.as_deref().is_some_and(|t| user.contains(t)))
        else {
            return ResponseTemplate::new(400);
        };
        let answer = |content: &str| {
            json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                   "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
        };
        match i {
            0 => {
                let label = json!({"reports": self.records[0].expected_output}).to_string();
                ResponseTemplate::new(200).set_body_json(answer(&label))
            }
            1 => ResponseTemplate::new(429).insert_header("retry-after", "1e20"),
            2 => ResponseTemplate::new(429).insert_header("retry-after-ms", "inf"),
            3 => ResponseTemplate::new(503).set_body_string("upstream down"),
            4 => ResponseTemplate::new(200).set_body_string(r#"{"choices": [{"message": {"cont"#),
            // Not a report, and a NUL in it (PostgreSQL refuses NULs in text: the trial
            // fails, not the run).
            5 => ResponseTemplate::new(200).set_body_json(answer("I cannot\u{0} read this form.")),
            6 => ResponseTemplate::new(307).insert_header("location", self.elsewhere.as_str()),
            7 => ResponseTemplate::new(401)
                .set_body_string(format!("invalid credentials {KEY} for this route")),
            8 => ResponseTemplate::new(200)
                .set_body_json(answer("{}"))
                .set_delay(Duration::from_secs(5)),
            _ => ResponseTemplate::new(200).set_body_json(json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"reports\": [{\"form"},
                             "finish_reason": "length"}],
                "usage": {"prompt_tokens": 1200, "completion_tokens": 64, "total_tokens": 1264}})),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_trial_ends_as_a_success_or_a_clear_error() {
    let records = tallylab::dataset::builtin_dataset();
    let elsewhere = testkit::must_not_be_called().await;
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Chaos {
            records: records.clone(),
            elsewhere: format!("{}/steal", elsewhere.uri()),
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models.json");
    std::fs::write(
        &models,
        json!({"models": [{"name": "chaos", "provider": "openai",
            "base_url": format!("{}/v1", server.uri()), "max_attempts": 1, "timeout_secs": 1}]})
        .to_string(),
    )
    .unwrap();
    let app = spawn_with(&[("MODELS_FILE", models.to_str().unwrap())]).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 5,
                "raise_errors": false, "model_configs": [{"model": "chaos"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let e = &v["experiments"][0];
    assert_eq!(
        e["status"], "success",
        "raise_errors is off: the run goes on: {e}"
    );
    let (ok, failed) = (
        e["successful_records"].as_u64().unwrap(),
        e["failed_records"].as_u64().unwrap(),
    );
    assert_eq!(ok + failed, 10, "every trial is accounted for: {e}");
    assert_eq!(ok, 1, "{e}");

    let id = e["experiment_id"].as_str().unwrap();
    let (_, page) = app
        .get(&format!("/api/v1/experiments/{id}/records?limit=10"))
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let by_index = |i: usize| -> &Value { &items[i] };
    let expect = [
        (0, "ok", ""),
        (1, "call_failed", "HTTP 429"),
        (2, "call_failed", "HTTP 429"),
        (3, "call_failed", "HTTP 503"),
        (4, "call_failed", "malformed"),
        (5, "invalid_output", "not a vote report"),
        (6, "call_failed", "307"),
        (7, "call_failed", "[redacted]"),
        (8, "call_failed", "timed out"),
    ];
    for (i, status, says) in expect {
        let r = by_index(i);
        assert_eq!(r["status"], status, "record {i}: {r}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(says),
            "record {i} says why ({says}): {error}"
        );
    }
    let everything = page.to_string();
    assert!(
        !everything.contains("0123456789abcdef"),
        "no key in what is stored"
    );
    let last = by_index(9);
    assert_ne!(last["status"], "ok", "{last}");
    assert!(
        last["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{last}"
    );
}
