//! Spawning the real app on a random port with a temporary database.

use std::time::Duration;

use serde_json::Value;
use tallylab::config::Settings;
use tallylab::server::Application;

pub const KEY: &str = "test-key-0123456789";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub _dir: tempfile::TempDir,
    /// The server's `DATABASE_URL`: SQLite in `_dir`, or a database of its own on the test
    /// PostgreSQL server when `TALLYLAB_TEST_POSTGRES` names one.
    pub database_url: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(&[]).await
}

pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_string_lossy().to_string();
    let database_url = match extra.iter().find(|(k, _)| *k == "DATABASE_URL") {
        Some((_, url)) => (*url).to_string(),
        None => match testkit::postgres::server() {
            Some(server) => testkit::postgres::fresh_database(&server).await,
            None => format!("sqlite://{data}/tallylab.db"),
        },
    };
    let mut vars: Vec<(String, String)> = vec![
        ("API_KEY".into(), KEY.into()),
        ("PORT".into(), "0".into()),
        ("DATA_DIR".into(), data),
        ("DATABASE_URL".into(), database_url.clone()),
    ];
    vars.extend(
        extra
            .iter()
            .filter(|(k, _)| *k != "DATABASE_URL")
            .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
    );
    let settings =
        Settings::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .expect("settings");
    let (app, _) = Application::build(settings).await.expect("build");
    let base = format!("http://127.0.0.1:{}", app.port);
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        // No pooled connections: every request opens its own, so a test never races a
        // keep-alive close.
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client"),
        _dir: dir,
        database_url,
    }
}

impl TestApp {
    pub async fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("X-API-Key", KEY)
            .body(body.to_string())
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A GET with the key, answered as the raw response (headers, text, streams).
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .expect("send")
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The whole server-sent event stream of a task, as text; fails the test when no
    /// event arrives within `stall`.
    pub async fn events(&self, task_id: &str, stall: Duration) -> String {
        use futures::StreamExt;
        let r = self
            .get_raw(&format!("/api/v1/experiments/tasks/{task_id}/events"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/event-stream");
        let mut body = String::new();
        let mut stream = r.bytes_stream();
        while let Some(chunk) = tokio::time::timeout(stall, stream.next())
            .await
            .expect("the event stream stalled")
        {
            body.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
        }
        body
    }

    /// The server's SQLite database.
    pub fn database(&self) -> std::path::PathBuf {
        self._dir.path().join("tallylab.db")
    }

    /// Whether the server runs on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        tallylab::store::is_postgres(&self.database_url)
    }

    /// Runs one SQL statement on the server's database (either store); rows changed.
    pub async fn execute_sql(&self, sql: &str) -> u64 {
        if self.on_postgres() {
            testkit::postgres::execute(&self.database_url, sql).await
        } else {
            testkit::execute_sql(&self.database(), sql).await
        }
    }

    /// Makes every insert of a trial outcome fail (either store).
    pub async fn break_trial_storage(&self) {
        if self.on_postgres() {
            testkit::postgres::break_trial_storage(&self.database_url).await;
        } else {
            testkit::break_trial_storage(&self.database()).await;
        }
    }

    /// Polls a task until it reaches a terminal status (completed, failed, cancelled);
    /// fails the test after 60 s, or if the status is not one the API documents.
    pub async fn wait_task(&self, task_id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut last = Value::Null;
        while tokio::time::Instant::now() < deadline {
            let (status, t) = self
                .get(&format!("/api/v1/experiments/tasks/{task_id}"))
                .await;
            assert_eq!(status, 200, "{t}");
            match t["status"].as_str() {
                Some("completed" | "failed" | "cancelled") => return t,
                Some("queued" | "running") => {}
                other => panic!("undocumented task status {other:?}: {t}"),
            }
            last = t;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("task {task_id} did not reach a terminal status in 60 s; last: {last}");
    }

    /// Uploads a generated dataset of `n` records as `name`.
    pub async fn upload_generated(&self, name: &str, n: usize, seed: u64) {
        let config = tallylab::dataset::generate::GeneratorConfig {
            seed,
            records: n,
            ..Default::default()
        };
        let body: Vec<String> = tallylab::dataset::generate::generate(&config)
            .map(|r| serde_json::to_string(&r).expect("json"))
            .collect();
        let (status, v) = self
            .post(
                &format!("/api/v1/datasets/{name}/versions"),
                &body.join("\n"),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
}

/// Checks every field of the original's response shape.
/// `dataset_size` is the version's record count (the original's meaning), `records_run`
/// the sample each experiment ran.
pub fn assert_contract_shape(v: &Value, experiments: usize, dataset_size: u64, records_run: u64) {
    for f in [
        "status",
        "message",
        "total_experiments",
        "successful_experiments",
        "failed_experiments",
        "experiments",
        "dataset_name",
        "dataset_size",
        "project_name",
        "comparison_url",
        "dataset_id",
    ] {
        assert!(v.get(f).is_some(), "missing {f} in {v}");
    }
    assert_eq!(v["total_experiments"], experiments as u64);
    assert_eq!(v["dataset_size"], dataset_size, "{v}");
    assert_eq!(v["records_run"], records_run, "{v}");
    let exps = v["experiments"].as_array().expect("experiments");
    assert_eq!(exps.len(), experiments);
    for e in exps {
        for f in [
            "experiment_id",
            "experiment_name",
            "experiment_url",
            "model",
            "temperature",
            "status",
            "total_records",
            "successful_records",
            "failed_records",
            "overall_accuracy",
            "success_rate",
            "avg_ballot_accuracy",
        ] {
            assert!(e.get(f).is_some(), "missing {f} in {e}");
        }
        assert_eq!(e["total_records"], records_run, "{e}");
        let acc = e["overall_accuracy"].as_f64().expect("accuracy");
        assert!(acc > 0.0 && acc <= 1.0, "{acc}");
    }
}
