//! The LLM judge from the run page: choosing a judge model sends it in the request, the
//! results say what the judge cost apart from the extraction, and the experiment page shows
//! the judge's score and reasoning on every record.

use crate::browser::{screenshot, Browser};
use crate::pages::bundled_records;
use crate::steps::*;
use crate::world::App;
use testkit::{judge_summary, JudgeAnswer, OracleModel};

#[tokio::test]
async fn a_judge_chosen_on_the_run_page_explains_each_record() {
    let models = testkit::ModelServer::start(
        bundled_records(),
        &[
            OracleModel::perfect("oracle-good"),
            OracleModel::judge("judge-fair", JudgeAnswer::Score(0.8)),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = App::start_with(&[("MODELS_FILE", file.as_os_str())]);
    let browser = Browser::start().await;
    let c = browser.client();
    open_run_page(&app, c).await;
    fill(c, &tid("input-sample_size"), "2").await;
    choose(c, &tid("input-model_configs[0].model"), "oracle-good").await;
    // The built-in extractor cannot judge: only the server's models are offered.
    let offered = text(c, &tid("input-judge")).await;
    assert!(!offered.contains("rules-v1"), "{offered}");
    choose(c, &tid("input-judge"), "judge-fair").await;
    click(c, &tid("run-sync")).await;
    at_least(c, &tid("experiment-result"), 1).await;
    let judge = text(c, &tid("judge-usage")).await;
    assert!(
        judge.starts_with("Judge judge-fair: 2 calls") && judge.contains("4000 in / 300 out"),
        "{judge}"
    );
    let weighted = text(c, &tid("metric-overall_accuracy_weighted")).await;
    assert!(weighted.contains("94"), "0.70 + 0.30 × 0.8: {weighted}");
    screenshot(c, "judge-01-run-results").await;

    click(c, &tid("experiment-link")).await;
    let verdicts = at_least(c, &tid("judge-reasoning"), 2).await;
    for v in verdicts {
        let shown = v.text().await.unwrap();
        assert!(shown.contains("LLM judge: 80"), "{shown}");
        assert!(shown.contains(&judge_summary(0.8)), "{shown}");
        assert!(
            shown.contains("expected นายก, got นาย ก (minor)"),
            "{shown}"
        );
    }
    assert!(text(c, &tid("judge-usage")).await.contains("2 calls"));
    screenshot(c, "judge-02-experiment-records").await;
    browser.close().await;
}
