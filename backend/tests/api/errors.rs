//! Every error a client can cause is a clear JSON error, never a 500.

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_with, KEY};

const GOOD: &str = r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [{"model": "rules-v1"}], "sample_size": 1}"#;

fn assert_error(v: &Value, kind: &str) {
    assert_eq!(v["kind"], kind, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    // The original's scripts read `detail`.
    assert_eq!(v["detail"], v["message"], "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_missing_and_invalid_keys() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/experiments/run", app.base);
    let r = app.client.post(&url).body(GOOD).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_error(&v, "unauthorized");
    assert_eq!(v["message"], "missing X-API-Key header");
    let r = app
        .client
        .post(&url)
        .header("X-API-Key", "wrong")
        .body(GOOD)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "invalid API key"
    );
    for path in [
        "/api/v1/experiments",
        "/api/v1/datasets",
        "/api/v1/models",
        "/api/v1/presets",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = app
        .client
        .post(&url)
        .header("X-API-Key", KEY)
        .body(GOOD)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_model_lists_the_available_ones() {
    let app = spawn_app().await;
    let (status, v) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [{"model": "rules-v1"}, {"model": "gpt-9", "name_suffix": "x"}]}"#).await;
    assert_eq!(status, 422);
    assert_error(&v, "validation");
    assert_eq!(v["field"], "model_configs[1].model");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("available models: rules-v1"),
        "{v}"
    );
    let (status, v) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [{"model": "gemini-2.5-flash"}]}"#).await;
    assert_eq!(status, 422);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("GEMINI_API_KEY not set"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_dataset_or_version_is_404_with_names() {
    let app = spawn_app().await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "nope", "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 404);
    assert_error(&v, "not_found");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.starts_with("Failed to load dataset \"nope\"")
            && m.contains("vote-extraction-bangbamru-1-10"),
        "{m}"
    );
    let (status, v) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "dataset_version": 7, "model_configs": [{"model": "rules-v1"}]}"#).await;
    assert_eq!(status, 404);
    assert!(v["message"].as_str().unwrap().contains("version 7"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_reports_the_position() {
    let app = spawn_app().await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            "{\n  \"dataset_name\": \"x\",\n  \"jobs\": 2,,\n}",
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&v, "bad_json");
    assert!(
        v["message"].as_str().unwrap().contains("line 3, column"),
        "{v}"
    );
    let (status, v) = app.post("/api/v1/experiments/run", "").await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "d", "jobs": "two", "model_configs": []}"#,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["field"], "jobs", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_reports_every_field() {
    let app = spawn_app().await;
    let (status, v) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "", "model_configs": [{"model": "rules-v1", "temperature": 2.5}], "jobs": 65, "sample_size": 0}"#).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "dataset_name",
            "model_configs[0].temperature",
            "sample_size",
            "jobs"
        ]
    );
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "d", "model_configs": []}"#,
        )
        .await;
    assert_eq!((status, v["field"].as_str()), (422, Some("model_configs")));
}

/// The site picks the host the Datadog keys go to: a request may only name Datadog's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_that_is_not_datadogs_is_refused_by_name() {
    let app = spawn_app().await;
    for site in [
        "127.0.0.1:8000",
        "datadoghq.com.evil.test",
        "metadata.google.internal",
    ] {
        let body = format!(
            r#"{{"dataset_name": "vote-extraction-bangbamru-1-10", "site": "{site}",
                "model_configs": [{{"model": "rules-v1", "temperature": 0}}]}}"#
        );
        let (status, v) = app.post("/api/v1/experiments/run", &body).await;
        assert_eq!((status, v["field"].as_str()), (422, Some("site")), "{v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap_or_default()
                .contains("ap1.datadoghq.com"),
            "{v}"
        );
    }
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "site": "EU1", "sample_size": 1,
                "model_configs": [{"model": "rules-v1", "temperature": 0}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_too_large_is_413() {
    let app = spawn_with(&[("MAX_BODY_BYTES", "2048")]).await;
    let big = format!(
        r#"{{"dataset_name": "{}", "model_configs": []}}"#,
        "x".repeat(5000)
    );
    let (status, v) = app.post("/api/v1/experiments/run", &big).await;
    assert_eq!(status, 413, "{v}");
    assert_error(&v, "payload_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_task_experiment_and_path_are_404() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/experiments/tasks/task_nope",
        "/api/v1/experiments/exp_nope",
        "/api/v1/nothing-here",
        "/api/v1/datasets/nope",
    ] {
        let (status, v) = app.get(path).await;
        assert_eq!(status, 404, "{path}: {v}");
        assert_error(&v, "not_found");
    }
    let (status, _) = app
        .post("/api/v1/experiments/tasks/task_nope/cancel", "")
        .await;
    assert_eq!(status, 404);
    let (status, v) = app.get("/api/v1/experiments?limit=0").await;
    assert_eq!((status, v["field"].as_str()), (422, Some("limit")));
    let (status, v) = app.get("/api/v1/experiments?offset=-3").await;
    assert_eq!(status, 400, "{v}");
    assert_error(&v, "bad_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_produces_a_500() {
    let app = spawn_app().await;
    let bodies = [
        "null", "[]", "42", "\"x\"", "{\"model_configs\": null}", "{\"model_configs\": [null]}",
        "{\"model_configs\": [{\"temperature\": 1e400}]}", "{\"dataset_version\": 1.5}", "{\"jobs\": -1}",
        "{\"sample_size\": 99999999999}", "\u{0}\u{1}", "{\"metadata\": {}}", "{\"dataset_name\": \"\\ud800\"}",
        "{\"dataset_name\": \"vote-extraction-bangbamru-1-10\", \"model_configs\": [{\"model\": \"rules-v1\", \"metadata\": [1]}]}",
    ];
    for b in bodies {
        for path in [
            "/api/v1/experiments/run",
            "/api/v1/experiments/run-async",
            "/api/v1/datasets/x/versions",
            "/api/v1/datasets/vote-extraction-bangbamru-1-10/records/x/label",
        ] {
            let (status, v) = app.post(path, b).await;
            assert!(
                (400..500).contains(&status),
                "{path} {b:?} gave {status}: {v}"
            );
            assert!(v["kind"].is_string(), "{path} {b:?}: {v}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/api/v1/models", app.base))
        .header("X-API-Key", KEY)
        .header("X-Request-Id", "ci-run-42_a")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-request-id"],
        "ci-run-42_a",
        "a plain token is kept"
    );
    let r = app
        .client
        .get(format!("{}/api/v1/nope", app.base))
        .header("X-Request-Id", "bad id\twith tabs")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "anything else is replaced by a fresh id: {id}"
    );
}
