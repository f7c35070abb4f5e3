//! The original specification's request bodies, with `rules-v1` for the model, give the original's
//! response shape with real figures.

use crate::helpers::{assert_contract_shape, spawn_app};

const FULL: &str = r#"{
  "ml_app": "vote-extractor", "site": "datadoghq.com", "agentless_enabled": true,
  "project_name": "vote-extraction-project", "dataset_name": "vote-extraction-bangbamru-1-10",
  "dataset_version": null,
  "model_configs": [
    {"model": "rules-v1", "temperature": 0.0, "name_suffix": "baseline", "metadata": {"purpose": "baseline test"}},
    {"model": "rules-v1", "temperature": 0.0, "name_suffix": "lite", "metadata": {"purpose": "cost optimization"}}
  ],
  "sample_size": 10, "jobs": 2, "raise_errors": true
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_request_body_example() {
    let app = spawn_app().await;
    let (status, v) = app.post("/api/v1/experiments/run", FULL).await;
    assert_eq!(status, 200, "{v}");
    assert_contract_shape(&v, 2, 10, 10);
    assert_eq!(v["status"], "success");
    assert_eq!(v["message"], "Successfully ran 2 experiments");
    assert_eq!(
        v["experiments"][0]["experiment_name"],
        "vote-extraction-baseline"
    );
    assert_eq!(
        v["experiments"][1]["experiment_name"],
        "vote-extraction-lite"
    );
    assert_eq!(v["project_name"], "vote-extraction-project");
    let url = v["comparison_url"].as_str().unwrap();
    assert!(
        url.starts_with(&app.base) && url.contains("/compare?ids="),
        "{url}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_example_minimal_sync() {
    let app = spawn_app().await;
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
        "model_configs": [{"model": "rules-v1", "temperature": 0.0, "name_suffix": "baseline"}],
        "sample_size": 10, "jobs": 2}"#;
    let (status, v) = app.post("/api/v1/experiments/run", body).await;
    assert_eq!(status, 200, "{v}");
    assert_contract_shape(&v, 1, 10, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_ci_baseline_temperature_and_local_examples() {
    let app = spawn_app().await;
    let cases = [
        (
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [
            {"model": "rules-v1", "temperature": 0.0, "name_suffix": "ci-lite"},
            {"model": "rules-v1", "temperature": 0.0, "name_suffix": "ci-flash"}], "sample_size": 4, "jobs": 2}"#,
            2,
            4,
        ),
        (
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [
            {"model": "rules-v1", "temperature": 0.0, "name_suffix": "baseline"},
            {"model": "rules-v1", "temperature": 0.0, "name_suffix": "lite"}], "sample_size": 10, "jobs": 2}"#,
            2,
            10,
        ),
        (
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [
            {"model": "rules-v1", "temperature": 0.0, "name_suffix": "t0.0"},
            {"model": "rules-v1", "temperature": 0.1, "name_suffix": "t0.1"},
            {"model": "rules-v1", "temperature": 0.2, "name_suffix": "t0.2"}], "jobs": 2}"#,
            3,
            10,
        ),
        (
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [
            {"model": "rules-v1", "temperature": 0.0}], "sample_size": 2, "jobs": 1}"#,
            1,
            2,
        ),
    ];
    for (body, n, size) in cases {
        // The original's curl examples send no Content-Type header.
        let (status, v) = app.post("/api/v1/experiments/run", body).await;
        assert_eq!(status, 200, "{v}");
        // dataset_size is the version's 10 records whatever the sample.
        assert_contract_shape(&v, n, 10, size);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_example_gets_a_real_task_id() {
    let app = spawn_app().await;
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
        "model_configs": [{"model": "rules-v1", "temperature": 0.0}], "sample_size": 100, "jobs": 4}"#;
    let (status, v) = app.post("/api/v1/experiments/run-async", body).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["status"], "accepted");
    let task = v["task_id"].as_str().unwrap();
    assert_ne!(task, "not-implemented");
    let t = app.wait_task(task).await;
    assert_eq!(t["status"], "completed", "{t}");
    assert_contract_shape(&t["result"], 1, 10, 10);
}

/// The experiments health body, fetched without a key.
async fn health(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/api/v1/experiments/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints_tell_the_truth() {
    let app = spawn_app().await;
    let v = health(&app.base).await;
    assert_eq!(v["status"], "healthy");
    assert_eq!(v["service"], "experiments");
    assert_eq!(v["api_key_configured"], true);
    assert_eq!(v["datadog_configured"], false);
    // Every LLM Observability call needs both keys: an API key alone is not configured.
    let app = crate::helpers::spawn_with(&[("DD_API_KEY", "x")]).await;
    let v = health(&app.base).await;
    assert_eq!(v["datadog_configured"], false);
    let app = crate::helpers::spawn_with(&[("DD_API_KEY", "x"), ("DD_APP_KEY", "y")]).await;
    let v = health(&app.base).await;
    assert_eq!(v["datadog_configured"], true);
    let r = reqwest::get(format!("{}/health", app.base)).await.unwrap();
    assert_eq!(r.status(), 200);
}
