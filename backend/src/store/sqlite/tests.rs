use shared::{
    DatasetRecord, ExperimentRunRequest, ExperimentStatus, ModelConfig, RecordInput, RecordStatus,
    RunMode, RunStatus,
};

use super::*;
use crate::eval::{self, fixtures};
use crate::outcome::RecordOutcome;
use crate::store::{
    DatasetStore, ExperimentFilter, ExperimentRow, ExperimentStore, RunRow, RunStore,
};

pub(super) fn record(id: &str) -> DatasetRecord {
    DatasetRecord {
        id: id.into(),
        input: RecordInput {
            text: Some("แบบ ส.ส. 5/18".into()),
            ..Default::default()
        },
        expected_output: fixtures::both(),
        metadata: Default::default(),
    }
}

fn outcome(index: usize, error: Option<&str>) -> RecordOutcome {
    RecordOutcome {
        record_index: index,
        record_id: format!("r{index}"),
        repetition: 0,
        status: if error.is_some() {
            RecordStatus::InvalidOutput
        } else {
            RecordStatus::Ok
        },
        raw_output: Some(if error.is_none() {
            serde_json::to_string(&fixtures::both()).unwrap_or_default()
        } else {
            "{}".into()
        }),
        output: error.is_none().then(fixtures::both),
        output_hash: error
            .is_none()
            .then(|| crate::outcome::parsed_output_fingerprint(&fixtures::both())),
        error: error.map(str::to_string),
        scores: match error {
            None => eval::evaluate_record(&fixtures::both(), Ok(&fixtures::both())),
            Some(e) => eval::failed_record(e),
        },
        latency_ms: 1.5,
        input_tokens: Some(10),
        output_tokens: None,
        thinking_tokens: None,
        retries: 1,
        cost_usd: Some(0.001),
        cached: false,
        judge: None,
    }
}

#[tokio::test]
async fn story_dataset_run_experiment_outcomes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");

    let v1 = store
        .create_dataset_version(
            "d",
            "demo",
            "first",
            &[record("a"), record("b")],
            eval::label_issues(&[record("a"), record("b")]),
        )
        .await
        .expect("v1");
    let v2 = store
        .create_dataset_version(
            "d",
            "",
            "second",
            &[record("a")],
            eval::label_issues(&[record("a")]),
        )
        .await
        .expect("v2");
    assert_eq!((v1.version, v2.version), (1, 2));
    let (info, v, recs) = store
        .dataset_records("d", None, 0, u64::MAX >> 1)
        .await
        .expect("latest");
    assert_eq!((info.latest_version, v.version, recs.len()), (2, 2, 1));
    assert_eq!(
        store
            .dataset_records("d", Some(1), 0, u64::MAX >> 1)
            .await
            .expect("v1")
            .2
            .len(),
        2
    );
    let missing = store
        .dataset_records("d", Some(9), 0, u64::MAX >> 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("Failed to load dataset \"d\" version 9") && missing.contains("1, 2"),
        "{missing}"
    );
    let unknown = store
        .dataset_records("x", None, 0, u64::MAX >> 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("available: d"), "{unknown}");

    let run = RunRow {
        id: "run1".into(),
        mode: RunMode::Async,
        status: RunStatus::Running,
        request: ExperimentRunRequest::default(),
        dataset_id: info.dataset_id.clone(),
        dataset_name: "d".into(),
        dataset_version: 2,
        dataset_size: 1,
        response: None,
        error: None,
        created_at: crate::store::timestamp(),
        finished_at: None,
    };
    store.create_run(&run).await.expect("run");
    assert_eq!(store.unfinished_runs().await.expect("unfinished").len(), 1);
    let exp = ExperimentRow {
        id: "e1".into(),
        run_id: "run1".into(),
        position: 0,
        name: "vote-extraction-x".into(),
        project_name: "p".into(),
        dataset_name: "d".into(),
        dataset_version: 2,
        config: ModelConfig::new("rules-v1", 0.0, Some("x")),
        prompt_version: "n/a".into(),
        jobs: 2,
        repetitions: 1,
        raise_errors: false,
        total_trials: 3,
        status: ExperimentStatus::Running,
        error: None,
        summary: None,
        created_at: crate::store::timestamp(),
        finished_at: None,
    };
    store.create_experiment(&exp).await.expect("exp");
    store
        .insert_outcomes("e1", &[outcome(0, None), outcome(1, Some("boom"))])
        .await
        .expect("insert");
    // A trial stored twice (e.g. replayed after a crash) is kept once.
    let judged = shared::JudgeCall {
        input_tokens: Some(900),
        output_tokens: Some(120),
        thinking_tokens: Some(64),
        cost_usd: Some(0.0025),
        cached: true,
    };
    store
        .insert_outcomes(
            "e1",
            &[
                outcome(0, None),
                RecordOutcome {
                    judge: Some(judged.clone()),
                    ..outcome(2, None)
                },
            ],
        )
        .await
        .expect("insert again");
    let all = store.outcomes("e1").await.expect("outcomes");
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[2].judge,
        Some(judged),
        "the judge's usage is kept apart"
    );
    assert_eq!(all[0].judge, None);
    assert_eq!(all[1].error.as_deref(), Some("boom"));
    assert_eq!(all[1].status, RecordStatus::InvalidOutput);
    assert_eq!(all[0].output, Some(fixtures::both()));
    let failed = crate::store::TrialFilter {
        errors_only: true,
        ..Default::default()
    };
    let (errs, total) = store
        .outcomes_page("e1", 0, 10, &failed)
        .await
        .expect("page");
    assert_eq!((errs.len(), total), (1, 1));
    assert_eq!(store.done_trials("e1").await.expect("done").len(), 3);
    assert_eq!(store.trial_count("e1").await.expect("count"), 3);
    let (list, total) = store
        .list_experiments(&ExperimentFilter {
            model: Some("rules-v1".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!((list.len(), total), (1, 1));
    store
        .update_run("run1", RunStatus::Completed, None, None)
        .await
        .expect("update");
    assert!(store
        .unfinished_runs()
        .await
        .expect("unfinished")
        .is_empty());
    assert!(store.get_run("nope").await.is_err());
}

/// Scores and summaries stored before the evaluator registry (named fields, no labels)
/// still load; an evaluator they lack reads as absent, not as 0.
#[tokio::test]
async fn trials_stored_in_the_old_shape_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    let old_scores = r#"{"exact_form_match":true,"ballot_accuracy_score":0.5,
        "vote_results_quality":1.0,"has_no_errors":true,"voter_statistics_accuracy":1.0,
        "arithmetic_consistency":true,"overall":0.8333,
        "scores":[{"name":"exact_form_match","value":true},{"name":"ballot_accuracy_score","value":0.5},
                  {"name":"vote_results_quality","value":1.0},{"name":"has_no_errors","value":true}]}"#;
    sqlx::query("INSERT INTO runs (id, mode, status, request, dataset_id, dataset_name, dataset_version, dataset_size, created_at) VALUES ('r', 'sync', 'completed', '{}', 'd', 'd', 1, 1, 'now')")
        .execute(&store.pool).await.expect("run");
    sqlx::query("INSERT INTO experiments (id, run_id, position, name, project_name, dataset_name, dataset_version, model, temperature, config, jobs, repetitions, raise_errors, total_trials, status, created_at) VALUES ('e', 'r', 0, 'n', 'p', 'd', 1, 'm', 0, '{\"model\":\"m\"}', 1, 1, 0, 1, 'success', 'now')")
        .execute(&store.pool).await.expect("experiment");
    sqlx::query("INSERT INTO experiment_records (experiment_id, record_index, repetition, record_id, scores, overall, latency_ms, created_at) VALUES ('e', 0, 0, 'a', ?, 0.8333, 1.0, 'now')")
        .bind(old_scores)
        .execute(&store.pool).await.expect("trial");
    let outcomes = store.outcomes("e").await.expect("old trial loads");
    let scores = &outcomes[0].scores;
    assert_eq!(scores.value("ballot_accuracy_score"), Some(0.5));
    assert_eq!(
        scores.value("voter_statistics_accuracy"),
        None,
        "absent, not 0"
    );
    assert_eq!(outcomes[0].status, RecordStatus::Ok);
    let summary = eval::summary::summarize(
        &[eval::summary::ScoredRecord {
            record_id: "a",
            scores,
        }],
        1,
    );
    assert!(summary.get("avg_voter_statistics_accuracy").is_none());
    assert_eq!(summary.value("avg_ballot_accuracy"), 0.5);
}

