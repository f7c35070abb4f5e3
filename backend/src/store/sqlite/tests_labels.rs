//! Label corrections share every unchanged record with earlier versions by reference.

use shared::DatasetRecord;
use sqlx::Row;

use super::tests::record;
use super::*;
use crate::eval::fixtures;
use crate::store::{DatasetStore, LabelEdit};

async fn correct(store: &SqliteStore, id: &str, good_ballots: u64) {
    let mut label = fixtures::both();
    label.0[0].ballot_statistics.good_ballots = Some(good_ballots);
    store
        .correct_label(LabelEdit {
            dataset: "d",
            record_id: id,
            base_version: None,
            expected_output: &label,
            review: serde_json::json!({"reviewed_by": "somchai"}),
            note: "fix",
        })
        .await
        .expect("correct");
}

#[tokio::test]
async fn corrections_store_each_unchanged_record_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    let records: Vec<DatasetRecord> = ["r0", "r1", "r2"].into_iter().map(record).collect();
    store
        .create_dataset_version("d", "", "upload", &records, 0)
        .await
        .expect("v1");
    correct(&store, "r1", 1).await; // v2
    correct(&store, "r2", 2).await; // v3

    let (_, _, v3) = store
        .dataset_records("d", Some(3), 0, 10)
        .await
        .expect("v3");
    let ids: Vec<&str> = v3.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["r0", "r1", "r2"], "in position order");
    let good = |r: &DatasetRecord| r.expected_output.0[0].ballot_statistics.good_ballots;
    assert_eq!(v3[0], records[0], "unchanged");
    assert_eq!(good(&v3[1]), Some(1), "the first correction carries on");
    assert_eq!(good(&v3[2]), Some(2));
    let by_id = store
        .dataset_records_by_id("d", 3, &["r1"])
        .await
        .expect("by id");
    assert_eq!(by_id, vec![v3[1].clone()]);
    let (_, _, v1) = store
        .dataset_records("d", Some(1), 0, 10)
        .await
        .expect("v1");
    assert_eq!(v1, records, "old versions are kept");

    // Each record's body is stored once per change; the references point at the row that
    // holds it (no chains).
    let rows = sqlx::query(
        "SELECT version, record_id, LENGTH(body) AS len, body_version FROM dataset_records
         ORDER BY version, position",
    )
    .fetch_all(&store.pool)
    .await
    .expect("rows");
    let stored: Vec<(i64, String, i64, Option<i64>)> = rows
        .iter()
        .map(|r| {
            (
                r.get("version"),
                r.get("record_id"),
                r.get("len"),
                r.get("body_version"),
            )
        })
        .collect();
    let bodies = stored.iter().filter(|(_, _, len, _)| *len > 0).count();
    assert_eq!(bodies, 5, "3 uploaded + 2 corrected: {stored:?}");
    let refs: Vec<(i64, &str, Option<i64>)> = stored
        .iter()
        .filter(|(v, ..)| *v == 3)
        .map(|(v, id, _, to)| (*v, id.as_str(), *to))
        .collect();
    assert_eq!(
        refs,
        vec![(3, "r0", Some(1)), (3, "r1", Some(2)), (3, "r2", None)]
    );
}

#[tokio::test]
async fn flagged_records_are_found_by_index_and_old_rows_are_audited_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqliteStore::open(&url).await.expect("open");
    let mut bad = record("bad");
    bad.expected_output.0[0].ballot_statistics.ballots_used = Some(1);
    let records = [record("a"), bad, record("b")];
    store
        .create_dataset_version("d", "", "v1", &records, crate::eval::label_issues(&records))
        .await
        .expect("v1");
    let dataset_id: String = sqlx::query_scalar("SELECT id FROM datasets WHERE name = 'd'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let only = crate::store::RecordSelection {
        flagged: true,
        search: None,
    };
    let (found, total) = store
        .dataset_records_where(&dataset_id, 1, &only, 0, 10)
        .await
        .expect("flagged");
    assert_eq!((total, found[0].id.as_str()), (1, "bad"));
    // Rows stored before the column: audited on first use, then set.
    sqlx::query("UPDATE dataset_records SET flagged = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    let (found, total) = store
        .dataset_records_where(&dataset_id, 1, &only, 0, 10)
        .await
        .expect("flagged");
    assert_eq!((total, found.len()), (1, 1));
    let unaudited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM dataset_records WHERE flagged IS NULL")
            .fetch_one(&store.pool)
            .await
            .unwrap();
    assert_eq!(unaudited, 0);
    let search = crate::store::RecordSelection {
        flagged: false,
        search: Some("b".into()),
    };
    let (_, total) = store
        .dataset_records_where(&dataset_id, 1, &search, 0, 10)
        .await
        .expect("search");
    assert_eq!(total, 2, "\"bad\" and \"b\"");
}
