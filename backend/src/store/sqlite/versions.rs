//! Writing a dataset version in bounded batches: the version row is stored incomplete,
//! records go in batches of [`BATCH`] (each its own short IMMEDIATE transaction, so other
//! writers — a run committing trials, another upload — get the lock between them), and the
//! version becomes visible only when its last record is in. A version left incomplete by a
//! crash is removed at the next start.

use shared::{DatasetRecord, DatasetVersionInfo};
use sqlx::SqlitePool;

use crate::store::{timestamp, PendingVersion, StoreResult};

/// A record row's body: its own, or the one of the version it shares it with (see
/// `labels.rs`). Selected from `dataset_records r`.
pub(super) const BODY: &str = "CASE WHEN r.body_version IS NULL THEN r.body ELSE (
    SELECT b.body FROM dataset_records b WHERE b.dataset_id = r.dataset_id
      AND b.version = r.body_version AND b.record_id = r.record_id) END";

/// Whether a record's label breaks an identity (stored in `flagged`).
pub(super) fn flagged(record: &DatasetRecord) -> bool {
    !crate::eval::arithmetic::audit_label(&record.expected_output).is_empty()
}

/// Records per transaction.
pub const BATCH: usize = 500;

/// Stores the dataset (if new) and the next version's row, incomplete and empty.
pub(super) async fn begin(
    pool: &SqlitePool,
    name: &str,
    description: &str,
    note: &str,
) -> StoreResult<PendingVersion> {
    let created_at = timestamp();
    // IMMEDIATE: take the write lock now, not when the first write upgrades a read (two
    // writers that both read first deadlock, and one gets "database is locked").
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM datasets WHERE name = ?")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    let dataset_id = match existing {
        Some(id) => {
            if !description.is_empty() {
                sqlx::query("UPDATE datasets SET description = ? WHERE id = ?")
                    .bind(description)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            id
        }
        None => {
            let id = format!("ds_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(
                "INSERT INTO datasets (id, name, description, created_at) VALUES (?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(name)
            .bind(description)
            .bind(&created_at)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    // Incomplete versions count: two uploads never get the same number.
    let version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE dataset_id = ?",
    )
    .bind(&dataset_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO dataset_versions
            (dataset_id, version, record_count, label_issues, note, created_at, complete)
         VALUES (?, ?, 0, 0, ?, ?, 0)",
    )
    .bind(&dataset_id)
    .bind(version)
    .bind(note)
    .bind(&created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(PendingVersion {
        dataset_id,
        version: u32::try_from(version).unwrap_or(u32::MAX),
        note: note.to_string(),
        created_at,
    })
}

/// Stores `records` at positions from `first_position`, in one short transaction.
pub(super) async fn append(
    pool: &SqlitePool,
    v: &PendingVersion,
    first_position: u64,
    records: &[DatasetRecord],
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for (i, record) in records.iter().enumerate() {
        sqlx::query(
            "INSERT INTO dataset_records (dataset_id, version, position, record_id, body, flagged)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&v.dataset_id)
        .bind(i64::from(v.version))
        .bind(i64::try_from(first_position + i as u64).unwrap_or(i64::MAX))
        .bind(&record.id)
        .bind(serde_json::to_string(record)?)
        .bind(flagged(record))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes a version visible with its final counts.
pub(super) async fn complete(
    pool: &SqlitePool,
    v: &PendingVersion,
    record_count: u64,
    label_issues: u64,
) -> StoreResult<DatasetVersionInfo> {
    sqlx::query(
        "UPDATE dataset_versions SET complete = 1, record_count = ?, label_issues = ?
         WHERE dataset_id = ? AND version = ?",
    )
    .bind(i64::try_from(record_count).unwrap_or(i64::MAX))
    .bind(i64::try_from(label_issues).unwrap_or(i64::MAX))
    .bind(&v.dataset_id)
    .bind(i64::from(v.version))
    .execute(pool)
    .await?;
    Ok(DatasetVersionInfo {
        version: v.version,
        record_count,
        created_at: v.created_at.clone(),
        note: v.note.clone(),
        label_issues,
    })
}

/// Removes an incomplete version (its records first).
pub(super) async fn discard(pool: &SqlitePool, dataset_id: &str, version: i64) {
    for sql in [
        "DELETE FROM dataset_records WHERE dataset_id = ? AND version = ?",
        "DELETE FROM dataset_versions WHERE dataset_id = ? AND version = ? AND complete = 0",
    ] {
        if let Err(e) = sqlx::query(sql)
            .bind(dataset_id)
            .bind(version)
            .execute(pool)
            .await
        {
            tracing::warn!(error = %e, dataset_id, version, "cannot remove an incomplete version");
        }
    }
}

/// Removes every version a crash left incomplete, and datasets left with none.
pub(super) async fn remove_incomplete(pool: &SqlitePool) -> StoreResult<u64> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "DELETE FROM dataset_records WHERE EXISTS (SELECT 1 FROM dataset_versions v
            WHERE v.dataset_id = dataset_records.dataset_id
              AND v.version = dataset_records.version AND v.complete = 0)",
    )
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query("DELETE FROM dataset_versions WHERE complete = 0")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "DELETE FROM datasets WHERE NOT EXISTS
            (SELECT 1 FROM dataset_versions v WHERE v.dataset_id = datasets.id)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(removed)
}

/// Sets `flagged` on the records of a version stored before it existed, a batch at a time
/// (once per version: afterwards there is nothing left to audit).
pub(super) async fn audit_unaudited(
    pool: &SqlitePool,
    dataset_id: &str,
    version: u32,
) -> StoreResult<()> {
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT r.position, {BODY} FROM dataset_records r
             WHERE r.dataset_id = ? AND r.version = ? AND r.flagged IS NULL
             ORDER BY r.position LIMIT ?"
        ))
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(i64::try_from(BATCH).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        for (position, body) in &rows {
            let record: DatasetRecord = serde_json::from_str(body)?;
            sqlx::query(
                "UPDATE dataset_records SET flagged = ?
                 WHERE dataset_id = ? AND version = ? AND position = ?",
            )
            .bind(flagged(&record))
            .bind(dataset_id)
            .bind(i64::from(version))
            .bind(position)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
}
