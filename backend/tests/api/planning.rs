//! The sample-size planner over real HTTP: the records a comparison needs from a stated
//! baseline or a pilot, the cost at the estimate's prices, and clear errors.

use serde_json::Value;
use tallylab::stats::planning::{records_for_binary, records_for_discordance, records_for_scores};

use crate::helpers::spawn_app;

const RUN: &str = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
    "model_configs": [{"model": "rules-v1", "name_suffix": "a"},
                      {"model": "gemini-2.5-flash", "name_suffix": "b"}]}"#;

fn plan_body(fields: &str) -> String {
    format!(r#"{{"run": {RUN}, {fields}}}"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_states_the_records_needed_and_their_cost() {
    let app = spawn_app().await;
    let (status, p) = app
        .post(
            "/api/v1/experiments/plan",
            &plan_body(
                r#""metric": "exact_form_match_rate", "baseline": 0.9, "min_difference": 0.05"#,
            ),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let expected = records_for_binary(0.9, 0.95, None, 0.05, 0.8).unwrap();
    assert_eq!(p["records_needed"], expected, "{p}");
    assert_eq!(p["kind"], "binary");
    assert_eq!(p["records_available"], 10);
    let per_record = p["cost_per_record_usd"].as_f64().unwrap();
    assert!(per_record > 0.0, "gemini-2.5-flash has a list price: {p}");
    let cost = p["estimated_cost_usd"].as_f64().unwrap();
    assert!((cost - per_record * expected as f64).abs() < 1e-9, "{p}");
    let summary = p["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("about {expected} records")),
        "{summary}"
    );
    assert!(summary.contains("not enough"), "{summary}");
    assert!(p["assumptions"]
        .as_str()
        .unwrap()
        .contains("independent errors"));

    // Scores: the spread assumed at its largest without a pilot, or as given.
    let (status, p) = app
        .post(
            "/api/v1/experiments/plan",
            &plan_body(
                r#""baseline": 0.9, "min_difference": 0.03, "sd_difference": 0.1, "power": 0.9"#,
            ),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["metric"], "overall_accuracy");
    assert_eq!(p["kind"], "score");
    assert_eq!(
        p["records_needed"],
        records_for_scores(0.03, 0.1, 0.05, 0.9).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pilot_gives_the_baseline_and_the_discordance() {
    let app = spawn_app().await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
                "model_configs": [{"model": "rules-v1", "name_suffix": "p1"},
                                  {"model": "rules-v1", "name_suffix": "p2", "temperature": 0.5}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let a = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let b = v["experiments"][1]["experiment_id"].as_str().unwrap();
    let rate = v["experiments"][0]["metrics"]["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "exact_form_match_rate"))
        .map(|m| m["value"].as_f64().unwrap());
    let (status, p) = app
        .post(
            "/api/v1/experiments/plan",
            &plan_body(&format!(
                r#""metric": "exact_form_match_rate", "min_difference": 0.05,
                    "pilot": {{"experiment_a": "{a}", "experiment_b": "{b}"}}"#
            )),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert!(p["assumptions"].as_str().unwrap().contains("pilot"), "{p}");
    if let Some(rate) = rate {
        assert!((p["baseline"].as_f64().unwrap() - rate).abs() < 1e-9, "{p}");
    }
    // The same deterministic extractor twice never disagrees: the discordance is the
    // smallest that can hold the difference.
    assert_eq!(p["discordance"], 0.05);
    assert_eq!(
        p["records_needed"],
        records_for_discordance(0.05, 0.05, 0.05, 0.8).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_that_cannot_be_made_says_which_field() {
    let app = spawn_app().await;
    for (fields, field) in [
        (r#""min_difference": 0.05"#, "baseline"),
        (r#""baseline": 0.9, "min_difference": 0"#, "min_difference"),
        (r#""baseline": 1.5, "min_difference": 0.05"#, "baseline"),
        (
            r#""baseline": 0.9, "min_difference": 0.05, "power": 1"#,
            "power",
        ),
        (
            r#""baseline": 0.9, "min_difference": 0.05, "metric": "nope""#,
            "metric",
        ),
    ] {
        let (status, v) = app
            .post("/api/v1/experiments/plan", &plan_body(fields))
            .await;
        assert_eq!(status, 422, "{fields}: {v}");
        assert_eq!(v["field"], field, "{fields}: {v}");
    }
    let (status, v) = app
        .post(
            "/api/v1/experiments/plan",
            r#"{"run": {"dataset_name": "", "model_configs": []}, "baseline": 0.9, "min_difference": 0.05}"#,
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&Value> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert!(fields.iter().any(|f| *f == "run.dataset_name"), "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/plan",
            r#"{"run": {"dataset_name": "nope", "model_configs": [{"model": "rules-v1"}]},
                "baseline": 0.9, "min_difference": 0.05}"#,
        )
        .await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/plan",
            &plan_body(r#""min_difference": 0.05, "pilot": {"experiment_a": "exp_nope", "experiment_b": "exp_nope2"}"#),
        )
        .await;
    assert_eq!(status, 404, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("pilot.experiment_a"),
        "{v}"
    );
}
