//! A full disk and a locked database: the run ends `failed` saying why, the store stays
//! sound, and the server keeps serving.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::spawn_with;
use crate::process::{command, free_port, get, post, upload, wait_ready, wait_terminal};

fn generated(records: usize, seed: u64) -> Vec<shared::DatasetRecord> {
    let config = tallylab::dataset::generate::GeneratorConfig {
        seed,
        records,
        ..Default::default()
    };
    tallylab::dataset::generate::generate(&config).collect()
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Caps the size of every file the process `pid` writes, as a nearly full disk would
/// (util-linux `prlimit`, on every Debian and Ubuntu machine).
fn limit_file_size(pid: u32, bytes: u64) {
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={pid}"))
        .arg(format!("--fsize={bytes}:{bytes}"))
        .status()
        .expect("run prlimit");
    assert!(status.success(), "prlimit failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_ends_the_run_failed_and_the_store_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tallylab.db");
    let port = free_port();
    // A write past RLIMIT_FSIZE raises SIGXFSZ, which kills; ignored (the shell's trap is
    // inherited through exec), the write fails as it does on a full disk.
    let server_cmd = command(dir.path(), port, &[]);
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; exec \"$0\" \"$@\"")
        .arg(server_cmd.get_program())
        .args(server_cmd.get_args())
        .envs(server_cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("server.log")).expect("log"));
    let mut server = wait_ready(cmd.spawn().expect("spawn"), port).await;
    upload(port, "big", &generated(3000, 11)).await;
    let wal = dir.path().join("tallylab.db-wal");
    let room = file_len(&db).max(file_len(&wal)) + 64 * 1024;
    limit_file_size(server.id(), room);

    // Three experiments: their trials outgrow the room even stored compact.
    let run = r#"{"dataset_name": "big", "jobs": 4, "model_configs": [{"model": "rules-v1"},
        {"model": "rules-v1", "name_suffix": "b"}, {"model": "rules-v1", "name_suffix": "c"}]}"#;
    let (status, accepted) = post(port, "/api/v1/experiments/run-async", run).await;
    assert_eq!(status, 202, "{accepted}");
    let task = accepted["task_id"].as_str().unwrap();
    let t = wait_terminal(port, task).await;
    assert_eq!(t["status"], "failed", "{t}");
    let error = t["error"].as_str().unwrap_or_default();
    assert!(error.contains("disk"), "the error says why: {error}");
    assert!(
        !error.contains("experiment_records"),
        "no database internals: {error}"
    );

    // The server keeps serving: reads work, and a write answers 503 with the reason.
    let (status, refused) = post(port, "/api/v1/experiments/run", run).await;
    let log = || std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    assert_eq!(
        status,
        503,
        "a run that cannot be stored is refused as unavailable: {refused}\n{}",
        log()
    );
    let list = get(port, "/api/v1/experiments").await;
    assert!(list["items"].is_array(), "{list}");
    assert_eq!(
        reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .unwrap()
            .status(),
        200
    );
    server.kill().unwrap();
    server.wait().unwrap();

    // With room again: the store is sound, the run ends, and runs work.
    assert_eq!(testkit::integrity_check(&db).await, "ok");
    let port = free_port();
    let mut server = wait_ready(command(dir.path(), port, &[]).spawn().unwrap(), port).await;
    // Either the failure was recorded before the kill, or it could not be (the disk was
    // full) and the restart resumes the run, which now completes with every record once.
    let again = wait_terminal(port, task).await;
    match again["status"].as_str() {
        Some("failed") => assert!(again["error"].as_str().unwrap_or_default().contains("disk")),
        Some("completed") => {
            let id = again["result"]["experiments"][0]["experiment_id"]
                .as_str()
                .unwrap();
            let page = get(port, &format!("/api/v1/experiments/{id}/records?limit=1")).await;
            assert_eq!(page["total"], 3000, "every record exactly once: {page}");
        }
        _ => panic!("the run after the restart: {again}"),
    }
    let small = r#"{"dataset_name": "big", "model_configs": [{"model": "rules-v1", "name_suffix": "after"}], "sample_size": 20}"#;
    let (status, body) = post(port, "/api/v1/experiments/run", small).await;
    assert_eq!(status, 200, "{body}");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_past_the_wait_ends_the_run_failed_and_serving_goes_on() {
    if testkit::postgres::server().is_some() {
        // A whole-file write lock is SQLite's; the SQLite pass of these tests covers it.
        return;
    }
    let records = generated(200, 12);
    let model = testkit::ModelServer::start_with_delay(
        records.clone(),
        &[testkit::OracleModel::perfect("slow-model")],
        Duration::from_millis(40),
    )
    .await;
    let models_dir = tempfile::tempdir().unwrap();
    let models_file = model.write_models_file(models_dir.path());
    let app = spawn_with(&[("MODELS_FILE", models_file.to_str().unwrap())]).await;
    app.upload_generated("locked", 200, 12).await;
    let (status, accepted) = app
        .post(
            "/api/v1/experiments/run-async",
            r#"{"dataset_name": "locked", "model_configs": [{"model": "slow-model"}], "jobs": 2}"#,
        )
        .await;
    assert_eq!(status, 202, "{accepted}");
    let task = accepted["task_id"].as_str().unwrap().to_string();
    for _ in 0..200 {
        let (_, t) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
        if t["done"].as_u64().unwrap_or(0) >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Another process holds the write lock longer than the server waits for it (10 s).
    // The task says `failed`, with why, while the lock is still held: the failure is shown
    // from memory until the store can record it.
    let lock = testkit::WriteLock::take(&app.database()).await;
    let (status, _) = app.get("/api/v1/experiments").await;
    assert_eq!(status, 200, "reads go on while the lock is held");
    let t = app.wait_task(&task).await;
    lock.release().await;

    assert_eq!(t["status"], "failed", "{t}");
    let error = t["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("busy") || error.contains("locked"),
        "the error says why: {error}"
    );
    assert_eq!(testkit::integrity_check(&app.database()).await, "ok");
    // Once the lock is gone the failure is recorded, not only shown.
    let mut stored = Value::Null;
    for _ in 0..100 {
        let (_, list) = app.get("/api/v1/experiments").await;
        if list["items"][0]["status"] == "failed" {
            stored = list;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        stored["items"][0]["status"], "failed",
        "the failure reaches the store"
    );
    let (status, body) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "locked", "model_configs": [{"model": "slow-model", "name_suffix": "after"}], "sample_size": 5}"#,
        )
        .await;
    assert_eq!(status, 200, "runs work once the lock is gone: {body}");
}
