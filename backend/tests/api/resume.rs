//! Crash and restart: the real binary is killed mid-task (SIGKILL) and started again on the
//! same database; the task resumes and completes with exactly the right record count.

use std::time::Duration;

use crate::process::{free_port, get, start, start_with, upload_and_run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_resumes_unfinished_task_without_losing_or_repeating_records() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port).await;
    let config = tallylab::dataset::generate::GeneratorConfig {
        seed: 5,
        records: 3000,
        ..Default::default()
    };
    let records: Vec<_> = tallylab::dataset::generate::generate(&config).collect();
    let task = upload_and_run(
        port,
        "big",
        &records,
        r#"{"dataset_name": "big", "model_configs": [{"model": "rules-v1"}], "jobs": 1}"#,
    )
    .await;
    let mut before = 0;
    for _ in 0..2000 {
        let t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
        before = t["done"].as_u64().unwrap();
        if before >= 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        (100..3000).contains(&before),
        "task progressed to {before} before the kill"
    );
    server.kill().unwrap(); // SIGKILL: no graceful shutdown
    server.wait().unwrap();

    let port = free_port();
    let mut server = start(dir.path(), port).await;
    let first = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
    assert!(
        first["done"].as_u64().unwrap() >= before,
        "committed records were lost: {} < {before}",
        first["done"]
    );
    let mut t = first;
    for _ in 0..1200 {
        if t["status"] != "running" && t["status"] != "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
    }
    assert_eq!(t["status"], "completed", "{t}");
    assert_eq!(t["done"], 3000);
    let exp = &t["result"]["experiments"][0];
    assert_eq!(exp["total_records"], 3000);
    let id = exp["experiment_id"].as_str().unwrap();
    let page = get(port, &format!("/api/v1/experiments/{id}/records?limit=1")).await;
    assert_eq!(page["total"], 3000, "exactly one stored result per record");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Five SIGKILLs at different points of one run, each followed by a restart on the same
/// database: every record is stored exactly once, and a record is asked of the model again
/// only if its call was in flight or its finished trial was waiting for the batched commit
/// (at most 25 ms of trials) when the server died.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_kills_lose_nothing_and_repeat_only_calls_in_flight() {
    const RECORDS: usize = 300;
    const JOBS: usize = 4;
    const KILLS: usize = 5;
    let records: Vec<shared::DatasetRecord> =
        tallylab::dataset::generate::generate(&tallylab::dataset::generate::GeneratorConfig {
            seed: 17,
            records: RECORDS,
            ..Default::default()
        })
        .collect();
    let model = testkit::ModelServer::start_with_delay(
        records.clone(),
        &[testkit::OracleModel::perfect("oracle")],
        Duration::from_millis(25),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let models_file = model.write_models_file(dir.path());
    let env = [("MODELS_FILE", models_file.to_str().unwrap())];
    let mut port = free_port();
    let mut server = start_with(dir.path(), port, &env).await;
    let body = format!(
        r#"{{"dataset_name": "kills", "model_configs": [{{"model": "oracle"}}], "jobs": {JOBS}}}"#
    );
    let task = upload_and_run(port, "kills", &records, &body).await;
    let mut done_at_kill = Vec::new();
    for kill in 1..=KILLS {
        // Kill once the run has passed kill/6 of its records.
        let target = (RECORDS * kill / (KILLS + 1)) as u64;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let done = loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no progress to {target}"
            );
            let t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
            let done = t["done"].as_u64().unwrap();
            if done >= target {
                break done;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        server.kill().unwrap();
        server.wait().unwrap();
        done_at_kill.push(done);
        port = free_port();
        server = start_with(dir.path(), port, &env).await;
        let t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
        assert!(
            t["done"].as_u64().unwrap() >= done,
            "kill {kill}: committed trials were lost ({} < {done})",
            t["done"]
        );
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let t = loop {
        let t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
        if t["status"] != "running" && t["status"] != "queued" {
            break t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the run did not finish: {t}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(t["status"], "completed", "{t}");
    let id = t["result"]["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = get(
            port,
            &format!("/api/v1/experiments/{id}/records?limit=500&offset={offset}"),
        )
        .await;
        let items = page["items"].as_array().unwrap();
        for r in items {
            assert!(
                ids.insert(r["record_id"].as_str().unwrap().to_string()),
                "stored twice: {r}"
            );
            assert_eq!(r["status"], "ok", "{r}");
        }
        offset += items.len();
        if items.is_empty() || offset >= RECORDS {
            break;
        }
    }
    assert_eq!(ids.len(), RECORDS, "every record stored exactly once");
    let calls = model.calls_per_record(&records).await;
    assert_eq!(calls.len(), RECORDS, "every record was asked of the model");
    let repeated: usize = calls.iter().map(|(_, n)| n - 1).sum();
    // A kill repeats the calls in flight (JOBS) and the finished trials still waiting for
    // their batched commit (at most 25 ms of them: with 25 ms calls, another JOBS).
    assert!(
        repeated <= KILLS * 2 * JOBS,
        "{repeated} repeated calls for {KILLS} kills of {JOBS} jobs (kills at {done_at_kill:?})"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
