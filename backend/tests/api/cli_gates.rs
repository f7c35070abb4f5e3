//! The command line against a real server: it submits a run, follows it to its end, writes
//! the result and a Markdown summary, and its exit code says whether the gates passed
//! (0), failed (1) or the run could not be made (2).

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use testkit::{ModelServer, OracleModel};

use crate::helpers::{spawn_with, TestApp, KEY};

const GOOD: OracleModel = OracleModel::perfect("oracle-good");
const BAD: OracleModel = OracleModel::wrong_on("oracle-bad", 1, 1);

/// Runs `tallylab experiment run` with `args` against `app` (its URL and key from the
/// environment, as a CI job sets them).
async fn cli(app: &TestApp, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallylab"));
    command
        .args(["experiment", "run"])
        .args(args)
        .env("TALLYLAB_URL", &app.base)
        .env("TALLYLAB_API_KEY", KEY)
        .env("RUST_LOG", "warn");
    tokio::task::spawn_blocking(move || command.output().expect("run the CLI"))
        .await
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn explain(out: &Output) -> String {
    format!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn failed_gates(report: &Value) -> Vec<String> {
    report["gates"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["gate"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_gates_a_run_on_floors_and_on_a_significant_regression() {
    let records = tallylab::dataset::builtin_dataset();
    let models = ModelServer::start(records, &[GOOD, BAD]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = spawn_with(&[("MODELS_FILE", file.to_str().unwrap())]).await;
    let out_file = dir.path().join("result.json");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();

    // The baseline: the good model, over the floors.
    let out = cli(
        &app,
        &[
            "--model",
            "oracle-good",
            "--min-overall-accuracy",
            "0.99",
            "--min-success-rate",
            "1",
            "--out",
            out_file.to_str().unwrap(),
            "--markdown",
            summary.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", explain(&out));
    let report = read_json(&out_file);
    assert_eq!(report["gate_status"], "passed");
    assert_eq!(
        report["status"], "success",
        "the run's response body, field for field"
    );
    assert_eq!(report["experiments"][0]["total_records"], 10);
    assert_eq!(report["gates"]["checks"].as_array().unwrap().len(), 3);
    let baseline_id = report["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("earlier step\n"),
        "the summary is appended: {md}"
    );
    assert!(
        md.contains("| vote-extraction-oracle-good-t0.0")
            || md.contains("[vote-extraction-oracle-good-t0.0]"),
        "{md}"
    );
    assert!(md.contains("✅ `min_overall_accuracy`"), "{md}");
    // What the CLI reported is what the server stored.
    let (status, stored) = app.get(&format!("/api/v1/experiments/{baseline_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        stored["overall_accuracy"],
        report["experiments"][0]["overall_accuracy"]
    );

    // The bad model misses a floor: exit 1, and that gate says why.
    let out = cli(
        &app,
        &[
            "--model",
            "oracle-bad",
            "--min-overall-accuracy",
            "0.999",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(code(&out), 1, "{}", explain(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failed_gates(&report), ["min_overall_accuracy"]);

    // Against the baseline by name, the bad model is a significant regression: exit 1.
    let out = cli(
        &app,
        &[
            "--model",
            "oracle-bad",
            "--baseline",
            "vote-extraction-oracle-good-t0.0",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(code(&out), 1, "{}", explain(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failed_gates(&report), ["baseline:overall_accuracy"]);
    assert!(report["gates"]["baseline"]
        .as_str()
        .unwrap()
        .contains(&baseline_id));

    // The good model against itself (by id) is no regression, though a lower mean would
    // not be either: only a significant difference fails.
    let out = cli(
        &app,
        &["--model", "oracle-good", "--baseline", &baseline_id],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", explain(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not distinguishable from the baseline"),
        "{text}"
    );

    // The bad model as the baseline: the good one is better, which passes.
    let out = cli(&app, &["--model", "oracle-bad@0.5"]).await;
    assert_eq!(code(&out), 0, "{}", explain(&out));
    let out = cli(
        &app,
        &[
            "--model",
            "oracle-good",
            "--baseline",
            "vote-extraction-oracle-bad-t0.5",
        ],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("significantly better than the baseline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_cannot_be_made_exits_2_with_the_reason() {
    let app = spawn_with(&[]).await;
    let cases: [(&[&str], &str); 6] = [
        (&["--dataset", "nope"], "no such dataset"),
        (
            &["--baseline", "no-such-experiment"],
            "no experiment with the id",
        ),
        (
            &["--model", "rules-v1", "--model", "rules-v1"],
            "same experiment name",
        ),
        (
            &["--min-overall-accuracy", "1.5"],
            "not a number from 0 to 1",
        ),
        (&["--generate", "10"], "cannot be used with"),
        (&["--baseline-metric", "overal_accuracy"], "is not a metric"),
    ];
    for (args, reason) in cases {
        let out = cli(&app, args).await;
        assert_eq!(code(&out), 2, "{args:?}: {}", explain(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(reason),
            "{args:?}: {}",
            explain(&out)
        );
    }
    // A wrong key: refused, and the key is not echoed.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallylab"));
    command
        .args([
            "experiment",
            "run",
            "--server",
            &app.base,
            "--api-key",
            "wrong-key-5f3a",
        ])
        .env_remove("TALLYLAB_API_KEY");
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&out), 2, "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("401") && !err.contains("wrong-key-5f3a"),
        "{err}"
    );
    // No server at that address.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallylab"));
    let port = crate::process::free_port();
    command.args([
        "experiment",
        "run",
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "--api-key",
        "k",
    ]);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&out), 2, "{}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the server"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_a_baseline_is_read_from_the_local_database() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::process::free_port();
    let mut server = crate::process::start(dir.path(), port).await;
    let base = format!("http://127.0.0.1:{port}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallylab"));
    command
        .args(["experiment", "run", "--server", &base, "--api-key", KEY])
        .args(["--model", "rules-v1", "--format", "json"]);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&out), 0, "{}", explain(&out));
    let stored: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = stored["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = server.kill();
    let _ = server.wait();

    // The same configuration offline, on the same data directory, against it by name.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallylab"));
    command
        .args([
            "experiment",
            "run",
            "--model",
            "rules-v1",
            "--format",
            "json",
        ])
        .args(["--baseline", "vote-extraction-rules-v1-t0.0"])
        .env("DATA_DIR", dir.path())
        .env_remove("TALLYLAB_URL")
        .current_dir(dir.path());
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&out), 0, "{}", explain(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["gates"]["baseline"].as_str().unwrap().contains(&id),
        "{report}"
    );
    assert!(failed_gates(&report).is_empty(), "{report}");
    assert!(report["gates"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["gate"] == "baseline:overall_accuracy"));
}
