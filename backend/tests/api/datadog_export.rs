//! Experiments exported to Datadog LLM Observability as they run: the contract's bodies,
//! metrics per trial per evaluator, and an outage that leaves the experiment untouched and
//! drains after a restart without sending anything twice.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};
use testkit::datadog::{FakeDatadog, FakeExperiment};

use super::helpers::spawn_with;
use super::process::{free_port, get, post, start_with};

const PROJECT: &str = "vote-extraction-project";
const BUNDLED: &str = "vote-extraction-bangbamru-1-10";

fn run_body(sample: u32) -> String {
    format!(
        r#"{{"project_name": "{PROJECT}", "dataset_name": "{BUNDLED}", "sample_size": {sample},
        "model_configs": [{{"model": "rules-v1", "temperature": 0.0, "name_suffix": "baseline",
        "metadata": {{"purpose": "baseline test"}}}}], "jobs": 2, "raise_errors": false}}"#
    )
}

/// Waits until the fake's first experiment got a final status.
async fn finished_export(dd: &FakeDatadog) -> FakeExperiment {
    for _ in 0..300 {
        if let Some(e) = dd.experiments().into_iter().next() {
            if e.statuses.iter().any(|s| s["status"] != "running") {
                return e;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the export did not finish: {:?}", dd.experiments());
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_run_is_exported_in_the_contracts_shapes_with_a_metric_per_trial_and_evaluator() {
    let dd = FakeDatadog::start(100).await;
    let env = dd.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(&vars).await;
    let (status, v) = app.post("/api/v1/experiments/run", &run_body(10)).await;
    assert_eq!(status, 200, "{v}");
    let e = finished_export(&dd).await;

    // The bundled dataset was pushed first, as the experiment's dataset.
    let pushed = dd.datasets(PROJECT);
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].name, BUNDLED);
    assert_eq!(pushed[0].versions.len(), 1);
    assert_eq!(pushed[0].versions[0].len(), 10);

    // Create: the fixture's attributes (datadog-experiment-create-request.json).
    let a = &e.attributes;
    assert_eq!(
        keys(a),
        [
            "config",
            "dataset_id",
            "dataset_version",
            "description",
            "ensure_unique",
            "metadata",
            "name",
            "project_id",
            "run_count"
        ]
    );
    assert_eq!(a["name"], "vote-extraction-baseline");
    assert_eq!(a["dataset_id"], json!(pushed[0].id));
    assert_eq!(a["dataset_version"], 1);
    assert_eq!(
        (a["ensure_unique"].clone(), a["run_count"].clone()),
        (json!(true), json!(1))
    );
    assert_eq!(a["config"]["model"], "rules-v1");
    let tags: Vec<&str> = a["metadata"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in [
        format!("project_name:{PROJECT}"),
        format!("dataset_name:{BUNDLED}"),
        "experiment_name:vote-extraction-baseline".into(),
        format!("project_id:{}", a["project_id"].as_str().unwrap()),
        "model:rules-v1".into(),
        "purpose:baseline test".into(),
    ] {
        assert!(tags.contains(&t.as_str()), "{t} not in {tags:?}");
    }

    // Status: running first (datadog-experiment-status-request.json), completed last.
    assert_eq!(e.statuses.first(), Some(&json!({"status": "running"})));
    assert_eq!(e.statuses.last(), Some(&json!({"status": "completed"})));

    // Events: scope and tags as the fixture, a span per trial, a metric per evaluator.
    for ev in &e.events {
        assert_eq!(ev["scope"], "experiments");
        let tags: Vec<&str> = ev["tags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            tags.contains(&format!("experiment_id:{}", e.id).as_str()),
            "{tags:?}"
        );
        assert!(tags.contains(&"run_iteration:1"), "{tags:?}");
        assert!(
            tags.iter().any(|t| t.starts_with("run_id:task_")),
            "{tags:?}"
        );
    }
    let spans = e.spans();
    assert_eq!(spans.len(), 10);
    let span_ids: HashSet<&str> = spans.iter().filter_map(|s| s["span_id"].as_str()).collect();
    assert_eq!(span_ids.len(), 10, "one span per trial");
    for s in &spans {
        assert_ne!(s["span_id"], s["trace_id"]);
        assert!(s["duration"].as_i64().unwrap() > 0);
        assert_eq!(s["status"], "ok");
        assert_eq!(s["meta"]["span"]["kind"], "experiment");
        assert!(s["meta"]["input"]["text"].is_string(), "{s}");
        // A form set: the reports of each form, as the label and the model give them.
        assert!(!s["meta"]["expected_output"].is_null(), "{s}");
        assert!(!s["meta"]["output"].is_null(), "{s}");
    }
    let metrics = e.metrics();
    let custom: Vec<&Value> = metrics
        .iter()
        .filter(|m| m["metric_source"] == "custom")
        .collect();
    let evaluators: HashSet<&str> = custom.iter().filter_map(|m| m["label"].as_str()).collect();
    for name in [
        "exact_form_match",
        "ballot_accuracy_score",
        "vote_results_quality",
    ] {
        assert!(evaluators.contains(name), "{name} not in {evaluators:?}");
    }
    assert_eq!(
        custom.len(),
        10 * evaluators.len(),
        "a metric per trial per evaluator"
    );
    for m in &custom {
        assert!(span_ids.contains(m["span_id"].as_str().unwrap()), "{m}");
        let kind = m["metric_type"].as_str().unwrap();
        let mut expected = vec![
            "error",
            "experiment_id",
            "label",
            "metric_source",
            "metric_type",
            "span_id",
            "status",
            "tags",
            "timestamp_ms",
            "trace_id",
        ];
        expected.push(if kind == "boolean" {
            "boolean_value"
        } else {
            "score_value"
        });
        let mut got = keys(m);
        got.retain(|k| k != "reasoning");
        expected.sort_unstable();
        assert_eq!(got, expected, "{m}");
        assert_eq!(m["experiment_id"], json!(e.id));
    }
    let exact = custom
        .iter()
        .find(|m| m["label"] == "exact_form_match")
        .unwrap();
    assert_eq!(exact["metric_type"], "boolean", "as in the fixture");
    let summary: Vec<&Value> = metrics
        .iter()
        .filter(|m| m["metric_source"] == "summary")
        .collect();
    assert!(
        summary.iter().any(|m| m["label"] == "overall_accuracy"),
        "{summary:?}"
    );
    assert!(summary
        .iter()
        .all(|m| m["span_id"] == "" && m.get("status").is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_leaves_the_run_alone_and_drains_after_a_restart_without_repeats() {
    let dd = FakeDatadog::start(100).await;
    dd.fail_next_on("/events", 503, 1_000_000);
    let env = dd.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start_with(dir.path(), port, &vars).await;
    let (status, v) = post(port, "/api/v1/experiments/run", &run_body(10)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["status"], "success",
        "an outage never fails the experiment: {v}"
    );
    let id = v["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The export waits, and says so.
    let mut detail = Value::Null;
    for _ in 0..100 {
        detail = get(port, &format!("/api/v1/experiments/{id}")).await;
        if detail["datadog_export"]["last_error"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let export = &detail["datadog_export"];
    assert_eq!(export["state"], "pending", "{detail}");
    assert_eq!(export["sent_trials"], 0, "{detail}");
    assert!(
        export["last_error"].as_str().unwrap().contains("503"),
        "{detail}"
    );
    let health = get(port, "/api/v1/experiments/health").await;
    assert_eq!(health["datadog_export"]["pending"], 1, "{health}");

    server.kill().unwrap();
    server.wait().unwrap();
    dd.clear_failures();
    let port = free_port();
    let mut server = start_with(dir.path(), port, &vars).await;
    let e = finished_export(&dd).await;
    assert_eq!(
        dd.experiments().len(),
        1,
        "the experiment was not created twice"
    );
    let spans = e.spans();
    let ids: HashSet<&str> = spans.iter().filter_map(|s| s["span_id"].as_str()).collect();
    assert_eq!((spans.len(), ids.len()), (10, 10), "every trial sent once");
    let detail = get(port, &format!("/api/v1/experiments/{id}")).await;
    assert_eq!(detail["datadog_export"]["state"], "done", "{detail}");
    assert_eq!(detail["datadog_export"]["sent_trials"], 10, "{detail}");
    server.kill().unwrap();
    server.wait().unwrap();
}
