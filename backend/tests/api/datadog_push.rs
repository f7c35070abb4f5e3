//! Pushing dataset versions to Datadog, retrying a refused export, and the links a run's
//! answer gives once its experiments are in Datadog.

use std::time::Duration;

use serde_json::{json, Value};
use testkit::datadog::FakeDatadog;

use super::helpers::{spawn_with, TestApp};

const PROJECT: &str = "vote-extraction-project";
const BUNDLED: &str = "vote-extraction-bangbamru-1-10";

async fn app(dd: &FakeDatadog) -> TestApp {
    let env = dd.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with(&vars).await
}

#[tokio::test]
async fn a_version_is_pushed_once_and_a_corrected_label_replaces_its_records() {
    let dd = FakeDatadog::start(4).await;
    let app = app(&dd).await;
    let path = format!("/api/v1/datasets/{BUNDLED}/datadog");
    let (status, first) = app.post(&path, "{}").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["version"], 1);
    assert_eq!(first["datadog_version"], 1);
    let id = first["datadog_dataset_id"].as_str().unwrap();
    assert_eq!(
        first["dataset_url"],
        format!("https://app.datadoghq.com/llm/datasets/{id}")
    );
    // Pushed again: Datadog already has it.
    let (status, again) = app.post(&path, "{}").await;
    assert_eq!((status, &again), (200, &first));
    assert_eq!(dd.datasets(PROJECT)[0].versions.len(), 1);

    // A corrected label makes local version 2: pushed, it replaces version 1's records.
    let (_, record) = app
        .get(&format!("/api/v1/datasets/{BUNDLED}/records?limit=1"))
        .await;
    let record_id = record["items"][0]["id"].as_str().unwrap().to_string();
    let label = record["items"][0]["expected_output"].clone();
    let (status, v) = app
        .post(
            &format!("/api/v1/datasets/{BUNDLED}/records/{record_id}/label"),
            &json!({"expected_output": label, "reviewed_by": "t", "note": "checked"}).to_string(),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, second) = app.post(&path, r#"{"site": "datadoghq.com"}"#).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        (second["version"].clone(), second["datadog_version"].clone()),
        (json!(2), json!(2))
    );
    let versions = &dd.datasets(PROJECT)[0].versions;
    assert_eq!(
        versions[1].len(),
        10,
        "the new version holds the records once"
    );
    let ids: Vec<&Value> = versions[1]
        .iter()
        .map(|r| &r["metadata"]["record_id"])
        .collect();
    assert!(ids.contains(&&json!(record_id)));

    for (body, field) in [
        (r#"{"site": "example.com"}"#, "site"),
        (r#"{"project_name": ""}"#, "project_name"),
    ] {
        let (status, v) = app.post(&path, body).await;
        assert_eq!((status, v["field"].as_str()), (422, Some(field)), "{v}");
    }
    let (status, v) = app.post("/api/v1/datasets/nope/datadog", "{}").await;
    assert_eq!(status, 404, "{v}");
}

#[tokio::test]
async fn pushing_without_datadog_says_it_is_not_configured() {
    let app = spawn_with(&[]).await;
    let (status, v) = app
        .post(&format!("/api/v1/datasets/{BUNDLED}/datadog"), "{}")
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("DD_API_KEY"), "{v}");
}

