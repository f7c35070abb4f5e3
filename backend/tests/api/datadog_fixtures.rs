//! What tallylab sends Datadog has the shapes Datadog's own SDK sent (ddtrace 4.16, captured
//! in `tests/fixtures/datadog-*-request.json`): the same keys at every level and the same
//! JSON types, on the same paths.

use std::time::Duration;

use serde_json::Value;
use testkit::datadog::FakeDatadog;

use super::helpers::spawn_with;

/// Free-form values: what they hold depends on the experiment, not on the contract.
const FREE: &[&str] = &["config", "reasoning"];

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("json")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The element of `choices` shaped most like `v` (same `metric_type` when it has one).
fn counterpart<'a>(choices: &'a [Value], v: &Value) -> &'a Value {
    choices
        .iter()
        .find(|c| c.get("metric_type").is_some() && c.get("metric_type") == v.get("metric_type"))
        .unwrap_or(&choices[0])
}

/// Every difference of shape between `expected` (a fixture) and `actual`, by path.
fn differences(expected: &Value, actual: &Value, at: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{at}.{key}: missing"));
            }
            for key in a
                .keys()
                .filter(|k| !e.contains_key(*k) && !FREE.contains(&k.as_str()))
            {
                out.push(format!("{at}.{key}: not in the fixture"));
            }
            for (key, e) in e.iter().filter(|(k, _)| !FREE.contains(&k.as_str())) {
                if let Some(a) = a.get(key) {
                    differences(e, a, &format!("{at}.{key}"), out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if !e.is_empty() => {
            for (i, a) in a.iter().enumerate() {
                differences(counterpart(e, a), a, &format!("{at}[{i}]"), out);
            }
        }
        (e, a) if kind(e) != kind(a) => {
            out.push(format!(
                "{at}: {} where the fixture has {}",
                kind(a),
                kind(e)
            ));
        }
        _ => {}
    }
}

fn assert_shaped_like(fixture_name: &str, actual: &Value) {
    let mut out = Vec::new();
    differences(&fixture(fixture_name), actual, "", &mut out);
    assert!(out.is_empty(), "{fixture_name}: {out:#?}\n{actual:#}");
}

#[tokio::test]
async fn what_is_sent_has_the_shapes_ddtrace_sent() {
    let dd = FakeDatadog::start(100).await;
    let env = dd.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(&vars).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "sample_size": 3,
                "model_configs": [{"model": "rules-v1", "name_suffix": "bench"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    for _ in 0..200 {
        if dd
            .experiments()
            .first()
            .is_some_and(|e| e.statuses.len() > 1)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = dd.requests().await;
    let body = |method: &str, suffix: &str| -> Vec<Value> {
        sent.iter()
            .filter(|r| r.method.as_str() == method && r.url.path().ends_with(suffix))
            .map(|r| serde_json::from_slice(&r.body).expect("json body"))
            .collect()
    };
    let projects = body("POST", "/api/unstable/llm-obs/v1/projects");
    assert_shaped_like("datadog-project-create-request.json", &projects[0]);
    let created = body("POST", "/api/unstable/llm-obs/v1/experiments");
    assert_eq!(created.len(), 1);
    assert_shaped_like("datadog-experiment-create-request.json", &created[0]);
    let statuses: Vec<Value> = sent
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice(&r.body).expect("json body"))
        .collect();
    assert_shaped_like("datadog-experiment-status-request.json", &statuses[0]);
    let events = body("POST", "/events");
    assert!(!events.is_empty());
    let summary = |e: &Value| e["data"]["attributes"]["metrics"][0]["metric_source"] == "summary";
    assert!(events.iter().any(summary), "the summary is sent");
    for e in events.iter().filter(|e| summary(e)) {
        // A summary metric is a custom one without `status` (contract §4.1).
        let mut with_status = e.clone();
        for m in with_status["data"]["attributes"]["metrics"]
            .as_array_mut()
            .expect("metrics")
        {
            assert!(m.get("status").is_none(), "{m}");
            m["status"] = Value::from("OK");
        }
        assert_shaped_like("datadog-experiment-events-request.json", &with_status);
    }
    for e in events.iter().filter(|e| !summary(e)) {
        // The spans go inline (the contract's §4.2 b), where ddtrace used its intake host.
        let mut metrics_only = e.clone();
        metrics_only["data"]["attributes"]
            .as_object_mut()
            .expect("attributes")
            .remove("spans");
        assert_shaped_like("datadog-experiment-events-request.json", &metrics_only);
    }
    for r in sent
        .iter()
        .filter(|r| r.url.path().contains("/experiments"))
    {
        assert!(
            r.url
                .path()
                .starts_with("/api/unstable/llm-obs/v1/experiments"),
            "{}",
            r.url
        );
    }
}
