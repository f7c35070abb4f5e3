//! Several server processes on one database share the async runs: a run's lease moves to
//! another replica when the one running it dies, and the run ends with each trial stored
//! exactly once; status, events and cancel work from any replica.

use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::{ModelServer, OracleModel};

use crate::helpers::KEY;
use crate::process::{free_port, get, start_with};

const SLOW: OracleModel = OracleModel::perfect("oracle-slow");
/// A short lease, so a takeover happens within the test's patience.
const LEASE_SECONDS: &str = "2";

struct Replicas {
    models: ModelServer,
    _dirs: Vec<tempfile::TempDir>,
    children: Vec<std::process::Child>,
    ports: Vec<u16>,
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Two replicas on one database (SQLite, or PostgreSQL in the PostgreSQL pass of the
/// tests), each with its own data directory, and a model server answering every call after
/// `delay`.
async fn two_replicas(delay: Duration) -> Replicas {
    let records = tallylab::dataset::builtin_dataset();
    let models = ModelServer::start_with_delay(records, &[SLOW], delay).await;
    let shared = tempfile::tempdir().unwrap();
    let models_file = models.write_models_file(shared.path());
    let database = match testkit::postgres::server() {
        Some(server) => testkit::postgres::fresh_database(&server).await,
        None => format!("sqlite://{}", shared.path().join("shared.db").display()),
    };
    let mut dirs = vec![shared];
    let (mut children, mut ports) = (Vec::new(), Vec::new());
    for name in ["replica-a", "replica-b"] {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let env = [
            ("DATABASE_URL", database.as_str()),
            ("MODELS_FILE", models_file.to_str().unwrap()),
            ("RUN_LEASE_SECONDS", LEASE_SECONDS),
            ("REPLICA_ID", name),
        ];
        children.push(start_with(dir.path(), port, &env).await);
        ports.push(port);
        dirs.push(dir);
    }
    Replicas {
        models,
        _dirs: dirs,
        children,
        ports,
    }
}

async fn submit(port: u16, body: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/experiments/run-async"
        ))
        .header("X-API-Key", KEY)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["task_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string()
}

/// Polls `port`'s view of the task until `done` says so (or a minute passes).
async fn wait_for(port: u16, task: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
        if done(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const RUN: &str = r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 1,
    "repetitions": 4, "model_configs": [{"model": "oracle-slow"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_replicas_run_is_finished_by_another_with_every_trial_once() {
    let mut replicas = two_replicas(Duration::from_millis(60)).await;
    let (a, b) = (replicas.ports[0], replicas.ports[1]);
    let task = submit(a, RUN).await;
    // B answers the run's status and events while A runs it.
    let midway = wait_for(b, &task, |s| s["done"].as_u64().unwrap_or(0) >= 6).await;
    assert_eq!(midway["status"], "running", "{midway}");
    let events = reqwest::Client::new()
        .get(format!(
            "http://127.0.0.1:{b}/api/v1/experiments/tasks/{task}/events"
        ))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    let first_chunk = events.bytes_stream();
    let mut first_chunk = Box::pin(first_chunk);
    let chunk = tokio::time::timeout(
        Duration::from_secs(10),
        futures::StreamExt::next(&mut first_chunk),
    )
    .await
    .expect("an event from the replica not running the run")
    .unwrap()
    .unwrap();
    assert!(
        String::from_utf8_lossy(&chunk).starts_with("event: progress"),
        "{chunk:?}"
    );
    drop(first_chunk);

    // A dies mid-run (SIGKILL: no clean-up, its lease simply stops being renewed).
    replicas.children[0].kill().unwrap();
    replicas.children[0].wait().unwrap();
    let killed = Instant::now();
    let before = get(b, &format!("/api/v1/experiments/tasks/{task}")).await["done"]
        .as_u64()
        .unwrap();
    let resumed = wait_for(b, &task, |s| s["done"].as_u64().unwrap_or(0) > before).await;
    let takeover = killed.elapsed();
    let end = wait_for(b, &task, |s| s["status"] == "completed").await;
    eprintln!(
        "{}: takeover after {:.2} s (lease {LEASE_SECONDS} s); finished {:.2} s after the kill; {} trials before it, {} at takeover",
        if testkit::postgres::server().is_some() { "PostgreSQL" } else { "SQLite" },
        takeover.as_secs_f64(),
        killed.elapsed().as_secs_f64(),
        before,
        resumed["done"]
    );
    assert!(takeover < Duration::from_secs(15), "{takeover:?}");
    let experiment = &end["result"]["experiments"][0];
    assert_eq!(experiment["status"], "success", "{end}");
    assert_eq!(experiment["total_records"], 40, "{end}");
    assert_eq!(end["result"]["records_run"], 10);
    // Only the call in flight when A died is made again (one job: at most one).
    let calls = replicas.models.calls().await;
    assert!(
        (40..=41).contains(&calls),
        "{calls} model calls for 40 trials"
    );
    // Every record × repetition stored once: 40 trials, each key once.
    let id = experiment["experiment_id"].as_str().unwrap();
    let page = get(b, &format!("/api/v1/experiments/{id}/records?limit=500")).await;
    assert_eq!(page["total"], 40, "{page}");
    let mut keys: Vec<(u64, u64)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["record_index"].as_u64().unwrap(),
                r["repetition"].as_u64().unwrap(),
            )
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 40, "each trial once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_asked_of_another_replica_reaches_the_one_running_the_run() {
    let replicas = two_replicas(Duration::from_millis(60)).await;
    let (a, b) = (replicas.ports[0], replicas.ports[1]);
    let task = submit(a, RUN).await;
    wait_for(b, &task, |s| s["done"].as_u64().unwrap_or(0) >= 2).await;
    let response = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{b}/api/v1/experiments/tasks/{task}/cancel"
        ))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let end = wait_for(a, &task, |s| s["status"] == "cancelled").await;
    assert!(
        end["done"].as_u64().unwrap() < 40,
        "stopped before the end: {end}"
    );
}
