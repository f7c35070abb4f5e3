//! The hostile-request catalogue: each request gets its documented 4xx with a JSON error,
//! and the real binary keeps serving with bounded memory through huge and concurrent ones.
//! Every address a request names is on loopback: nothing here may reach another host even
//! if the defence it checks were broken.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::KEY;
use crate::process::{command, free_port, post, upload, wait_ready, wait_terminal};

/// Largest JSON body the server under test takes (`MAX_BODY_BYTES`).
const BODY_LIMIT: usize = 1 << 20;

struct Hostile {
    what: &'static str,
    method: &'static str,
    path: String,
    key: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
}

fn hostile(
    what: &'static str,
    method: &'static str,
    path: &str,
    body: &[u8],
    status: u16,
) -> Hostile {
    Hostile {
        what,
        method,
        path: path.to_string(),
        key: Some(KEY),
        body: body.to_vec(),
        status,
    }
}

fn catalogue() -> Vec<Hostile> {
    let run = "/api/v1/experiments/run";
    let ok_config = r#""model_configs": [{"model": "rules-v1"}]"#;
    let with = |extra: &str| {
        format!(r#"{{"dataset_name": "vote-extraction-bangbamru-1-10", {ok_config}, {extra}}}"#)
    };
    let deep = format!(
        r#"{{"dataset_name": "d", "model_configs": [{{"model": "rules-v1", "metadata": {{"a": {}{}}}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let many_configs = format!(
        r#"{{"dataset_name": "d", "model_configs": [{}]}}"#,
        vec![r#"{"model": "rules-v1"}"#; 21].join(",")
    );
    let mut list = vec![
        Hostile {
            key: None,
            ..hostile("no key", "POST", run, b"{}", 401)
        },
        Hostile {
            key: Some("wrong-key"),
            ..hostile("wrong key", "POST", run, b"{}", 401)
        },
        hostile("truncated JSON", "POST", run, b"{\"dataset_name\": ", 400),
        hostile(
            "invalid UTF-8",
            "POST",
            run,
            b"{\"dataset_name\": \"\xff\xfe\"}",
            400,
        ),
        hostile(
            "JSON nested 100,000 deep",
            "POST",
            run,
            deep.as_bytes(),
            400,
        ),
        hostile(
            "a number past f64",
            "POST",
            run,
            with(r#""jobs": 1e400"#).as_bytes(),
            400,
        ),
        hostile(
            "jobs far over the bound",
            "POST",
            run,
            with(r#""jobs": 100000"#).as_bytes(),
            422,
        ),
        hostile(
            "a negative sample",
            "POST",
            run,
            with(r#""sample_size": -1"#).as_bytes(),
            422,
        ),
        hostile(
            "a fractional count",
            "POST",
            run,
            with(r#""repetitions": 1.5"#).as_bytes(),
            422,
        ),
        hostile(
            "21 model configs",
            "POST",
            run,
            many_configs.as_bytes(),
            422,
        ),
        hostile(
            "a body over the limit",
            "POST",
            run,
            &vec![b' '; BODY_LIMIT + 1],
            413,
        ),
        hostile(
            "an unknown model",
            "POST",
            run,
            br#"{"dataset_name": "d", "model_configs": [{"model": "../../etc"}]}"#,
            422,
        ),
        hostile(
            "a dot-dot dataset upload",
            "POST",
            "/api/v1/datasets/../versions",
            b"[]",
            404,
        ),
        hostile(
            "an encoded dot-dot dataset",
            "POST",
            "/api/v1/datasets/%2e%2e/versions",
            b"[]",
            404,
        ),
        hostile(
            "a look-alike dataset name",
            "POST",
            "/api/v1/datasets/d%D0%B0ta/versions",
            b"[]",
            422,
        ),
        hostile(
            "an encoded traversal to an experiment",
            "GET",
            "/api/v1/experiments/..%2f..%2fetc%2fpasswd",
            b"",
            404,
        ),
        hostile(
            "an offset past i64",
            "GET",
            "/api/v1/experiments?offset=99999999999999999999",
            b"",
            400,
        ),
        hostile(
            "a limit over the page bound",
            "GET",
            "/api/v1/experiments?limit=100000",
            b"",
            422,
        ),
        hostile("a wrong method", "DELETE", run, b"", 405),
        hostile(
            "a static path under /api",
            "GET",
            "/api/v1/index.html",
            b"",
            404,
        ),
    ];
    list.push(hostile(
        "an empty upload",
        "POST",
        "/api/v1/datasets/empty/versions",
        b"",
        422,
    ));
    list
}

async fn send(client: &reqwest::Client, port: u16, h: &Hostile) -> (u16, String, Value) {
    let url = format!("http://127.0.0.1:{port}{}", h.path);
    let mut request = client
        .request(h.method.parse().unwrap(), url)
        .header("Content-Type", "application/json")
        .body(h.body.clone());
    if let Some(key) = h.key {
        request = request.header("X-API-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

/// The server's peak resident memory so far (VmHWM), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_its_4xx_and_memory_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let limit = BODY_LIMIT.to_string();
    let env = [
        ("MAX_BODY_BYTES", limit.as_str()),
        ("MAX_UPLOAD_BYTES", &limit),
    ];
    let mut server = wait_ready(command(dir.path(), port, &env).spawn().unwrap(), port).await;
    let client = reqwest::Client::new();

    let mut wrong = Vec::new();
    for h in catalogue() {
        let (status, content_type, body) = send(&client, port, &h).await;
        let documented = status == h.status
            && content_type.starts_with("application/json")
            && body["kind"].is_string()
            && body["message"].is_string()
            && body["detail"] == body["message"];
        if !documented {
            wrong.push(format!("{}: {status} {content_type} {body}", h.what));
        }
    }
    assert!(
        wrong.is_empty(),
        "answered otherwise than documented:\n{}",
        wrong.join("\n")
    );

    // Dot segments, plain or encoded, are resolved before routing: a path that climbs out
    // of /api is a web-app path (the app's page), never a file outside the static folder.
    for path in [
        "/api/v1/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fetc%2fpasswd",
    ] {
        let r = client
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .unwrap();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("root:"),
            "{path} served a file outside the static folder"
        );
    }

    // Huge and concurrent: 64 bodies over the limit and 64 just under it, twice. The server
    // stops reading at the limit, so memory grows by little more than what it must hold.
    let before = peak_memory(server.id());
    let over = vec![b' '; 4 * BODY_LIMIT];
    let under = format!(r#"{{"dataset_name": "{}"}}"#, "x".repeat(BODY_LIMIT - 100)).into_bytes();
    for _ in 0..2 {
        let mut requests = Vec::new();
        for i in 0..128 {
            let client = client.clone();
            let body = if i % 2 == 0 {
                over.clone()
            } else {
                under.clone()
            };
            requests.push(tokio::spawn(async move {
                let h = hostile("concurrent", "POST", "/api/v1/experiments/run", &body, 0);
                send(&client, port, &h).await.0
            }));
        }
        for (i, r) in requests.into_iter().enumerate() {
            let status = r.await.unwrap();
            let expected = if i % 2 == 0 { 413 } else { 422 };
            assert_eq!(status, expected, "concurrent request {i}");
        }
    }
    let grown = peak_memory(server.id()).saturating_sub(before);
    eprintln!(
        "peak RSS {} MiB before, grew by {} MiB through 256 huge requests",
        before >> 20,
        grown >> 20
    );
    assert!(grown < 256 << 20, "peak memory grew by {} MiB", grown >> 20);
    let health = client
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "still serving");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_image_references_end_as_record_errors_and_fetch_nothing() {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    // An image host on loopback that is not allow-listed, and one that is but redirects to
    // the first: neither may be fetched from.
    let target = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0x89, b'P', b'N', b'G']))
        .mount(&target)
        .await;
    let redirector = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/meta-data", target.uri())),
        )
        .mount(&redirector)
        .await;

    let mut records: Vec<shared::DatasetRecord> = tallylab::dataset::builtin_dataset()
        .into_iter()
        .take(5)
        .collect();
    let images = [
        "../../etc/passwd".to_string(),
        "/etc/passwd".to_string(),
        format!("{}/form.png", target.uri()),
        format!("{}/form.png", redirector.uri()),
        "gs://someone-elses-bucket/form.png".to_string(),
    ];
    for (record, image) in records.iter_mut().zip(&images) {
        record.input.image_paths = vec![image.clone()];
    }
    let model =
        testkit::ModelServer::start(records.clone(), &[testkit::OracleModel::perfect("vision")])
            .await;
    let dir = tempfile::tempdir().unwrap();
    let models_file = model.write_models_file(dir.path());
    let image_root = dir.path().join("images");
    std::fs::create_dir_all(&image_root).unwrap();
    let port = free_port();
    let allow = redirector.uri();
    let env = [
        ("MODELS_FILE", models_file.to_str().unwrap()),
        ("IMAGE_ROOT", image_root.to_str().unwrap()),
        ("IMAGE_URL_ALLOWLIST", allow.as_str()),
        ("IMAGE_ALLOW_PRIVATE_NETWORKS", "true"),
    ];
    let mut server = wait_ready(command(dir.path(), port, &env).spawn().unwrap(), port).await;
    upload(port, "hostile-images", &records).await;
    let (status, accepted) = post(
        port,
        "/api/v1/experiments/run-async",
        r#"{"dataset_name": "hostile-images", "model_configs": [{"model": "vision"}]}"#,
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let t = wait_terminal(port, accepted["task_id"].as_str().unwrap()).await;
    assert_eq!(
        t["experiments"][0]["failed"], 5,
        "every record ends as an error: {t}"
    );
    let id = t["experiments"][0]["experiment_id"].as_str().unwrap();
    let page =
        crate::process::get(port, &format!("/api/v1/experiments/{id}/records?limit=10")).await;
    for r in page["items"].as_array().unwrap() {
        assert!(
            r["error"].as_str().is_some_and(|e| !e.is_empty()),
            "says why: {r}"
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        target.received_requests().await.unwrap().len(),
        0,
        "the internal target was fetched"
    );
    assert_eq!(
        model.calls().await,
        0,
        "no model call for a record whose images were refused"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