/// A version is visible only once complete; one a crash left incomplete is removed at the
/// next start; a version of many batches keeps its records in order.
#[tokio::test]
async fn versions_appear_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    let many: Vec<DatasetRecord> = (0..(versions::BATCH * 2 + 7))
        .map(|i| record(&format!("r{i}")))
        .collect();
    let v1 = store
        .create_dataset_version("d", "", "big", &many, eval::label_issues(&many))
        .await
        .expect("v1");
    let (_, _, back) = store
        .dataset_records("d", Some(v1.version), 0, u64::MAX >> 1)
        .await
        .expect("read");
    assert_eq!(back.len(), many.len());
    assert!(
        back.iter().zip(&many).all(|(a, b)| a.id == b.id),
        "in order"
    );
    // One page's records by id, across the batch boundary; unknown ids are skipped.
    let wanted = ["r0", "r501", "missing", "r1006"];
    let mut page = store
        .dataset_records_by_id("d", v1.version, &wanted)
        .await
        .expect("by id");
    page.sort_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<&str> = page.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r0", "r1006", "r501"]);
    assert!(store
        .dataset_records_by_id("other", v1.version, &wanted)
        .await
        .expect("no dataset")
        .is_empty());

    // What a crash in the middle of an upload leaves: an incomplete version 2.
    sqlx::query("INSERT INTO dataset_versions (dataset_id, version, record_count, label_issues, note, created_at, complete) SELECT id, 2, 5, 0, 'half', 'now', 0 FROM datasets WHERE name = 'd'")
        .execute(&store.pool).await.unwrap();
    sqlx::query("INSERT INTO dataset_records (dataset_id, version, position, record_id, body) SELECT dataset_id, 2, position, record_id, body FROM dataset_records WHERE version = 1 AND position < 3")
        .execute(&store.pool).await.unwrap();
    let detail = store.dataset_detail("d").await.expect("detail");
    assert_eq!(
        detail.info.latest_version, 1,
        "the half version is invisible"
    );
    assert!(store
        .dataset_records("d", Some(2), 0, u64::MAX >> 1)
        .await
        .is_err());
    let next = store
        .create_dataset_version("d", "", "next", &many[..1], eval::label_issues(&many[..1]))
        .await
        .expect("v3");
    assert_eq!(next.version, 3, "numbers are never reused");
    store.close().await;

    let store = SqliteStore::open(&url).await.expect("reopen");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dataset_records WHERE version = 2")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "the crash's leftovers are gone");
    let versions: Vec<u32> = store
        .dataset_detail("d")
        .await
        .unwrap()
        .versions
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [1, 3]);
}
