//! Datasets pulled from Datadog LLM Observability: a local server speaking the contract
//! (testkit's `FakeDatadog`), the real app, real HTTP between them.

use serde_json::{json, Value};
use testkit::datadog::{FakeDatadog, FakeDataset, DD_API_KEY, DD_APP_KEY};

use super::helpers::{spawn_with, TestApp};

const PROJECT: &str = "vote-extraction-project";
const DATASET_ID: &str = "e473e18a-d373-4828-9b06-7e281b76fea0";

/// `n` generated records as Datadog record attributes.
fn records(n: usize, seed: u64) -> Vec<Value> {
    let config = tallylab::dataset::generate::GeneratorConfig {
        seed,
        records: n,
        ..Default::default()
    };
    tallylab::dataset::generate::generate(&config)
        .map(|r| {
            json!({"id": r.id, "input": r.input, "expected_output": r.expected_output,
                   "metadata": r.metadata, "tags": ["source:test"]})
        })
        .collect()
}

/// A fake Datadog holding `dd-vote-dataset` (version 1: 4 records, version 2: 25) and a
/// decoy whose name contains it, in pages of 10.
async fn datadog() -> FakeDatadog {
    let dd = FakeDatadog::start(10).await;
    dd.add_dataset(
        PROJECT,
        FakeDataset {
            id: "decoy000-0000-4000-8000-000000000000".into(),
            name: "dd-vote-dataset-old".into(),
            versions: vec![records(3, 9)],
        },
    );
    dd.add_dataset(
        PROJECT,
        FakeDataset {
            id: DATASET_ID.into(),
            name: "dd-vote-dataset".into(),
            versions: vec![records(4, 1), records(25, 2)],
        },
    );
    dd
}

async fn app_with(dd: &FakeDatadog, extra: &[(&str, &str)]) -> TestApp {
    let env = dd.env();
    // The first setting of a name wins: `extra` overrides the fake's.
    let mut vars: Vec<(&str, &str)> = extra.to_vec();
    vars.extend(env.iter().map(|(k, v)| (*k, v.as_str())));
    spawn_with(&vars).await
}

/// The seed's request body, on a dataset only Datadog has.
fn seed_body(dataset: &str, extra: &str) -> String {
    format!(
        r#"{{"ml_app": "vote-extractor", "site": "datadoghq.com", "agentless_enabled": true,
        "project_name": "{PROJECT}", "dataset_name": "{dataset}", "dataset_version": null,
        "model_configs": [{{"model": "rules-v1", "temperature": 0.0, "name_suffix": "baseline",
        "metadata": {{"purpose": "baseline test"}}}}], "jobs": 2, "raise_errors": false{extra}}}"#
    )
}

fn paths(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let q = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{} {}{q}", r.method, r.url.path())
        })
        .collect()
}

#[tokio::test]
async fn the_seeds_body_runs_a_dataset_only_datadog_has_pulling_every_page_once() {
    let dd = datadog().await;
    let app = app_with(&dd, &[]).await;

    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["dataset_size"], 25, "{v}");
    assert_eq!(v["experiments"][0]["total_records"], 25, "{v}");

    let sent = dd.requests().await;
    let project = "00000000-0000-4000-8000-000000000000";
    let p = format!("/api/v2/llm-obs/v1/{project}");
    // The pull, before the run's export starts talking to Datadog.
    assert_eq!(
        paths(&sent)[..5],
        [
            "POST /api/unstable/llm-obs/v1/projects".to_string(),
            format!("GET {p}/datasets?filter%5Bname%5D=dd-vote-dataset"),
            format!("GET {p}/datasets/{DATASET_ID}/records?filter%5Bversion%5D=2"),
            format!("GET {p}/datasets/{DATASET_ID}/records?filter%5Bversion%5D=2&page%5Bcursor%5D=after-10"),
            format!("GET {p}/datasets/{DATASET_ID}/records?filter%5Bversion%5D=2&page%5Bcursor%5D=after-20"),
        ]
    );
    let sent = &sent[..5];
    // The project body is the one ddtrace sends (fixture datadog-project-create-request).
    let body: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(
        body,
        json!({"data": {"type": "projects",
            "attributes": {"name": PROJECT, "description": ""}}})
    );
    for r in sent {
        assert_eq!(r.headers["DD-API-KEY"], DD_API_KEY);
        assert_eq!(r.headers["DD-APPLICATION-KEY"], DD_APP_KEY);
        assert_eq!(r.headers["Content-Type"], "application/json");
    }

    // The local copy carries Datadog's ids, in Datadog's order.
    let (status, d) = app.get("/api/v1/datasets/dd-vote-dataset").await;
    assert_eq!(status, 200, "{d}");
    let note = d["versions"][0]["note"].as_str().unwrap_or_default();
    assert!(
        note.contains(DATASET_ID) && note.contains("version 2"),
        "{d}"
    );
    let (_, page) = app
        .get("/api/v1/datasets/dd-vote-dataset/records?limit=1&offset=24")
        .await;
    assert_eq!(page["items"][0]["id"], records(25, 2)[24]["id"], "{page}");
    assert_eq!(
        page["items"][0]["metadata"]["datadog_tags"],
        json!(["source:test"])
    );

    // Datadog's version has not changed: the next run reads no record again.
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &seed_body("dd-vote-dataset", r#", "sample_size": 5"#),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let records_read = |all: &[String]| all.iter().filter(|p| p.contains("/records")).count();
    assert_eq!(records_read(&paths(&dd.requests().await)), 3);
    let (_, d) = app.get("/api/v1/datasets/dd-vote-dataset").await;
    assert_eq!(d["versions"].as_array().map(Vec::len), Some(1), "{d}");
}

