//! Uploads are parsed and stored while they arrive, and a version appears whole or not at
//! all: an invalid record, a body over the limit or a client that goes away leaves nothing.

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use crate::helpers::{spawn_with, TestApp, KEY};

fn jsonl(records: usize, seed: u64) -> Vec<String> {
    let config = tallylab::dataset::generate::GeneratorConfig {
        seed,
        records,
        ..Default::default()
    };
    tallylab::dataset::generate::generate(&config)
        .map(|r| serde_json::to_string(&r).expect("json") + "\n")
        .collect()
}

/// Sends `lines` as a chunked body, a pause between chunks; `stop_after` ends the body
/// early with an error (the client goes away).
async fn send_streamed(
    app: &TestApp,
    name: &str,
    lines: Vec<String>,
    stop_after: Option<usize>,
) -> Result<(u16, Value), reqwest::Error> {
    let chunks =
        futures::stream::iter(lines.into_iter().enumerate()).then(move |(i, l)| async move {
            if i % 100 == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            match stop_after {
                Some(n) if i >= n => Err(std::io::Error::other("client went away")),
                _ => Ok::<_, std::io::Error>(l),
            }
        });
    let r = app
        .client
        .post(format!("{}/api/v1/datasets/{name}/versions", app.base))
        .header("X-API-Key", KEY)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

async fn versions(app: &TestApp, name: &str) -> Option<Value> {
    let (status, v) = app.get(&format!("/api/v1/datasets/{name}")).await;
    (status == 200).then_some(v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_upload_is_stored_whole_in_order() {
    let app = spawn_with(&[]).await;
    let (status, created) = send_streamed(&app, "streamed", jsonl(1203, 3), None)
        .await
        .expect("send");
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["version"]["record_count"], 1203);
    let (_, page) = app
        .get("/api/v1/datasets/streamed/records?offset=1200&limit=10")
        .await;
    assert_eq!(page["total"], 1203);
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec!["gen-3-001200", "gen-3-001201", "gen-3-001202"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_record_late_in_the_file_leaves_no_version() {
    let app = spawn_with(&[]).await;
    let mut lines = jsonl(1100, 4);
    lines[1050] = "{\"id\": \"bad\", \"input\": {}}\n".into();
    let (status, v) = send_streamed(&app, "late-error", lines, None)
        .await
        .expect("send");
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["field"], "records[1050].input", "{v}");
    assert!(versions(&app, "late-error")
        .await
        .is_none_or(|d| d["versions"].as_array().is_none_or(Vec::is_empty)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_and_leaves_no_version() {
    let app = spawn_with(&[("MAX_UPLOAD_BYTES", "200000")]).await;
    let (status, v) = send_streamed(&app, "too-big", jsonl(40, 5), None)
        .await
        .expect("send");
    assert_eq!(status, 413, "{v}");
    assert!(versions(&app, "too-big").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_leaves_no_version() {
    let app = spawn_with(&[]).await;
    let sent = send_streamed(&app, "abandoned", jsonl(1500, 6), Some(1200)).await;
    if let Ok((status, v)) = sent {
        assert!(status >= 400, "{status} {v}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        versions(&app, "abandoned")
            .await
            .is_none_or(|d| d["versions"].as_array().is_none_or(Vec::is_empty)),
        "no half version is listed"
    );
    // The next upload of the same name gets a complete version.
    let (status, created) = send_streamed(&app, "abandoned", jsonl(10, 6), None)
        .await
        .expect("send");
    assert_eq!(status, 201, "{created}");
    let (_, page) = app.get("/api/v1/datasets/abandoned/records?limit=1").await;
    assert_eq!(page["total"], 10);
}
