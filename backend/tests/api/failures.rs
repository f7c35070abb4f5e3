//! Failures that surface: a run that cannot go on ends `failed` with its error, in the
//! status, the event stream and the history, and leaves no live progress behind.

use std::time::Duration;

use crate::helpers::spawn_app;

const BODY: &str = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
    "model_configs": [{"model": "rules-v1", "name_suffix": "a"}, {"model": "rules-v1", "name_suffix": "b", "temperature": 0.5}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_run_whose_storage_fails_ends_failed_with_its_error() {
    let app = spawn_app().await;
    app.break_trial_storage().await;
    let (status, v) = app.post("/api/v1/experiments/run-async", BODY).await;
    assert_eq!(status, 202, "{v}");
    let task = v["task_id"].as_str().unwrap().to_string();

    let t = app.wait_task(&task).await;
    assert_eq!(t["status"], "failed", "{t}");
    let error = t["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(testkit::STORAGE_FAILURE),
        "the error says why: {t}"
    );
    assert!(t["finished_at"].is_string(), "{t}");
    for e in t["experiments"].as_array().unwrap() {
        assert_eq!(e["status"], "failed", "{e}");
    }

    // No live progress is left behind: the run is not running, so it cannot be cancelled.
    let (status, body) = app
        .post(&format!("/api/v1/experiments/tasks/{task}/cancel"), "")
        .await;
    assert_eq!(status, 409, "{body}");

    // The event stream ends at once with the failure.
    let body = app.events(&task, Duration::from_secs(10)).await;
    let done: serde_json::Value =
        serde_json::from_str(body.rsplit("data: ").next().unwrap().trim()).unwrap();
    assert!(body.starts_with("event: done"), "{body}");
    assert_eq!(done["status"], "failed");
    assert_eq!(done["error"], t["error"]);

    // The history says the same once the failure is stored (the live progress says it
    // first, while the store is written).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, list) = app.get("/api/v1/experiments").await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        if items.iter().all(|e| e["status"] == "failed") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_run_whose_storage_fails_answers_an_error_and_is_stored_failed() {
    let app = spawn_app().await;
    app.break_trial_storage().await;
    let (status, body) = app.post("/api/v1/experiments/run", BODY).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["kind"], "internal");
    assert!(
        !body["message"]
            .as_str()
            .unwrap()
            .contains("experiment_records"),
        "database internals stay in the log: {body}"
    );
    let (_, list) = app.get("/api/v1/experiments").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["status"] == "failed"), "{list}");
    let run = items[0]["run_id"].as_str().unwrap();
    let (_, t) = app.get(&format!("/api/v1/experiments/tasks/{run}")).await;
    assert_eq!(t["status"], "failed", "{t}");
}
