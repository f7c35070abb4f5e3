//! Verdicts above unit level: two models of known, different accuracy (a local
//! OpenAI-compatible server answering the labels, one of them with a ballot count off on
//! every record) must be told apart in the right direction, and each configuration against
//! itself must not.

use serde_json::Value;
use testkit::{ModelServer, OracleModel};

use crate::helpers::spawn_with;

const GOOD: OracleModel = OracleModel::perfect("oracle-good");
const BAD: OracleModel = OracleModel::wrong_on("oracle-bad", 1, 1);

fn verdict(comparisons: &Value, metric: &str) -> String {
    comparisons
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap_or_else(|| panic!("no comparison of {metric}: {comparisons}"))["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_better_model_wins_and_the_order_flips_the_verdict() {
    let records = tallylab::dataset::builtin_dataset();
    let models = ModelServer::start(records, &[GOOD, BAD]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = spawn_with(&[("MODELS_FILE", file.to_str().unwrap())]).await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 4,
                "model_configs": [{"model": "oracle-good", "name_suffix": "good"},
                                  {"model": "oracle-bad", "name_suffix": "bad"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        models.calls().await,
        20,
        "every record reached the model server"
    );
    let good = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let bad = v["experiments"][1]["experiment_id"].as_str().unwrap();
    assert!(
        v["experiments"][0]["avg_ballot_accuracy"].as_f64().unwrap()
            > v["experiments"][1]["avg_ballot_accuracy"].as_f64().unwrap()
    );

    let (status, c) = app.get(&format!("/api/v1/compare?ids={good},{bad}")).await;
    assert_eq!(status, 200, "{c}");
    let comparisons = &c["pairs"][0]["comparisons"];
    assert_eq!(verdict(comparisons, "overall_accuracy"), "a_better");
    assert_eq!(verdict(comparisons, "avg_ballot_accuracy"), "a_better");
    assert_eq!(
        verdict(comparisons, "arithmetic_consistency_rate"),
        "a_better"
    );
    // What the two models do equally well is not called a difference.
    assert_eq!(verdict(comparisons, "success_rate"), "not_distinguishable");
    assert_eq!(
        verdict(comparisons, "exact_form_match_rate"),
        "not_distinguishable"
    );
    assert_eq!(c["disagreements"].as_array().unwrap().len(), 10);

    // The comparison came from the score columns the run stored as each experiment
    // finished; read from every trial instead (columns gone, or incomplete) it is the same.
    for take_away in [
        "DELETE FROM experiment_score_columns",
        "DELETE FROM experiment_score_columns WHERE chunk = -1",
    ] {
        // The columns are written as the experiments finish and again after a comparison
        // read every trial, in the background: wait for them.
        let mut removed = 0;
        for _ in 0..100 {
            removed = app.execute_sql(take_away).await;
            if removed > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(removed > 0, "{take_away}");
        app.execute_sql("DELETE FROM comparisons").await;
        let (status, again) = app.get(&format!("/api/v1/compare?ids={good},{bad}")).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again, c, "after {take_away}");
    }

    let (_, flipped) = app.get(&format!("/api/v1/compare?ids={bad},{good}")).await;
    let comparisons = &flipped["pairs"][0]["comparisons"];
    assert_eq!(verdict(comparisons, "overall_accuracy"), "b_better");
    assert_eq!(verdict(comparisons, "avg_ballot_accuracy"), "b_better");
}