#[tokio::test]
async fn a_datadog_version_is_pulled_as_asked_and_one_that_does_not_exist_is_refused() {
    let dd = datadog().await;
    let app = app_with(&dd, &[]).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &seed_body("dd-vote-dataset", "")
                .replace(r#""dataset_version": null"#, r#""dataset_version": 1"#),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["dataset_size"], 4, "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &seed_body("dd-vote-dataset", "")
                .replace(r#""dataset_version": null"#, r#""dataset_version": 9"#),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["field"], "dataset_version", "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("version 2"),
        "{v}"
    );
}

#[tokio::test]
async fn a_name_found_on_neither_side_lists_what_each_side_has() {
    let dd = datadog().await;
    let app = app_with(&dd, &[]).await;
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote", ""))
        .await;
    assert_eq!(status, 404, "{v}");
    let message = v["message"].as_str().unwrap_or_default();
    for listed in [
        "vote-extraction-bangbamru-1-10",
        "dd-vote-dataset-old",
        PROJECT,
    ] {
        assert!(message.contains(listed), "{listed}: {message}");
    }

    // Forced local: Datadog is not asked.
    let before = dd.requests().await.len();
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &seed_body("dd-vote-dataset", r#", "dataset_source": "local""#),
        )
        .await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(dd.requests().await.len(), before);
}

#[tokio::test]
async fn forcing_datadog_without_its_keys_is_a_conflict_that_names_the_field() {
    let app = spawn_with(&[]).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            &seed_body("dd-vote-dataset", r#", "dataset_source": "datadog""#),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("dataset_source"),
        "{v}"
    );
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 404, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("DD_API_KEY"),
        "{v}"
    );
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_and_an_outage_falls_back_to_the_copy_pulled_before() {
    let dd = datadog().await;
    let app = app_with(&dd, &[]).await;
    dd.fail_next(429, 1);
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["dataset_size"], 25, "{v}");

    // Every attempt fails: the copy pulled above is used.
    dd.fail_next(503, 50);
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["dataset_size"], 25, "{v}");
}

#[tokio::test]
async fn an_outage_with_nothing_pulled_before_says_datadog_failed_and_stores_nothing() {
    let dd = datadog().await;
    let app = app_with(&dd, &[]).await;
    dd.fail_next(503, 50);
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["kind"], "upstream", "{v}");
    assert!(
        v["message"].as_str().unwrap_or_default().contains("503"),
        "{v}"
    );
    let (status, _) = app.get("/api/v1/datasets/dd-vote-dataset").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn refused_keys_are_reported_without_the_keys() {
    let dd = datadog().await;
    let app = app_with(&dd, &[("DD_APP_KEY", "not-the-right-application-key")]).await;
    let (status, v) = app
        .post("/api/v1/experiments/run", &seed_body("dd-vote-dataset", ""))
        .await;
    assert_eq!(status, 502, "{v}");
    let text = v.to_string();
    assert!(text.contains("403"), "{text}");
    assert!(
        !text.contains(DD_API_KEY) && !text.contains("not-the-right"),
        "{text}"
    );
    // A refusal is not retried.
    assert_eq!(dd.requests().await.len(), 1);
}