async fn export_of(app: &TestApp, id: &str, state: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let (_, detail) = app.get(&format!("/api/v1/experiments/{id}")).await;
        last = detail["datadog_export"].clone();
        if last["state"] == state {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the export never reached {state}: {last}");
}

#[tokio::test]
async fn a_refused_export_fails_until_retried_and_the_answer_then_links_to_datadog() {
    let dd = FakeDatadog::start(100).await;
    dd.fail_next_on("/events", 400, 1);
    dd.fail_next_on("/events", 429, 1);
    let app = app(&dd).await;
    let body =
        format!(r#"{{"dataset_name": "{BUNDLED}", "model_configs": [{{"model": "rules-v1"}}]}}"#);
    let (status, v) = app.post("/api/v1/experiments/run-async", &body).await;
    assert_eq!(status, 202, "{v}");
    let task = v["task_id"].as_str().unwrap().to_string();
    let done = app.wait_task(&task).await;
    let id = done["result"]["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();

    let failed = export_of(&app, &id, "failed").await;
    assert!(
        failed["last_error"].as_str().unwrap().contains("400"),
        "{failed}"
    );
    let (_, health) = app.get("/api/v1/experiments/health").await;
    assert_eq!(health["datadog_export"]["failed"], 1, "{health}");

    // Retried: the 429 that follows is waited out.
    let (status, v) = app
        .post(
            &format!("/api/v1/experiments/{id}/datadog-export/retry"),
            "",
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let export = export_of(&app, &id, "done").await;
    assert_eq!(export["sent_trials"], 10, "{export}");
    let remote = export["datadog_experiment_id"].as_str().unwrap();
    let (status, v) = app
        .post(
            &format!("/api/v1/experiments/{id}/datadog-export/retry"),
            "",
        )
        .await;
    assert_eq!(status, 409, "{v}");

    let (_, task) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
    let result = &task["result"];
    let e = &result["experiments"][0];
    assert_eq!(
        e["experiment_url"],
        format!("https://app.datadoghq.com/llm/experiments/{remote}")
    );
    assert!(
        e["local_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/experiments/{id}")),
        "{e}"
    );
    let dataset = export["dataset_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(
        result["comparison_url"],
        format!("https://app.datadoghq.com/llm/experiments?dataset={dataset}&project={PROJECT}")
    );
    assert!(
        result["local_comparison_url"]
            .as_str()
            .unwrap()
            .contains("/compare?ids="),
        "{result}"
    );
    assert_eq!(dd.experiments().len(), 1);
    assert_eq!(
        dd.experiments()[0].spans().len(),
        10,
        "the refused batch was sent once, after the retry"
    );
}

#[tokio::test]
async fn a_requests_own_api_key_is_used_for_its_run_and_kept_nowhere() {
    let dd = FakeDatadog::start(100).await;
    dd.add_dataset(
        PROJECT,
        testkit::datadog::FakeDataset {
            id: "e473e18a-d373-4828-9b06-7e281b76fea0".into(),
            name: "dd-only".into(),
            versions: vec![bundled_as_datadog(&app(&dd).await).await],
        },
    );
    // The server's own API key is not the one Datadog accepts: only the request's works.
    let env = dd.env();
    let mut vars: Vec<(&str, &str)> = vec![("DD_API_KEY", "the-servers-own-key-not-accepted")];
    vars.extend(env.iter().map(|(k, v)| (*k, v.as_str())));
    let app = spawn_with(&vars).await;
    let body = json!({"dataset_name": "dd-only", "model_configs": [{"model": "rules-v1"}],
        "api_key": testkit::datadog::DD_API_KEY});
    let (status, v) = app
        .post("/api/v1/experiments/run-async", &body.to_string())
        .await;
    assert_eq!(status, 202, "{v}");
    let task = v["task_id"].as_str().unwrap().to_string();
    let done = app.wait_task(&task).await;
    let id = done["result"]["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let export = export_of(&app, &id, "done").await;
    assert_eq!(export["sent_trials"], 10, "{export}");

    let (_, status) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
    assert!(status["request"].get("api_key").is_none(), "{status}");
    let key = testkit::datadog::DD_API_KEY.as_bytes();
    if app.on_postgres() {
        // Every text column of every table, as one dump of the database's contents.
        let dump = app
            .execute_sql(&format!(
                "CREATE TABLE key_hits AS SELECT 1 FROM (
                   SELECT row_to_json(t)::text AS j FROM runs t
                   UNION ALL SELECT row_to_json(t)::text FROM experiments t
                   UNION ALL SELECT row_to_json(t)::text FROM experiment_records t
                   UNION ALL SELECT row_to_json(t)::text FROM datadog_exports t
                   UNION ALL SELECT row_to_json(t)::text FROM response_cache t
                   UNION ALL SELECT row_to_json(t)::text FROM comparisons t
                   UNION ALL SELECT row_to_json(t)::text FROM dataset_records t
                   UNION ALL SELECT row_to_json(t)::text FROM datadog_links t
                   UNION ALL SELECT encode(body, 'escape') FROM experiment_score_columns t
                  ) all_rows
                 WHERE strpos(j, '{}') > 0",
                testkit::datadog::DD_API_KEY
            ))
            .await;
        assert_eq!(dump, 0, "the key is in the database");
    }
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.database().parent().unwrap()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(
        !stored.windows(key.len()).any(|w| w == key),
        "the key is in the database"
    );

    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &json!({"dataset_name": "dd-only", "model_configs": [{"model": "rules-v1"}],
                "api_key": "has a space"})
            .to_string(),
        )
        .await;
    assert_eq!((status, v["field"].as_str()), (422, Some("api_key")), "{v}");
    assert!(!v.to_string().contains("has a space"), "{v}");
}

/// The bundled dataset's records as Datadog record attributes.
async fn bundled_as_datadog(app: &TestApp) -> Vec<Value> {
    let (_, page) = app
        .get(&format!("/api/v1/datasets/{BUNDLED}/records?limit=100"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!({"id": r["id"], "input": r["input"],
            "expected_output": r["expected_output"], "metadata": r["metadata"]})
        })
        .collect()
}

#[tokio::test]
async fn a_pushed_local_dataset_stays_local_and_runs_through_an_outage() {
    let dd = FakeDatadog::start(100).await;
    let app = app(&dd).await;
    let (status, v) = app
        .post(&format!("/api/v1/datasets/{BUNDLED}/datadog"), "{}")
        .await;
    assert_eq!(status, 200, "{v}");
    let before = dd.requests().await.len();
    dd.fail_next(503, 1_000);
    let body = format!(
        r#"{{"dataset_name": "{BUNDLED}", "dataset_version": 1,
            "model_configs": [{{"model": "rules-v1"}}]}}"#
    );
    let (status, v) = app.post("/api/v1/experiments/run", &body).await;
    assert_eq!(status, 200, "a local dataset needs no Datadog read: {v}");
    assert_eq!(v["dataset_version"], 1);
    let reads = dd.requests().await[before..]
        .iter()
        .filter(|r| r.url.path().contains("/datasets"))
        .count();
    assert_eq!(reads, 0, "no dataset was looked up in Datadog");
}
