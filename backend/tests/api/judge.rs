//! The optional LLM judge against a local OpenAI-compatible server: a judge that answers
//! verdicts adds its score, reasoning, usage and the original's weighted overall; a judge that
//! answers garbage leaves every other score as it was and the judge's score absent with the
//! reason; a judge the registry cannot run is refused before anything runs.

use serde_json::{json, Value};
use testkit::{judge_summary, JudgeAnswer, ModelServer, OracleModel};

use crate::helpers::{spawn_with, TestApp};

const GOOD: OracleModel = OracleModel::perfect("oracle-good");
const FAIR_JUDGE: OracleModel = OracleModel::judge("judge-fair", JudgeAnswer::Score(0.8));
const GARBAGE_JUDGE: OracleModel = OracleModel::judge("judge-garbage", JudgeAnswer::Garbage);

async fn app_with_judges() -> (TestApp, ModelServer, tempfile::TempDir) {
    let records = tallylab::dataset::builtin_dataset();
    let models = ModelServer::start(records, &[GOOD, FAIR_JUDGE, GARBAGE_JUDGE]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = spawn_with(&[("MODELS_FILE", file.to_str().unwrap())]).await;
    (app, models, dir)
}

fn run_body(judge: &str) -> String {
    json!({
        "dataset_name": "vote-extraction-bangbamru-1-10", "sample_size": 3, "jobs": 2,
        "model_configs": [{"model": "oracle-good", "temperature": 0.0}],
        "evaluators": {"llm_judge": {"model": judge}}
    })
    .to_string()
}

async fn records_of(app: &TestApp, experiment: &Value) -> Vec<Value> {
    let id = experiment["experiment_id"].as_str().unwrap();
    let (status, page) = app
        .get(&format!("/api/v1/experiments/{id}/records?limit=10"))
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

fn score<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    record["scores"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judge_scores_each_record_with_its_reasoning_and_usage_apart() {
    let (app, models, _dir) = app_with_judges().await;
    let (status, v) = app
        .post("/api/v1/experiments/run", &run_body("judge-fair"))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(models.calls().await, 6, "3 extractions and 3 verdicts");
    let e = &v["experiments"][0];
    assert_eq!(e["status"], "success", "{e}");
    assert_eq!(
        e["overall_accuracy"], 1.0,
        "overall keeps the original's three parts"
    );
    let weighted = e["overall_accuracy_weighted"].as_f64().unwrap();
    assert!((weighted - (0.70 + 0.30 * 0.8)).abs() < 1e-9, "{weighted}");
    let judge_metric = &e["metrics"]["avg_llm_judge_score"];
    assert_eq!(judge_metric["n"], 3, "{judge_metric}");
    assert!((judge_metric["value"].as_f64().unwrap() - 0.8).abs() < 1e-9);
    // The judge's tokens are apart from the extraction's.
    let usage = &e["usage"];
    assert_eq!(usage["input_tokens"], 3000, "{usage}");
    assert_eq!(usage["judge"]["model"], "judge-fair");
    assert_eq!(usage["judge"]["calls"], 3);
    assert_eq!(usage["judge"]["input_tokens"], 6000);
    assert_eq!(usage["judge"]["output_tokens"], 450);
    for r in records_of(&app, e).await {
        let judged = score(&r, "llm_judge_evaluator").expect("a judge score");
        assert_eq!(judged["value"], 0.8);
        let why = judged["explanation"].as_str().unwrap();
        assert!(why.starts_with(&judge_summary(0.8)), "{why}");
        assert!(
            why.contains("candidate_name: expected นายก, got นาย ก (minor)"),
            "{why}"
        );
        assert_eq!(r["judge_usage"]["input_tokens"], 2000, "{r}");
    }

    // The same run again: every verdict comes from the cache.
    let (status, again) = app
        .post("/api/v1/experiments/run", &run_body("judge-fair"))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(models.calls().await, 6, "nothing was asked twice");
    let judge = &again["experiments"][0]["usage"]["judge"];
    assert_eq!(
        (judge["calls"].as_u64(), judge["cached"].as_u64()),
        (Some(3), Some(3)),
        "{judge}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judge_that_answers_garbage_leaves_its_score_absent_with_the_reason() {
    let (app, _models, _dir) = app_with_judges().await;
    let (status, v) = app
        .post("/api/v1/experiments/run", &run_body("judge-garbage"))
        .await;
    assert_eq!(status, 200, "{v}");
    let e = &v["experiments"][0];
    assert_eq!(
        e["status"], "success",
        "a judge's failure is not the model's: {e}"
    );
    assert_eq!(e["successful_records"], 3);
    assert_eq!(e["overall_accuracy"], 1.0);
    assert!(e.get("overall_accuracy_weighted").is_none(), "{e}");
    assert!(
        e["metrics"].get("avg_llm_judge_score").is_none(),
        "no made-up judge metric"
    );
    assert_eq!(
        e["usage"]["judge"]["calls"], 3,
        "the garbage was still billed"
    );
    for r in records_of(&app, e).await {
        assert!(score(&r, "llm_judge_evaluator").is_none(), "{r}");
        assert_eq!(score(&r, "ballot_accuracy_score").unwrap()["value"], 1.0);
        let unscored = &r["scores"]["unscored"][0];
        assert_eq!(unscored["name"], "llm_judge_evaluator");
        let reason = unscored["reason"].as_str().unwrap();
        assert!(
            reason.contains("not JSON") && reason.contains("Looks fine"),
            "{reason}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judge_that_cannot_run_is_refused_on_its_field() {
    let (app, models, _dir) = app_with_judges().await;
    for (evaluators, field, says) in [
        (
            json!({"llm_judge": {"model": "no-such-judge"}}),
            "evaluators.llm_judge.model",
            "unknown model",
        ),
        (
            json!({"llm_judge": {"model": "rules-v1"}}),
            "evaluators.llm_judge.model",
            "cannot judge",
        ),
        (
            json!({"llm_judge": {"model": "judge-fair", "temperature": 3}}),
            "evaluators.llm_judge.temperature",
            "between 0 and 2",
        ),
        (
            json!({"llm_judge": {"model": ""}}),
            "evaluators.llm_judge.model",
            "must name a model",
        ),
        (
            json!({"llm_judgee": {"model": "judge-fair"}}),
            "evaluators",
            "unknown field",
        ),
    ] {
        let body = json!({
            "dataset_name": "vote-extraction-bangbamru-1-10",
            "model_configs": [{"model": "oracle-good"}],
            "evaluators": evaluators,
        });
        let (status, err) = app.post("/api/v1/experiments/run", &body.to_string()).await;
        assert_eq!(status, 422, "{evaluators}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(field) && text.contains(says),
            "{evaluators}: {err}"
        );
    }
    assert_eq!(models.calls().await, 0, "nothing ran");
    // The document offers exactly the models that can judge.
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let mut offered: Vec<&str> = doc["components"]["schemas"]["JudgeOptions"]["properties"]
        ["model"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    offered.sort_unstable();
    assert_eq!(offered, ["judge-fair", "judge-garbage", "oracle-good"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_counts_the_judges_calls_apart() {
    let (app, models, _dir) = app_with_judges().await;
    let (status, e) = app
        .post("/api/v1/experiments/estimate", &run_body("judge-fair"))
        .await;
    assert_eq!(status, 200, "{e}");
    let judge = &e["experiments"][0]["judge"];
    assert_eq!(judge["model"], "judge-fair", "{e}");
    assert_eq!(judge["calls"], 3);
    assert!(
        judge["input_tokens"].as_u64().unwrap()
            > e["experiments"][0]["output_tokens"].as_u64().unwrap()
    );
    assert_eq!(judge["output_tokens"], 1200);
    assert_eq!(judge["available"], true);
    assert!(e["method"].as_str().unwrap().contains("LLM judge"));
    assert_eq!(models.calls().await, 0, "an estimate calls nothing");
}

/// A trial with no output is not sent to the judge: its judge score is 0, as every other
/// score of it, so a model that fails is not flattered by the judge's average.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trial_with_nothing_to_judge_scores_zero_without_a_call() {
    let records = tallylab::dataset::builtin_dataset();
    let models = ModelServer::start(records, &[GOOD, FAIR_JUDGE]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut file: Value = serde_json::from_str(&models.models_file_json()).unwrap();
    // A model the server does not play: every call is refused with a 404.
    file["models"].as_array_mut().unwrap().push(json!({
        "name": "ghost", "provider": "openai", "base_url": models.base_url(), "max_attempts": 1
    }));
    let path = dir.path().join("models.json");
    std::fs::write(&path, file.to_string()).unwrap();
    let app = spawn_with(&[("MODELS_FILE", path.to_str().unwrap())]).await;
    let body = json!({
        "dataset_name": "vote-extraction-bangbamru-1-10", "sample_size": 2,
        "raise_errors": false, "model_configs": [{"model": "ghost"}],
        "evaluators": {"llm_judge": {"model": "judge-fair"}}
    });
    let (status, v) = app.post("/api/v1/experiments/run", &body.to_string()).await;
    assert_eq!(status, 200, "{v}");
    let e = &v["experiments"][0];
    assert_eq!(e["failed_records"], 2, "{e}");
    assert_eq!(e["usage"]["judge"]["calls"], 0, "{e}");
    assert_eq!(e["overall_accuracy_weighted"], 0.0);
    for r in records_of(&app, e).await {
        let judged = score(&r, "llm_judge_evaluator").expect("a judge score");
        assert_eq!(judged["value"], 0.0);
        assert_eq!(judged["explanation"], "no output to judge");
    }
}

/// An async run's status counts the tokens and cost of its finished trials (the judge's
/// included), live and once it has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_progress_counts_tokens_and_cost() {
    let (app, _models, _dir) = app_with_judges().await;
    let (status, accepted) = app
        .post("/api/v1/experiments/run-async", &run_body("judge-fair"))
        .await;
    assert_eq!(status, 202, "{accepted}");
    let task = accepted["task_id"].as_str().unwrap().to_string();
    let mut t = Value::Null;
    for _ in 0..200 {
        let (_, now) = app.get(&format!("/api/v1/experiments/tasks/{task}")).await;
        t = now;
        if t["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(t["status"], "completed", "{t}");
    let progress = &t["experiments"][0];
    let usage = &t["result"]["experiments"][0]["usage"];
    let judge = &usage["judge"];
    let tokens = ["input_tokens", "output_tokens", "thinking_tokens"]
        .iter()
        .map(|k| usage[k].as_u64().unwrap_or(0) + judge[k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert!(tokens > 0, "the oracle reports usage: {usage}");
    assert_eq!(
        progress["tokens"].as_u64(),
        Some(tokens),
        "{progress} vs {usage}"
    );
    let cost = usage["cost_usd"].as_f64().unwrap() + judge["cost_usd"].as_f64().unwrap();
    assert!(
        (progress["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-9,
        "{progress} vs {usage}"
    );
}
