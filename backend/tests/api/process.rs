//! The real binary as a child process on a free port: for tests that kill it, restart it
//! or give it process limits.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::KEY;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn start(dir: &std::path::Path, port: u16) -> Child {
    start_with(dir, port, &[]).await
}

pub async fn start_with(dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Child {
    let child = command(dir, port, env).spawn().expect("spawn tallylab");
    wait_ready(child, port).await
}

/// The command that serves the real binary on `port` with `dir` as its data directory.
pub fn command(dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tallylab"));
    command
        .arg("serve")
        .envs(env.iter().copied())
        .env("API_KEY", KEY)
        .env("PORT", port.to_string())
        .env("DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Waits until the server answers /health (killing it and failing after ten seconds).
pub async fn wait_ready(mut child: Child, port: u16) -> Child {
    for _ in 0..200 {
        if reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

pub async fn get(port: u16, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Uploads `records` as dataset `name`, starts `run` (an async run request) and answers
/// its task id.
pub async fn upload_and_run(
    port: u16,
    name: &str,
    records: &[shared::DatasetRecord],
    run: &str,
) -> String {
    upload(port, name, records).await;
    let (status, accepted) = post(port, "/api/v1/experiments/run-async", run).await;
    assert_eq!(status, 202, "{accepted}");
    accepted["task_id"].as_str().unwrap().to_string()
}

/// Uploads `records` as a new version of dataset `name`.
pub async fn upload(port: u16, name: &str, records: &[shared::DatasetRecord]) {
    let body: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    let (status, created) = post(
        port,
        &format!("/api/v1/datasets/{name}/versions"),
        &body.join("\n"),
    )
    .await;
    assert_eq!(status, 201, "{created}");
}

/// POSTs `body` with the key; answers the status and the JSON body.
pub async fn post(port: u16, path: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .header("X-API-Key", KEY)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Polls a task until it leaves queued/running (at most two minutes).
pub async fn wait_terminal(port: u16, task: &str) -> Value {
    let mut t = Value::Null;
    for _ in 0..1200 {
        t = get(port, &format!("/api/v1/experiments/tasks/{task}")).await;
        if t["status"] != "running" && t["status"] != "queued" {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("task {task} did not end: {t}");
}
