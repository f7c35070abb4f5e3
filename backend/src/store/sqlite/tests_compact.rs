//! Compact trial storage: failing checks only, the raw output without its parse, per-field counts
//! kept beside the trials, and rows stored before all this still counted.

use std::borrow::Cow;

use shared::RecordStatus;
use sqlx::Row;

use super::*;
use crate::eval::table::FieldTally;
use crate::eval::{self, fixtures};
use crate::outcome::RecordOutcome;
use crate::store::ExperimentStore;

const RUN: &str = "INSERT INTO runs (id, mode, status, request, dataset_id, dataset_name, dataset_version, dataset_size, created_at) VALUES ('r', 'sync', 'completed', '{}', 'd', 'd', 1, 1, 'now')";
const EXPERIMENT: &str = "INSERT INTO experiments (id, run_id, position, name, project_name, dataset_name, dataset_version, model, temperature, config, jobs, repetitions, raise_errors, total_trials, status, created_at) VALUES ('e', 'r', 0, 'n', 'p', 'd', 1, 'm', 0, '{\"model\":\"m\"}', 1, 1, 0, 1, 'running', 'now')";

/// A parsed trial whose output gets one vote count wrong; `canonical` makes its raw output
/// the output's own JSON (as the built-in extractor answers).
fn trial(index: usize, repetition: u32, canonical: bool) -> RecordOutcome {
    let mut output = fixtures::both();
    output.0[0].vote_results[0].vote_count = Some(1);
    let json = serde_json::to_string(&output).expect("json");
    RecordOutcome {
        record_index: index,
        record_id: format!("r{index}"),
        repetition,
        status: RecordStatus::Ok,
        raw_output: Some(if canonical {
            json
        } else {
            format!("```json\n{json}\n```")
        }),
        scores: eval::evaluate_record(&fixtures::both(), Ok(&output)),
        output_hash: Some(crate::outcome::parsed_output_fingerprint(&output)),
        output: Some(output),
        error: None,
        latency_ms: 2.0,
        input_tokens: Some(100),
        output_tokens: Some(50),
        thinking_tokens: None,
        retries: 0,
        cost_usd: None,
        cached: false,
        judge: None,
    }
}

fn failed(index: usize, repetition: u32) -> RecordOutcome {
    RecordOutcome::failed(
        index,
        &format!("r{index}"),
        repetition,
        RecordStatus::CallFailed,
        "timeout".into(),
    )
}

async fn store_in(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    sqlx::query(RUN).execute(&store.pool).await.expect("run");
    sqlx::query(EXPERIMENT)
        .execute(&store.pool)
        .await
        .expect("experiment");
    store
}

#[tokio::test]
async fn trials_are_stored_compact_and_load_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(&dir).await;
    let trials = [trial(0, 0, true), trial(1, 0, false), failed(2, 0)];
    store.insert_outcomes("e", &trials).await.expect("insert");
    // Replayed after a crash: kept once, and counted once.
    store
        .insert_outcomes("e", &trials[..1])
        .await
        .expect("replay");

    let rows = sqlx::query(
        "SELECT record_index, output, scores FROM experiment_records ORDER BY record_index",
    )
    .fetch_all(&store.pool)
    .await
    .expect("rows");
    let output: Vec<Option<String>> = rows.iter().map(|r| r.get("output")).collect();
    assert!(
        output.iter().all(Option::is_none),
        "the parsed output is not stored beside its raw output"
    );
    for r in &rows {
        let scores: String = r.get("scores");
        assert!(
            !scores.contains("\"ok\":true"),
            "passing checks are not stored: {scores}"
        );
        assert!(scores.len() < 1500, "{} bytes of scores", scores.len());
    }
    let full = &trials[0].scores;
    let stored: shared::RecordScores =
        serde_json::from_str(rows[0].get::<&str, _>("scores")).expect("scores");
    assert_eq!(stored.overall, full.overall);
    assert!(stored
        .scores
        .iter()
        .flat_map(|s| &s.details)
        .any(|d| d.field.contains("vote_count")));

    let loaded = store.outcomes("e").await.expect("load");
    assert_eq!(
        loaded[0].output, trials[0].output,
        "the output is parsed again from the raw text"
    );
    assert_eq!(loaded[1].output, trials[1].output);
    assert_eq!(loaded[2].output, None);

    let mut expected = FieldTally::default();
    for t in &trials {
        expected.add_trial(&t.scores);
    }
    assert_eq!(store.field_tally("e").await.expect("tally"), expected);
    assert!(!expected.is_empty());

    // Paging through the scores visits every trial once, in order, without outputs.
    let first = store.score_page("e", None, 2).await.expect("page 1");
    let last = first.last().map(|o| (o.record_index, o.repetition));
    let second = store.score_page("e", last, 2).await.expect("page 2");
    let seen: Vec<usize> = first
        .iter()
        .chain(&second)
        .map(|o| o.record_index)
        .collect();
    assert_eq!(seen, vec![0, 1, 2]);
    assert!(first
        .iter()
        .all(|o| o.raw_output.is_none() && o.output.is_none()));
    assert_eq!(
        store.repetition_agreement("e").await.expect("agreement"),
        None
    );

    // Filters read indexes: a field some trial got wrong, failed trials, both.
    let wrong_field = first_failing_field(&trials[0]);
    let by = |errors_only: bool, field: Option<&str>| crate::store::TrialFilter {
        errors_only,
        field: field.map(str::to_string),
        ..Default::default()
    };
    let (page, total) = store
        .outcomes_page("e", 0, 10, &by(false, Some(&wrong_field)))
        .await
        .expect("by field");
    assert_eq!(total, 2, "{wrong_field}");
    assert_eq!(
        page.iter().map(|o| o.record_index).collect::<Vec<_>>(),
        vec![0, 1]
    );
    let (_, none) = store
        .outcomes_page(
            "e",
            0,
            10,
            &by(false, Some("Constituency.form_info.province")),
        )
        .await
        .expect("a right field");
    assert_eq!(none, 0);
    let (failed, n) = store
        .outcomes_page("e", 0, 10, &by(true, None))
        .await
        .expect("failed");
    assert_eq!((n, failed[0].record_index), (1, 2));
    let (_, both) = store
        .outcomes_page("e", 0, 10, &by(true, Some(&wrong_field)))
        .await
        .expect("both");
    assert_eq!(both, 0);
}

