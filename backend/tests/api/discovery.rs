//! What the server offers: models, presets (the original page's, to the letter), the OpenAPI
//! document that lists every route, and the cost estimate.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_presets_and_openapi() {
    let app = spawn_app().await;
    let (_, models) = app.get("/api/v1/models").await;
    let rules = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "rules-v1")
        .unwrap();
    assert_eq!(rules["available"], true);
    let flash = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "gemini-2.5-flash")
        .unwrap();
    assert_eq!(flash["available"], false);
    assert!(flash["reason"].as_str().unwrap().contains("GEMINI_API_KEY"));
    let (_, presets) = app.get("/api/v1/presets").await;
    let names: Vec<&str> = presets
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in ["Baseline Comparison", "Temperature Test", "Quick CI Test"] {
        assert!(names.contains(&n), "{names:?}");
    }
    // The original page's configs and metadata, to the letter.
    let configs = |name: &str| -> Vec<Value> {
        let p = presets
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        p["model_configs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                serde_json::json!([
                    c["model"],
                    c["temperature"],
                    c["name_suffix"],
                    c["metadata"]
                ])
            })
            .collect()
    };
    use serde_json::json;
    assert_eq!(
        configs("Baseline Comparison"),
        [
            json!(["gemini-2.5-flash", 0.0, "baseline", {"purpose": "baseline"}]),
            json!(["gemini-2.5-flash-lite", 0.0, "lite", {"purpose": "cost-optimization"}]),
        ]
    );
    assert_eq!(
        configs("Temperature Test"),
        [
            json!(["gemini-2.5-flash", 0.0, "t0.0", {"test": "temperature"}]),
            json!(["gemini-2.5-flash", 0.1, "t0.1", {"test": "temperature"}]),
            json!(["gemini-2.5-flash", 0.2, "t0.2", {"test": "temperature"}]),
        ]
    );
    assert_eq!(
        configs("Quick CI Test"),
        [
            json!(["gemini-2.5-flash-lite", 0.0, "ci-lite", {"purpose": "ci-test"}]),
            json!(["gemini-2.5-flash", 0.0, "ci-flash", {"purpose": "ci-test"}]),
        ]
    );
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // The optional evaluators (the LLM judge) are part of the request's documented shape.
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ExperimentRunRequest"]["properties"]["evaluators"].is_object(),
        "{}",
        schemas["ExperimentRunRequest"]
    );
    assert_eq!(
        schemas["JudgeOptions"]["required"],
        serde_json::json!(["model"])
    );
    // This server (offline) has no model that can judge: the judge is not offered, and no
    // other evaluator name is accepted.
    let evaluators = &schemas["EvaluatorOptions"];
    assert!(
        evaluators["properties"].get("llm_judge").is_none(),
        "{evaluators}"
    );
    assert_eq!(evaluators["additionalProperties"], false, "{evaluators}");
    // Routes are declared once, on their handler: every route the app serves is in the
    // document with its method, and nothing else is.
    let mut documented: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    let mut served = vec![
        "GET /health",
        "GET /ready",
        "GET /metrics",
        "GET /api/v1/experiments/health",
        "POST /api/v1/experiments/run",
        "POST /api/v1/experiments/run-async",
        "POST /api/v1/experiments/estimate",
        "POST /api/v1/experiments/plan",
        "GET /api/v1/experiments/tasks/{task_id}",
        "POST /api/v1/experiments/tasks/{task_id}/cancel",
        "GET /api/v1/experiments/tasks/{task_id}/events",
        "GET /api/v1/experiments",
        "GET /api/v1/experiments/facets",
        "GET /api/v1/experiments/{id}",
        "GET /api/v1/experiments/{id}/records",
        "GET /api/v1/experiments/{id}/export",
        "GET /api/v1/compare",
        "GET /api/v1/models",
        "GET /api/v1/presets",
        "GET /api/v1/evaluators",
        "GET /api/v1/datasets",
        "GET /api/v1/datasets/{name}",
        "GET /api/v1/datasets/{name}/records",
        "GET /api/v1/datasets/{name}/records/{record_id}",
        "GET /api/v1/datasets/{name}/records/{record_id}/images/{index}",
        "GET /api/v1/datasets/{name}/images",
        "POST /api/v1/datasets/{name}/versions",
        "POST /api/v1/datasets/{name}/records/{record_id}/label",
        "POST /api/v1/labels/audit",
        "POST /api/v1/datasets/{name}/datadog",
        "POST /api/v1/experiments/{id}/datadog-export/retry",
    ];
    served.sort_unstable();
    assert_eq!(documented, served);
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if path.starts_with("/api/") {
                let responses = op["responses"].as_object().unwrap();
                for code in ["400", "405", "500", "503"] {
                    assert!(
                        responses.contains_key(code),
                        "{method} {path} documents {code}"
                    );
                }
                if op.get("security").is_some() {
                    assert!(
                        responses.contains_key("401"),
                        "{method} {path} documents 401"
                    );
                }
            }
            let params = op["parameters"].as_array().map_or(0, Vec::len);
            let named = path.matches('{').count();
            assert!(
                params >= named,
                "{method} {path} documents its path parameters: {op}"
            );
        }
    }
    let r = reqwest::get(format!("{}/docs/", app.base)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("swagger"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cost_estimate_states_tokens_cost_and_method() {
    let app = spawn_app().await;
    let (status, e) = app.post("/api/v1/experiments/estimate",
        r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "sample_size": 4, "repetitions": 2,
            "model_configs": [{"model": "gemini-2.5-flash", "name_suffix": "f"}, {"model": "rules-v1", "name_suffix": "r"}]}"#).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["records"], 4);
    let flash = &e["experiments"][0];
    assert_eq!(flash["calls"], 8);
    let (inp, out) = (
        flash["input_tokens"].as_u64().unwrap(),
        flash["output_tokens"].as_u64().unwrap(),
    );
    assert!(inp > 8 * 1000 && out > 8 * 500, "{flash}");
    let expected = (inp as f64 * 0.30 + out as f64 * 2.50) / 1e6;
    assert!((flash["cost_usd"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(flash["available"], false);
    assert_eq!(e["experiments"][1]["cost_usd"], 0.0);
    assert!(e["method"].as_str().unwrap().contains("tile"));
    let (status, _) = app
        .post(
            "/api/v1/experiments/estimate",
            r#"{"dataset_name": "nope", "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 404);
}
