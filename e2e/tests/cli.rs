//! The command line as a user runs it: offline experiments, dataset generation and audit.

use e2e::tallylab;
use serde_json::Value;

fn run_json(args: &[&str]) -> (i32, Value, String) {
    let out = tallylab()
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run tallylab");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {stderr}; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), doc, stderr)
}

/// Writes `records` generated records (JSON Lines) into `dir` and returns the file.
fn generate_file(dir: &std::path::Path, records: u32, seed: u64) -> std::path::PathBuf {
    let file = dir.join("gen.jsonl");
    let out = tallylab()
        .args(["dataset", "generate", "--records", &records.to_string()])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(&file)
        .output()
        .expect("generate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    file
}

fn assert_interval(m: &Value) {
    let (v, lo, hi) = (
        m["value"].as_f64().unwrap(),
        m["ci_low"].as_f64().unwrap(),
        m["ci_high"].as_f64().unwrap(),
    );
    assert!(
        lo <= v + 1e-12 && v <= hi + 1e-12 && (0.0..=1.0).contains(&lo) && hi <= 1.0,
        "{m}"
    );
}

#[test]
fn offline_experiment_on_the_bundled_dataset() {
    let (code, doc, stderr) = run_json(&[
        "experiment",
        "run",
        "--dataset",
        "vote-extraction-bangbamru-1-10",
        "--model",
        "rules-v1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(doc["dataset_size"], 10);
    let exp = &doc["experiments"][0];
    assert_eq!(exp["experiment_name"], "vote-extraction-rules-v1-t0.0");
    assert_eq!(exp["status"], "success");
    assert_eq!(exp["total_records"], 10);
    let overall = exp["overall_accuracy"].as_f64().unwrap();
    assert!(
        overall > 0.3 && overall < 1.0,
        "rules-v1 should do real but imperfect work: {overall}"
    );
    for m in [
        "overall_accuracy",
        "success_rate",
        "avg_ballot_accuracy",
        "exact_form_match_rate",
    ] {
        assert_interval(&exp["metrics"][m]);
    }
    assert!(
        exp["label_issues"].as_u64().unwrap() >= 1,
        "the bundled label defect must be flagged"
    );
    assert!(!exp["metrics"]["per_field"].as_array().unwrap().is_empty());
}

#[test]
fn ten_thousand_generated_records_run_through() {
    let (code, doc, stderr) = run_json(&[
        "experiment",
        "run",
        "--generate",
        "10000",
        "--seed",
        "7",
        "--jobs",
        "8",
        "--model",
        "rules-v1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(doc["dataset_size"], 10000);
    let exp = &doc["experiments"][0];
    assert_eq!(exp["total_records"], 10000);
    let m = &exp["metrics"]["overall_accuracy"];
    assert_interval(m);
    assert!(
        m["ci_high"].as_f64().unwrap() - m["ci_low"].as_f64().unwrap() < 0.05,
        "10k records give a tight CI: {m}"
    );
}

#[test]
fn two_models_are_compared_with_a_verdict() {
    let (code, doc, stderr) = run_json(&[
        "experiment",
        "run",
        "--generate",
        "40",
        "--model",
        "rules-v1",
        "--model",
        "rules-v1@0.5",
        "--repetitions",
        "2",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<_> = doc["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["experiment_name"].clone())
        .collect();
    assert_eq!(
        names,
        [
            "vote-extraction-rules-v1-t0.0",
            "vote-extraction-rules-v1-t0.5"
        ]
    );
    // rules-v1 is deterministic: repetitions agree and the two configs cannot be told apart.
    assert_eq!(doc["experiments"][0]["repetition_agreement"], 1.0);
    let verdicts: Vec<_> = doc["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["metric"].as_str().unwrap(), c["verdict"].clone()))
        .collect();
    let metrics: std::collections::BTreeSet<&str> = doc["experiments"][0]["metrics"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "per_field")
        .collect();
    let compared: std::collections::BTreeSet<&str> = verdicts.iter().map(|(m, _)| *m).collect();
    assert_eq!(
        compared, metrics,
        "one paired comparison per summary metric, the same ones the summary shows"
    );
    assert_eq!(verdicts.len(), metrics.len());
    assert!(
        verdicts.iter().all(|(_, v)| v == "not_distinguishable"),
        "{verdicts:?}"
    );

    let out = tallylab()
        .args([
            "experiment",
            "run",
            "--model",
            "rules-v1",
            "--model",
            "rules-v1",
        ])
        .output()
        .expect("run");
    // Two identical configs produce the same experiment name: rejected as invalid input.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("same experiment name"));
}

/// The records of a JSON Lines file.
fn read_records(file: &std::path::Path) -> Vec<shared::DatasetRecord> {
    std::fs::read_to_string(file)
        .expect("read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect()
}

/// Two models of known accuracy, served by a local OpenAI-compatible server through
/// `MODELS_FILE`: the command line's verdicts must name the better one.
#[test]
fn the_better_model_wins_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = generate_file(dir.path(), 40, 9);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let models = runtime.block_on(testkit::ModelServer::start(
        read_records(&file),
        &[
            testkit::OracleModel::perfect("oracle-good"),
            testkit::OracleModel::wrong_on("oracle-bad", 3, 4),
        ],
    ));
    let models_file = models.write_models_file(dir.path());
    let out = tallylab()
        .env("MODELS_FILE", &models_file)
        .args(["experiment", "run", "--format", "json", "--dataset-file"])
        .arg(&file)
        .args(["--model", "oracle-good", "--model", "oracle-bad"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        runtime.block_on(models.calls()),
        80,
        "every record reached the model server"
    );
    let verdict = |metric: &str| {
        doc["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == metric)
            .map(|c| c["verdict"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {metric} in {doc}"))
    };
    assert_eq!(verdict("overall_accuracy"), "a_better");
    assert_eq!(verdict("avg_ballot_accuracy"), "a_better");
    assert_eq!(verdict("success_rate"), "not_distinguishable");
    let good = doc["experiments"][0]["avg_ballot_accuracy"]
        .as_f64()
        .unwrap();
    let bad = doc["experiments"][1]["avg_ballot_accuracy"]
        .as_f64()
        .unwrap();
    assert!(good > bad, "{good} vs {bad}");
}

/// `--judge` scores every output with a judge model (a local server's) and reports its calls
/// apart; a model that cannot judge is refused before anything runs.
#[test]
fn the_command_line_runs_an_llm_judge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = generate_file(dir.path(), 6, 3);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let models = runtime.block_on(testkit::ModelServer::start(
        read_records(&file),
        &[
            testkit::OracleModel::perfect("oracle-good"),
            testkit::OracleModel::judge("judge-fair", testkit::JudgeAnswer::Score(0.5)),
        ],
    ));
    let models_file = models.write_models_file(dir.path());
    let run = |judge: &str| {
        tallylab()
            .env("MODELS_FILE", &models_file)
            .args(["experiment", "run", "--format", "json", "--dataset-file"])
            .arg(&file)
            .args(["--model", "oracle-good", "--judge", judge])
            .output()
            .expect("run")
    };
    let out = run("judge-fair");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let e = &doc["experiments"][0];
    assert_eq!(e["usage"]["judge"]["calls"], 6, "{e}");
    assert_eq!(e["metrics"]["avg_llm_judge_score"]["value"], 0.5, "{e}");
    assert!(
        (e["overall_accuracy_weighted"].as_f64().unwrap() - 0.85).abs() < 1e-9,
        "{e}"
    );
    let out = run("rules-v1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("cannot judge"),
        "{err}"
    );
}

#[test]
fn unknown_dataset_and_model_are_clear_errors() {
    let out = tallylab()
        .args(["experiment", "run", "--dataset", "nope"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Failed to load dataset \"nope\"")
            && err.contains("vote-extraction-bangbamru-1-10"),
        "{err}"
    );
    let out = tallylab()
        .args(["experiment", "run", "--model", "gpt-9"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("unknown model \"gpt-9\"")
            && err.contains("rules-v1"),
        "{err}"
    );
}

#[test]
fn generated_file_round_trips_and_audit_flags_the_bundled_label() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = generate_file(dir.path(), 25, 3);
    let text = std::fs::read_to_string(&file).expect("read");
    assert_eq!(text.lines().count(), 25);
    let (code, doc, stderr) = run_json(&[
        "experiment",
        "run",
        "--dataset-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(doc["experiments"][0]["total_records"], 25);

    let out = tallylab()
        .args(["dataset", "audit"])
        .output()
        .expect("audit");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("บางบำหรุ1") && text.contains("I1"), "{text}");
}