/// The first failing field of a trial, pooled as per-field accuracy names it.
fn first_failing_field(t: &RecordOutcome) -> String {
    let raw = t
        .scores
        .scores
        .iter()
        .flat_map(|s| &s.details)
        .find(|d| !d.ok)
        .map(|d| d.field.clone())
        .expect("a failing check");
    crate::eval::table::pool_rows(&raw)
}

#[tokio::test]
async fn repetition_agreement_compares_outputs_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(&dir).await;
    let mut other = trial(1, 1, true);
    other.output.as_mut().expect("output").0[0].vote_results[0].vote_count = Some(2);
    other.raw_output = Some(serde_json::to_string(&other.output).expect("json"));
    other.output_hash = other
        .output
        .as_ref()
        .map(crate::outcome::parsed_output_fingerprint);
    let trials = [
        trial(0, 0, true),
        trial(0, 1, false), // the same output in other raw text: agrees
        trial(1, 0, true),
        other, // a different output: disagrees
        failed(2, 0),
        failed(2, 1), // the same error: agrees
    ];
    store.insert_outcomes("e", &trials).await.expect("insert");
    let share = store.repetition_agreement("e").await.expect("agreement");
    assert_eq!(share, Some(2.0 / 3.0));
}

/// Rows stored before trials were compact (every check kept) are counted into the field
/// tally when the database is upgraded.
#[tokio::test]
async fn the_upgrade_counts_the_fields_of_trials_stored_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .expect("url")
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("pool");
    let mut before = sqlx::migrate!("./migrations/sqlite");
    let upgrade = before
        .migrations
        .iter()
        .position(|m| m.description.contains("compact"))
        .expect("the compact migration");
    before.migrations = Cow::Owned(before.migrations[..upgrade].to_vec());
    before.run(&pool).await.expect("older schema");
    sqlx::query(RUN).execute(&pool).await.expect("run");
    sqlx::query(EXPERIMENT)
        .execute(&pool)
        .await
        .expect("experiment");
    let trials = [trial(0, 0, true), trial(1, 0, true), failed(2, 0)];
    for t in &trials {
        sqlx::query("INSERT INTO experiment_records (experiment_id, record_index, repetition, record_id, raw_output, output, scores, overall, latency_ms, created_at, status) VALUES ('e', ?, 0, ?, ?, ?, ?, ?, 1.0, 'now', ?)")
            .bind(i64::try_from(t.record_index).expect("index"))
            .bind(&t.record_id)
            .bind(&t.raw_output)
            .bind(t.output.as_ref().map(|o| serde_json::to_string(o).expect("json")))
            .bind(serde_json::to_string(&t.scores).expect("scores"))
            .bind(t.scores.overall)
            .bind(t.status.as_str())
            .execute(&pool)
            .await
            .expect("old row");
    }
    pool.close().await;
    let store = SqliteStore::open(&url).await.expect("upgrade");
    let mut expected = FieldTally::default();
    for t in &trials {
        expected.add_trial(&t.scores);
    }
    assert_eq!(store.field_tally("e").await.expect("tally"), expected);
    // Their failing fields (raw paths) are found by the pooled name too.
    let field = first_failing_field(&trials[0]);
    assert!(field.contains("[]"), "{field}");
    let filter = crate::store::TrialFilter {
        field: Some(field),
        ..Default::default()
    };
    let (_, total) = store
        .outcomes_page("e", 0, 10, &filter)
        .await
        .expect("page");
    assert_eq!(total, 2);
}
