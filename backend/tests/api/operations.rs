//! Readiness and Prometheus metrics, as an orchestrator and a scraper see them.

use crate::helpers::{spawn_app, KEY};

/// The value of the sample `name{labels}` in a text exposition, when present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .split(' ')
            .next()?
            .parse()
            .ok()
    })
}

#[tokio::test]
async fn ready_answers_when_the_database_does() {
    let app = spawn_app().await;
    let response = app.get_raw("/ready").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    // No key needed, as for /health: an orchestrator probes it.
    let plain = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
    assert_eq!(plain.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_key_and_count_runs_trials_and_calls() {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
    assert_eq!(response.status(), 401);
    let (status, _) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name":"vote-extraction-bangbamru-1-10","sample_size":3,
                "model_configs":[{"model":"rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 200);
    // Prometheus's `authorization` setting sends the key as a bearer token.
    let response = reqwest::Client::new()
        .get(format!("{}/metrics", app.base))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert_eq!(
        sample(&text, r#"tallylab_runs{status="completed"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"tallylab_runs{status="running"}"#),
        Some(0.0),
        "{text}"
    );
    // Counters are process-wide (other tests in this process add to them): at least ours.
    assert!(
        sample(&text, r#"tallylab_trials_total{status="ok"}"#).unwrap_or(0.0) >= 3.0,
        "{text}"
    );
    assert!(
        sample(
            &text,
            r#"tallylab_provider_calls_total{provider="builtin",model="rules-v1",outcome="ok"}"#
        )
        .unwrap_or(0.0)
            >= 3.0,
        "{text}"
    );
    for family in [
        "tallylab_provider_call_seconds",
        "tallylab_provider_retries",
        "tallylab_cache_hits",
        "tallylab_store_errors",
        "tallylab_provider_rate_limited",
        "tallylab_datadog_export_backlog",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "{family}: {text}"
        );
    }
    let wrong = reqwest::Client::new()
        .get(format!("{}/metrics", app.base))
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}
