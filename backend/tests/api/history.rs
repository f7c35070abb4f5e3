//! History, export, compare and datasets.

use serde_json::Value;

use crate::helpers::spawn_app;

async fn run_two(app: &crate::helpers::TestApp) -> Value {
    let (status, v) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "project_name": "p1",
            "model_configs": [{"model": "rules-v1", "name_suffix": "a"}, {"model": "rules-v1", "temperature": 0.7, "name_suffix": "b"}]}"#).await;
    assert_eq!(status, 200, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_filters_and_pages() {
    let app = spawn_app().await;
    run_two(&app).await;
    let (status, other) = app.post("/api/v1/experiments/run",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "project_name": "p2", "model_configs": [{"model": "rules-v1", "name_suffix": "c"}]}"#).await;
    assert_eq!(status, 200);
    let (_, all) = app.get("/api/v1/experiments").await;
    assert_eq!(all["total"], 3);
    assert_eq!(
        all["items"][0]["experiment_name"], "vote-extraction-c",
        "newest first"
    );
    let (_, p1) = app.get("/api/v1/experiments?project=p1&limit=1").await;
    assert_eq!(
        (p1["total"].as_u64(), p1["items"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    let (_, none) = app.get("/api/v1/experiments?model=gpt-9").await;
    assert_eq!(none["total"], 0);
    let (_, part) = app.get("/api/v1/experiments?dataset=bangbamru").await;
    assert_eq!(
        part["total"], 3,
        "a part of the name finds the dataset's experiments"
    );
    // One search box over name, project, dataset and model.
    let (_, found) = app.get("/api/v1/experiments?q=p2").await;
    assert_eq!(found["total"], 1, "{found}");
    let (_, found) = app.get("/api/v1/experiments?q=extraction-a").await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["experiment_name"], "vote-extraction-a");
    let (_, by_name) = app.get("/api/v1/experiments?sort=name").await;
    let names: Vec<&str> = by_name["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["experiment_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "vote-extraction-a",
            "vote-extraction-b",
            "vote-extraction-c"
        ]
    );
    let (_, oldest) = app.get("/api/v1/experiments?sort=oldest").await;
    assert_eq!(oldest["items"][0]["experiment_name"], "vote-extraction-a");
    let (_, best) = app.get("/api/v1/experiments?sort=best").await;
    let (_, worst) = app.get("/api/v1/experiments?sort=worst").await;
    let overall = |page: &Value| -> Vec<f64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["overall_accuracy"].as_f64().unwrap())
            .collect()
    };
    let (b, w) = (overall(&best), overall(&worst));
    assert!(
        b.windows(2).all(|p| p[0] >= p[1]) && w.windows(2).all(|p| p[0] <= p[1]),
        "{b:?} {w:?}"
    );
    for (query, field) in [("sort=sideways", "query"), ("q=", "q")] {
        let (status, err) = app.get(&format!("/api/v1/experiments?{query}")).await;
        assert!(status == 400 || status == 422, "{query}: {status} {err}");
        assert_eq!(err["field"], field, "{query}: {err}");
    }
    // The values the filters can take.
    let (status, facets) = app.get("/api/v1/experiments/facets").await;
    assert_eq!(status, 200, "{facets}");
    assert_eq!(facets["projects"], serde_json::json!(["p1", "p2"]));
    assert_eq!(
        facets["datasets"],
        serde_json::json!(["vote-extraction-bangbamru-1-10"])
    );
    assert_eq!(facets["models"], serde_json::json!(["rules-v1"]));

    let (_, active) = app.get("/api/v1/experiments?active=true").await;
    assert_eq!(active["total"], 0, "every experiment has finished");
    let id = other["experiments"][0]["experiment_id"].as_str().unwrap();
    let (status, d) = app.get(&format!("/api/v1/experiments/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(d["config"]["name_suffix"], "c");
    assert!(
        d["metrics"]["overall_accuracy"]["ci_low"].as_f64().unwrap()
            <= d["overall_accuracy"].as_f64().unwrap()
    );
    assert_eq!(d["label_issues"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_carry_output_expected_and_evaluator_detail() {
    let app = spawn_app().await;
    let v = run_two(&app).await;
    let id = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let (_, page) = app
        .get(&format!(
            "/api/v1/experiments/{id}/records?limit=3&offset=0"
        ))
        .await;
    assert_eq!(page["total"], 10);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let r = &items[0];
    assert_eq!(r["record_id"], "บางบำหรุ1");
    assert!(r["output"].is_array() && r["expected"].is_array());
    assert!(r["input_ref"]["text_chars"].as_u64().unwrap() > 100);
    assert_eq!(
        r["label_flags"][0]["identity"], "I1",
        "the bundled label defect is shown per record"
    );
    let names: Vec<&str> = r["scores"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Stored trials keep only failing checks; the page shows every check again.
    let checks: Vec<&serde_json::Value> = r["scores"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["details"].as_array().into_iter().flatten())
        .collect();
    assert!(
        checks.iter().filter(|d| d["ok"] == true).count() > 20,
        "passing checks are shown: {checks:?}"
    );
    let (status, evaluators) = app.get("/api/v1/evaluators").await;
    assert_eq!(status, 200, "{evaluators}");
    // The LLM judge scores only runs that name one.
    let registry: Vec<&str> = evaluators
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .filter(|name| *name != "llm_judge_evaluator")
        .collect();
    assert_eq!(
        names, registry,
        "every evaluator of the registry, in its order"
    );
    for n in [
        "exact_form_match",
        "ballot_accuracy_score",
        "vote_results_quality",
        "has_no_errors",
    ] {
        assert!(names.contains(&n), "the original's evaluator {n}");
    }
    assert_eq!(r["status"], "ok");
    let ballots = r["scores"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "ballot_accuracy_score")
        .unwrap();
    assert!(ballots["details"].as_array().unwrap().len() >= 6);
    assert!(r["latency_ms"].as_f64().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_json_and_csv() {
    let app = spawn_app().await;
    let v = run_two(&app).await;
    let id = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let r = app
        .get_raw(&format!("/api/v1/experiments/{id}/export?format=csv"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let text = r.text().await.unwrap();
    assert_eq!(text.lines().count(), 11);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let (_, evaluators) = app.get("/api/v1/evaluators").await;
    let mut expected = vec!["record_id", "repetition", "status"];
    expected.extend(
        evaluators
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap()),
    );
    expected.extend([
        "overall",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "error",
    ]);
    assert_eq!(header, expected);
    let (status, doc) = app.get(&format!("/api/v1/experiments/{id}/export")).await;
    assert_eq!(status, 200);
    assert_eq!(doc["records"].as_array().unwrap().len(), 10);
    assert_eq!(doc["experiment"]["experiment_id"], id);
    let (status, _) = app
        .get(&format!("/api/v1/experiments/{id}/export?format=xml"))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_two_experiments_gives_verdicts() {
    let app = spawn_app().await;
    let v = run_two(&app).await;
    let url = v["comparison_url"].as_str().unwrap();
    let ids = url.split("ids=").nth(1).unwrap();
    let (status, c) = app.get(&format!("/api/v1/compare?ids={ids}")).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["experiments"].as_array().unwrap().len(), 2);
    assert_eq!(c["paired_records"], 10);
    let comparisons = c["pairs"][0]["comparisons"].as_array().unwrap();
    assert!(comparisons.len() >= 4);
    // rules-v1 is deterministic: the two configs cannot be told apart.
    assert!(
        comparisons
            .iter()
            .all(|x| x["verdict"] == "not_distinguishable"),
        "{comparisons:?}"
    );
    assert!(!c["per_field"].as_array().unwrap().is_empty());
    assert_eq!(c["disagreements"].as_array().unwrap().len(), 0);
    let (status, _) = app.get("/api/v1/compare?ids=onlyone").await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_upload_audit_and_label_correction() {
    let app = spawn_app().await;
    let (_, list) = app.get("/api/v1/datasets").await;
    assert_eq!(list[0]["name"], "vote-extraction-bangbamru-1-10");
    let (_, recs) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?limit=2")
        .await;
    assert_eq!(recs["total"], 10);
    let first = &recs["items"][0];
    assert_eq!(first["label_flags"][0]["identity"], "I1");
    // Fix the defect: ballots_used is good + bad + no_vote.
    let mut expected = first["expected_output"].clone();
    let b = &expected[0]["ballot_statistics"];
    let used = b["good_ballots"].as_u64().unwrap()
        + b["bad_ballots"].as_u64().unwrap()
        + b["no_vote_ballots"].as_u64().unwrap();
    expected[0]["ballot_statistics"]["ballots_used"] = used.into();
    let body = serde_json::json!({"expected_output": expected, "reviewed_by": "somchai", "note": "I1 fix"}).to_string();
    let (status, created) = app
        .post(
            "/api/v1/datasets/vote-extraction-bangbamru-1-10/records/บางบำหรุ1/label",
            &body,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["version"]["version"], 2);
    assert_eq!(created["version"]["label_issues"], 0);
    // The editor's live check: every identity with what it computes.
    let (status, audit) = app
        .post(
            "/api/v1/labels/audit",
            &serde_json::json!({"expected_output": first["expected_output"]}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(audit["broken"], 2, "used 439 breaks I1 and I2: {audit}");
    let i1 = audit["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["identity"] == "I1" && c["holds"] == false)
        .expect("the broken I1");
    assert!(i1["statement"].as_str().unwrap().contains('≠'), "{i1}");
    let (_, fixed_audit) = app
        .post(
            "/api/v1/labels/audit",
            &serde_json::json!({"expected_output": expected}).to_string(),
        )
        .await;
    assert_eq!(fixed_audit["broken"], 0, "{fixed_audit}");
    assert!(fixed_audit["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["identity"] == "I1"
            && c["holds"] == true
            && c["statement"]
                .as_str()
                .unwrap()
                .contains(&format!("= {used}"))));
    let (status, err) = app
        .post("/api/v1/labels/audit", r#"{"expected_output": []}"#)
        .await;
    assert!(status == 400 || status == 422, "{status} {err}");
    // A section of the wrong shape is refused where it is, as an upload's would be.
    let (status, err) = app
        .post(
            "/api/v1/labels/audit",
            r#"{"expected_output": [{"voter_statistics": [null, null]}]}"#,
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["field"], "expected_output[0].voter_statistics", "{err}");
    // v1 still has its one flagged label; v2, corrected, none: the filter reads each.
    let (_, flagged) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?version=1&issues=true")
        .await;
    assert_eq!(flagged["total"], 1, "{flagged}");
    assert_eq!(flagged["items"][0]["label_flags"][0]["identity"], "I1");
    let (_, fixed) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?issues=true")
        .await;
    assert_eq!(fixed["total"], 0, "{fixed}");
    let (_, found) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?q=%E0%B8%AB%E0%B8%A3%E0%B8%B81")
        .await;
    assert_eq!(found["total"], 2, "บางบำหรุ1 and บางบำหรุ10: {found}");
    let (status, err) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?q=")
        .await;
    assert_eq!((status, err["field"].as_str()), (422, Some("q")), "{err}");
    let (_, d) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10")
        .await;
    assert_eq!(d["versions"].as_array().unwrap().len(), 2);
    let (_, v2) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?version=2&limit=1")
        .await;
    assert_eq!(
        v2["items"][0]["metadata"]["review"]["reviewed_by"],
        "somchai"
    );
    assert_eq!(v2["items"][0]["metadata"]["review"]["from_version"], 1);
    assert!(v2["items"][0]["label_flags"].as_array().unwrap().is_empty());
    let (_, v1) = app
        .get("/api/v1/datasets/vote-extraction-bangbamru-1-10/records?version=1&limit=1")
        .await;
    assert_eq!(
        v1["items"][0]["label_flags"][0]["identity"], "I1",
        "old versions are kept"
    );

    let bad = r#"[{"id": "a", "input": {"text": "x"}, "expected_output": {"ballot_statistics": {"good_ballots": "lots"}}}]"#;
    let (status, v) = app.post("/api/v1/datasets/mine/versions", bad).await;
    assert_eq!(status, 422);
    assert_eq!(
        v["field"],
        "records[0].expected_output.ballot_statistics.good_ballots"
    );
    let (status, _) = app
        .post(
            "/api/v1/datasets/vote-extraction-bangbamru-1-10/records/nope/label",
            &body,
        )
        .await;
    assert_eq!(status, 404);
}
