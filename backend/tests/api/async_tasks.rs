//! Async runs: progress, the event stream, results and cancel.

use std::time::Duration;

use crate::helpers::{assert_contract_shape, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_run_reports_progress_then_the_result() {
    let app = spawn_app().await;
    app.upload_generated("big", 1500, 11).await;
    let (status, v) = app.post("/api/v1/experiments/run-async",
        r#"{"dataset_name": "big", "model_configs": [{"model": "rules-v1", "name_suffix": "a"}, {"model": "rules-v1", "name_suffix": "b"}], "jobs": 2}"#).await;
    assert_eq!(status, 202, "{v}");
    let task = v["task_id"].as_str().unwrap().to_string();
    assert!(v["status_url"].as_str().unwrap().ends_with(&task));
    let mut seen_partial = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the run did not complete in 120 s"
        );
        let (_, t) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
        let (done, total) = (t["done"].as_u64().unwrap(), t["total"].as_u64().unwrap());
        assert_eq!(total, 3000, "{t}");
        assert_eq!(t["experiments"].as_array().unwrap().len(), 2);
        if done > 0 && done < total {
            seen_partial = true;
        }
        match t["status"].as_str() {
            Some("completed") => {
                assert_eq!(done, total);
                assert_contract_shape(&t["result"], 2, 1500, 1500);
                break;
            }
            Some("queued" | "running") => {}
            other => panic!("the run ended {other:?} instead of completed: {t}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen_partial, "progress never showed a partial count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stream_sends_progress_and_done() {
    let app = spawn_app().await;
    app.upload_generated("big", 800, 12).await;
    let (_, v) = app
        .post(
            "/api/v1/experiments/run-async",
            r#"{"dataset_name": "big", "model_configs": [{"model": "rules-v1"}], "jobs": 1, "repetitions": 4}"#,
        )
        .await;
    let task = v["task_id"].as_str().unwrap();
    let body = app.events(task, Duration::from_secs(60)).await;
    let progress = body.matches("event: progress").count();
    assert!(progress >= 2, "{progress} progress events");
    assert!(body.contains("event: done"), "{body}");
    let last = body.rsplit("data: ").next().unwrap().trim();
    let done: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["done"], 3200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_keeps_finished_records() {
    let app = spawn_app().await;
    app.upload_generated("big", 5000, 13).await;
    let (_, v) = app
        .post(
            "/api/v1/experiments/run-async",
            r#"{"dataset_name": "big", "model_configs": [{"model": "rules-v1"}], "jobs": 1}"#,
        )
        .await;
    let task = v["task_id"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no trial finished in 60 s"
        );
        let (_, t) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
        assert!(
            matches!(t["status"].as_str(), Some("queued" | "running")),
            "not ended before it is cancelled: {t}"
        );
        if t["done"].as_u64().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The running experiment is listed as active, with its run (the task) to follow.
    let (_, active) = app.get("/api/v1/experiments?active=true").await;
    assert_eq!(active["total"], 1, "{active}");
    assert_eq!(active["items"][0]["run_id"], task.as_str());
    let (status, t) = app
        .post(&format!("/api/v1/experiments/tasks/{task}/cancel"), "")
        .await;
    assert_eq!(status, 202, "{t}");
    let t = app.wait_task(&task).await;
    assert_eq!(t["status"], "cancelled", "{t}");
    let kept = t["done"].as_u64().unwrap();
    assert!(kept > 0 && kept < 5000, "{kept}");
    let result = &t["result"]["experiments"][0];
    assert_eq!(result["status"], "cancelled");
    assert_eq!(result["total_records"], kept);
    let exp = result["experiment_id"].as_str().unwrap();
    let (_, page) = app
        .get(&format!("/api/v1/experiments/{exp}/records?limit=1"))
        .await;
    assert_eq!(page["total"], kept);
    let (status, _) = app
        .post(&format!("/api/v1/experiments/tasks/{task}/cancel"), "")
        .await;
    assert_eq!(status, 409);
}
