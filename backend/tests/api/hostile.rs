//! Hostile input that used to get through, each answered as documented.

use serde_json::Value;

use crate::helpers::{spawn_app, KEY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_cannot_inject_headers_and_csv_cells_cannot_run() {
    let app = spawn_app().await;
    // A line break in a name is refused before anything is stored.
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
                "model_configs": [{"model": "rules-v1", "name_suffix": "a\r\nX-Injected: 1"}]}"#,
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["field"], "model_configs[0].name_suffix");

    // A record id that a spreadsheet would run, and a name with a quote and a semicolon.
    let record = |id: &str| {
        let mut r: Value = serde_json::to_value(&tallylab::dataset::builtin_dataset()[1]).unwrap();
        r["id"] = id.into();
        r.to_string()
    };
    let body = format!(
        "{}\n{}",
        record("=HYPERLINK(\"http://x\")"),
        record("@SUM(A1)")
    );
    let (status, v) = app.post("/api/v1/datasets/formulas/versions", &body).await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "formulas",
                "model_configs": [{"model": "rules-v1", "name_suffix": "x\"; filename=evil.sh"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let r = app
        .get_raw(&format!("/api/v1/experiments/{id}/export?format=csv"))
        .await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition.matches("filename=").count(), 1, "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let csv = r.text().await.unwrap();
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["\"'=HYPERLINK(\"\"http://x\"\")\"", "'@SUM(A1)"],
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_names_are_slugs_and_a_byte_order_mark_is_fine() {
    let app = spawn_app().await;
    let record = serde_json::to_string(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    for name in ["..", "...", ".hidden", "v%D0%BEte"] {
        let (status, v) = app
            .post(&format!("/api/v1/datasets/{name}/versions"), &record)
            .await;
        assert!(matches!(status, 404 | 422), "{name}: {status} {v}");
        if status == 422 {
            assert_eq!(v["field"], "name", "{name}: {v}");
        }
    }
    let (status, v) = app
        .post(
            "/api/v1/datasets/with-bom/versions",
            &format!("\u{feff}{record}"),
        )
        .await;
    assert_eq!(status, 201, "an upload with a BOM: {v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/estimate",
            "\u{feff}{\"dataset_name\": \"with-bom\", \"model_configs\": [{\"model\": \"rules-v1\"}]}",
        )
        .await;
    assert_eq!(status, 200, "a JSON body with a BOM: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_anywhere_is_a_clear_4xx_on_either_store() {
    let app = spawn_app().await;
    for (path, field) in [
        ("/api/v1/datasets/x%00", "path"),
        ("/api/v1/experiments/tasks/task_%00", "path"),
        ("/api/v1/experiments?q=a%00", "query"),
        (
            "/api/v1/datasets/vote-extraction-bangbamru-1-10/records?q=%00",
            "query",
        ),
    ] {
        let (status, v) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["field"], field, "{path}: {v}");
    }
    let mut record = serde_json::to_value(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    record["id"] = serde_json::Value::String("form\u{0}1".into());
    let (status, v) = app
        .post("/api/v1/datasets/nul-id/versions", &record.to_string())
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "records[0].id", "{v}");
    // Elsewhere in a body, in a JSON string, a NUL is stored escaped: kept as it came.
    let mut record = serde_json::to_value(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    record["metadata"] = serde_json::json!({"note": "a\u{0}b"});
    let (status, v) = app
        .post("/api/v1/datasets/nul-body/versions", &record.to_string())
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = app.get("/api/v1/datasets/nul-body/records").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["items"][0]["metadata"]["note"], "a\u{0}b", "{v}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_and_the_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    // An empty key file left with a loose mode is rewritten private.
    let key = data.join("api-key");
    std::fs::write(&key, "").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let settings = tallylab::config::Settings::from_lookup(|k| match k {
        "PORT" => Some("0".into()),
        "DATA_DIR" => Some(data.display().to_string()),
        _ => None,
    })
    .unwrap();
    let (app, _) = tallylab::server::Application::build(settings)
        .await
        .unwrap();
    assert_eq!(mode(&data), 0o700, "DATA_DIR");
    assert_eq!(mode(&key), 0o600, "api-key");
    assert!(std::fs::read_to_string(&key).unwrap().starts_with("tl_"));
    for file in ["tallylab.db", "tallylab.db-wal", "tallylab.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    for path in ["/api/v1/models", "/", "/experiments/x"] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let html = h["content-type"].to_str().unwrap().starts_with("text/html");
        assert_eq!(html, path != "/api/v1/models", "{path}");
        if html {
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_image_sizes_do_not_overflow_the_estimate() {
    use base64::Engine;
    let app = spawn_app().await;
    // A PNG header that claims 4294967295 × 4294967295 pixels.
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&[0xFF; 8]);
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let image = serde_json::json!({
        "mime_type": "image/png",
        "data": base64::engine::general_purpose::STANDARD.encode(&png)
    });
    let mut record: Value = serde_json::to_value(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    record["input"]["inline_images"] = Value::Array(vec![image; 40]);
    let (status, v) = app
        .post("/api/v1/datasets/huge-images/versions", &record.to_string())
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, e) = app
        .post(
            "/api/v1/experiments/estimate",
            r#"{"dataset_name": "huge-images", "repetitions": 20,
                "model_configs": [{"model": "gemini-2.5-pro"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{e}");
    let tokens = e["experiments"][0]["input_tokens"].as_u64().unwrap();
    // 40 images of 16 tiles (the most Gemini bills for one image) × 258 tokens × 20 calls.
    assert!(
        (40 * 16 * 258 * 20..40 * 17 * 258 * 20).contains(&tokens),
        "{e}"
    );
    assert!(e["total_cost_usd"].as_f64().unwrap().is_finite());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_all_land_and_none_answers_500() {
    let app = std::sync::Arc::new(spawn_app().await);
    let record = serde_json::to_string(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    let uploads = (0..20).map(|_| {
        let (app, record) = (app.clone(), record.clone());
        tokio::spawn(async move {
            app.post("/api/v1/datasets/parallel/versions", &record)
                .await
        })
    });
    let mut versions = Vec::new();
    for u in uploads {
        let (status, v) = u.await.unwrap();
        assert_eq!(status, 201, "{v}");
        versions.push(v["version"]["version"].as_u64().unwrap());
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=20).collect::<Vec<_>>());

    // Twenty corrections of the ten bundled records at once: each builds on the last.
    let (_, page) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?limit=10")
        .await;
    let items = page["items"].as_array().unwrap().clone();
    let corrections = (0..20).map(|i| {
        let app = app.clone();
        let item = items[i % 10].clone();
        tokio::spawn(async move {
            let mut label = item["expected_output"].clone();
            label[0]["ballot_statistics"]["bad_ballots"] = (1000 + i).into();
            let body =
                serde_json::json!({"expected_output": label, "reviewed_by": format!("r{i}")});
            let id = item["id"].as_str().unwrap().to_string();
            let path =
                format!("/api/v1/datasets/vote-extraction-bangbamru-1-10/records/{id}/label");
            app.post(&path, &body.to_string()).await
        })
    });
    for c in corrections {
        let (status, v) = c.await.unwrap();
        assert_eq!(status, 201, "{v}");
    }
    let (_, last) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?limit=10")
        .await;
    for (i, r) in last["items"].as_array().unwrap().iter().enumerate() {
        let bad = r["expected_output"][0]["ballot_statistics"]["bad_ballots"]
            .as_u64()
            .unwrap();
        assert!(
            bad == 1000 + i as u64 || bad == 1010 + i as u64,
            "record {i} kept a correction: {bad}"
        );
    }
    let (_, d) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10")
        .await;
    assert_eq!(d["latest_version"], 21);

    // A correction of a stale version is a conflict, not a silent overwrite.
    let body = serde_json::json!({"expected_output": items[0]["expected_output"],
        "reviewed_by": "late", "base_version": 1});
    let id = items[0]["id"].as_str().unwrap();
    let (status, v) = app
        .post(
            &format!("/api/v1/datasets/vote-extraction-bangbamru-1-10/records/{id}/label"),
            &body.to_string(),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("version 21"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_is_bounded_per_request() {
    let app = crate::helpers::spawn_with(&[("MAX_TRIALS_PER_RUN", "100")]).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "repetitions": 11,
                "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["field"], "sample_size");
    assert!(v["message"].as_str().unwrap().contains("110 trials"), "{v}");
    let (_, list) = app.get("/api/v1/experiments").await;
    assert_eq!(list["total"], 0, "nothing was stored");
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "repetitions": 10,
                "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "exactly at the limit: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_flight_are_bounded() {
    let app = crate::helpers::spawn_with(&[("MAX_ACTIVE_RUNS", "2")]).await;
    app.upload_generated("slow", 3000, 21).await;
    // 30,000 trials at one at a time: far longer than the rest of this test.
    let slow = r#"{"dataset_name": "slow", "repetitions": 10, "jobs": 1,
        "model_configs": [{"model": "rules-v1"}]}"#;
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let (status, v) = app.post("/api/v1/experiments/run-async", slow).await;
        assert_eq!(status, 202, "{v}");
        tasks.push(v["task_id"].as_str().unwrap().to_string());
    }
    let r = app
        .client
        .post(format!("{}/api/v1/experiments/run", app.base))
        .header("X-API-Key", KEY)
        .body(slow)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["kind"], "too_many_requests", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("MAX_ACTIVE_RUNS"),
        "{v}"
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/experiments/tasks/{}/cancel", tasks[0]),
            "",
        )
        .await;
    assert_eq!(status, 202);
    app.wait_task(&tasks[0]).await;
    let (status, v) = app.post("/api/v1/experiments/run-async", slow).await;
    assert_eq!(status, 202, "a finished run frees its place: {v}");
    for t in tasks
        .iter()
        .skip(1)
        .chain([&v["task_id"].as_str().unwrap().to_string()])
    {
        app.post(&format!("/api/v1/experiments/tasks/{t}/cancel"), "")
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_path_with_the_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        ("POST", "/api/v1/models", "GET"),
        ("DELETE", "/api/v1/experiments/run", "POST"),
        ("PUT", "/api/v1/datasets/x/versions", "POST"),
        ("POST", "/", "GET, HEAD"),
    ] {
        let r = app
            .client
            .request(method.parse().unwrap(), format!("{}{path}", app.base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["kind"], "method_not_allowed", "{method} {path}: {v}");
    }
    let (status, v) = app.get("/api/v1/nope").await;
    assert_eq!((status, v["kind"].as_str()), (404, Some("not_found")));
}
