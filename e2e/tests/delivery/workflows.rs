//! The experiments workflow and CI: their promised triggers and inputs, and the workflow's
//! CLI step run verbatim against a real server, so the workflow cannot rot unnoticed.

use std::path::Path;
use std::process::Command;

use crate::support::{text, yaml, Server, KEY};

/// The step of the experiments workflow that runs the CLI: its script and env names.
fn cli_step() -> (String, Vec<String>) {
    let doc = yaml(".github/workflows/run-experiments.yml");
    let steps = doc["jobs"]["run-experiments"]["steps"]
        .as_vec()
        .expect("steps");
    let step = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("experiments"))
        .expect("a step with id `experiments`");
    let env = step["env"]
        .as_hash()
        .expect("the step's env")
        .keys()
        .map(|k| text(k).to_string())
        .collect();
    (text(&step["run"]).to_string(), env)
}

/// Runs the step's script as GitHub does (bash), with `tallylab` on the PATH.
fn run_step(script: &str, dir: &Path, env: &[(&str, String)]) -> std::process::Output {
    let bin_dir = e2e::tallylab_bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-e",
            "-o",
            "pipefail",
            "-c",
            script,
        ])
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("RUST_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(dir)
        .output()
        .expect("run bash")
}

#[test]
fn the_workflow_runs_weekly_and_on_demand_with_the_promised_inputs() {
    let doc = yaml(".github/workflows/run-experiments.yml");
    let on = &doc["on"];
    assert_eq!(
        text(&on["schedule"][0]["cron"]),
        "0 8 * * 1",
        "Mondays 08:00 UTC"
    );
    let inputs = &on["workflow_dispatch"]["inputs"];
    for name in [
        "dataset_name",
        "sample_size",
        "project_name",
        "preset",
        "models",
        "min_overall_accuracy",
        "min_success_rate",
        "baseline",
    ] {
        assert!(!inputs[name].is_badvalue(), "input {name}");
    }
    assert_eq!(text(&inputs["sample_size"]["default"]), "4");
    let steps = doc["jobs"]["run-experiments"]["steps"].as_vec().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        })
        .expect("the result is uploaded");
    assert_eq!(text(&upload["with"]["path"]), "result.json");
    assert_eq!(text(&upload["if"]), "always()");

    let ci = yaml(".github/workflows/ci.yml");
    let jobs = ci["jobs"].as_hash().unwrap();
    let runs: Vec<&str> = jobs
        .values()
        .flat_map(|j| j["steps"].as_vec().unwrap())
        .filter_map(|s| s["run"].as_str())
        .collect();
    for wanted in ["cargo fmt --all --check", "bash .ci/run"] {
        assert!(
            runs.iter().any(|r| r.contains(wanted)),
            "ci.yml runs {wanted}: {runs:?}"
        );
    }
    assert!(runs.iter().any(|r| r.contains("cargo clippy")), "{runs:?}");
}

#[test]
fn the_workflows_cli_step_runs_verbatim_and_fails_when_a_gate_fails() {
    let (script, env_names) = cli_step();
    assert!(
        !script.contains("${{"),
        "expressions belong in the step's env: {script}"
    );
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let env = |min_accuracy: &str| -> Vec<(&'static str, String)> {
        vec![
            ("TALLYLAB_URL", server.url.clone()),
            ("TALLYLAB_API_KEY", KEY.to_string()),
            ("DATASET_NAME", "vote-extraction-bangbamru-1-10".into()),
            ("SAMPLE_SIZE", "4".into()),
            ("PROJECT_NAME", "weekly-check".into()),
            ("PRESET", String::new()),
            ("MODELS", "rules-v1 rules-v1@0.5".into()),
            ("MIN_OVERALL_ACCURACY", min_accuracy.into()),
            ("MIN_SUCCESS_RATE", "1".into()),
            ("BASELINE", String::new()),
            ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
        ]
    };
    // Every variable the step declares is given here, and nothing else it reads.
    let given: Vec<&str> = env("")
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| *k != "GITHUB_STEP_SUMMARY")
        .collect();
    assert_eq!(
        env_names
            .iter()
            .map(String::as_str)
            .collect::<std::collections::BTreeSet<_>>(),
        given.into_iter().collect(),
        "the test gives the step exactly its env"
    );

    let out = run_step(&script, dir.path(), &env("0.5"));
    let explain = format!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{explain}");
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("result.json")).unwrap())
            .unwrap();
    assert_eq!(result["project_name"], "weekly-check");
    assert_eq!(result["records_run"], 4);
    assert_eq!(result["experiments"].as_array().unwrap().len(), 2);
    assert_eq!(result["gate_status"], "passed");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("### Gates") && md.contains("vote-extraction-rules-v1-t0.5"),
        "{md}"
    );

    // A floor no run reaches: the step (and so the job) fails with the gate's exit code.
    let out = run_step(&script, dir.path(), &env("0.9999"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No secrets configured: a clear error, not a run against nothing.
    let mut no_secrets = env("");
    no_secrets.retain(|(k, _)| *k != "TALLYLAB_URL");
    no_secrets.push(("TALLYLAB_URL", String::new()));
    let out = run_step(&script, dir.path(), &no_secrets);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("TALLYLAB_URL"));
}
