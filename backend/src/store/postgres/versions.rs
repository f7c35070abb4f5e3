//! Writing a dataset version in bounded batches: the version row is stored incomplete,
//! records go in batches of [`BATCH`] (each one multi-row statement, so a batch costs one
//! round trip), and the version becomes visible only when its last record is in. Version
//! numbers are taken under a row lock of the dataset, so two uploads never get the same
//! one. A version left incomplete for over an hour (a crashed upload) is removed by
//! [`remove_incomplete`].

use shared::{DatasetRecord, DatasetVersionInfo};
use sqlx::PgPool;

use super::big;
use crate::store::{timestamp, PendingVersion, StoreError, StoreResult};

/// A record row's body: its own, or the one of the version it shares it with (see
/// `labels.rs`). Selected from `dataset_records r`.
pub(super) const BODY: &str = "CASE WHEN r.body_version IS NULL THEN r.body ELSE (
    SELECT b.body FROM dataset_records b WHERE b.dataset_id = r.dataset_id
      AND b.version = r.body_version AND b.record_id = r.record_id) END";

/// Whether a record's label breaks an identity (stored in `flagged` as 0/1).
pub(super) fn flagged(record: &DatasetRecord) -> bool {
    !crate::eval::arithmetic::audit_label(&record.expected_output).is_empty()
}

/// Records per statement (six arrays of this length, far under any parameter limit).
pub const BATCH: usize = 500;

/// How old an incomplete version must be before [`remove_incomplete`] takes it for the
/// leftover of a crash rather than an upload in progress in another replica.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::hours(1);

/// Stores the dataset (if new) and the next version's row, incomplete and empty.
pub(super) async fn begin(
    pool: &PgPool,
    name: &str,
    description: &str,
    note: &str,
) -> StoreResult<PendingVersion> {
    let created_at = timestamp();
    let mut tx = pool.begin().await?;
    let mut attempts = 0;
    let (dataset_id, created) = loop {
        let id = format!("ds_{}", uuid::Uuid::new_v4().simple());
        let created = sqlx::query(
            "INSERT INTO datasets (id, name, description, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&id)
        .bind(name)
        .bind(description)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        // The lock makes the number below ours until commit: a concurrent upload or label
        // correction of this dataset waits here.
        let locked: Option<String> =
            sqlx::query_scalar("SELECT id FROM datasets WHERE name = $1 FOR UPDATE")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        // None: `remove_incomplete` deleted the empty dataset between the two statements;
        // the insert succeeds the next time round.
        if let Some(id) = locked {
            break (id, created);
        }
        attempts += 1;
        if attempts == 3 {
            return Err(StoreError::Busy(format!(
                "dataset \"{name}\" kept disappearing while a version was started"
            )));
        }
    };
    if !created && !description.is_empty() {
        sqlx::query("UPDATE datasets SET description = $1 WHERE id = $2")
            .bind(description)
            .bind(&dataset_id)
            .execute(&mut *tx)
            .await?;
    }
    // Incomplete versions count: two uploads never get the same number.
    let version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE dataset_id = $1",
    )
    .bind(&dataset_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO dataset_versions
            (dataset_id, version, record_count, label_issues, note, created_at, complete)
         VALUES ($1, $2, 0, 0, $3, $4, 0)",
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

/// Stores `records` at positions from `first_position`, in one statement.
pub(super) async fn append(
    pool: &PgPool,
    v: &PendingVersion,
    first_position: u64,
    records: &[DatasetRecord],
) -> StoreResult<()> {
    let mut positions = Vec::with_capacity(records.len());
    let mut ids = Vec::with_capacity(records.len());
    let mut bodies = Vec::with_capacity(records.len());
    let mut flags = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        positions.push(big(first_position + i as u64));
        ids.push(record.id.as_str());
        bodies.push(serde_json::to_string(record)?);
        flags.push(i64::from(flagged(record)));
    }
    sqlx::query(
        "INSERT INTO dataset_records (dataset_id, version, position, record_id, body, flagged)
         SELECT $1, $2, p, id, body, f
         FROM UNNEST($3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[]) AS t(p, id, body, f)",
    )
    .bind(&v.dataset_id)
    .bind(i64::from(v.version))
    .bind(&positions)
    .bind(&ids)
    .bind(&bodies)
    .bind(&flags)
    .execute(pool)
    .await?;
    Ok(())
}

/// Makes a version visible with its final counts.
pub(super) async fn complete(
    pool: &PgPool,
    v: &PendingVersion,
    record_count: u64,
    label_issues: u64,
) -> StoreResult<DatasetVersionInfo> {
    let updated = sqlx::query(
        "UPDATE dataset_versions SET complete = 1, record_count = $1, label_issues = $2
         WHERE dataset_id = $3 AND version = $4",
    )
    .bind(big(record_count))
    .bind(big(label_issues))
    .bind(&v.dataset_id)
    .bind(i64::from(v.version))
    .execute(pool)
    .await?
    .rows_affected();
    // Another replica's `remove_incomplete` takes an upload older than its cut-off for
    // abandoned: say so rather than report a version that is gone.
    if updated == 0 {
        return Err(StoreError::NotFound(format!(
            "version {} was removed before it was complete (its upload took too long)",
            v.version
        )));
    }
    Ok(DatasetVersionInfo {
        version: v.version,
        record_count,
        created_at: v.created_at.clone(),
        note: v.note.clone(),
        label_issues,
    })
}

/// Removes an incomplete version (its records first).
pub(super) async fn discard(pool: &PgPool, dataset_id: &str, version: i64) {
    for sql in [
        "DELETE FROM dataset_records WHERE dataset_id = $1 AND version = $2",
        "DELETE FROM dataset_versions WHERE dataset_id = $1 AND version = $2 AND complete = 0",
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

/// Removes the versions left incomplete for over an hour (uploads cut short by a crash;
/// a younger one may be an upload in progress in another replica, and is kept), and
/// datasets left with no version at all. Returns how many versions it removed.
pub(super) async fn remove_incomplete(pool: &PgPool) -> StoreResult<u64> {
    let cutoff =
        (chrono::Utc::now() - ABANDONED_AFTER).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = pool.begin().await?;
    // Locking the versions first waits for a batch being appended to one of them (its
    // foreign-key check holds a share lock) and makes later appends and completion fail.
    let stale: Vec<(String, i64)> = sqlx::query_as(
        "SELECT dataset_id, version FROM dataset_versions
         WHERE complete = 0 AND created_at < $1 FOR UPDATE",
    )
    .bind(&cutoff)
    .fetch_all(&mut *tx)
    .await?;
    let (datasets, versions): (Vec<String>, Vec<i64>) = stale.into_iter().unzip();
    sqlx::query(
        "DELETE FROM dataset_records r USING UNNEST($1::TEXT[], $2::BIGINT[]) AS s(d, v)
         WHERE r.dataset_id = s.d AND r.version = s.v",
    )
    .bind(&datasets)
    .bind(&versions)
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query(
        "DELETE FROM dataset_versions t USING UNNEST($1::TEXT[], $2::BIGINT[]) AS s(d, v)
         WHERE t.dataset_id = s.d AND t.version = s.v AND t.complete = 0",
    )
    .bind(&datasets)
    .bind(&versions)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // SKIP LOCKED: a dataset locked by `begin` is getting a version.
    sqlx::query(
        "DELETE FROM datasets WHERE id IN (SELECT d.id FROM datasets d WHERE NOT EXISTS
            (SELECT 1 FROM dataset_versions v WHERE v.dataset_id = d.id)
         FOR UPDATE SKIP LOCKED)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(removed)
}

/// Sets `flagged` on the records of a version stored before it existed, a batch at a time
/// (once per version: afterwards there is nothing left to audit).
pub(super) async fn audit_unaudited(
    pool: &PgPool,
    dataset_id: &str,
    version: u32,
) -> StoreResult<()> {
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT r.position, {BODY} FROM dataset_records r
             WHERE r.dataset_id = $1 AND r.version = $2 AND r.flagged IS NULL
             ORDER BY r.position LIMIT $3"
        ))
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(big(BATCH as u64))
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut positions = Vec::with_capacity(rows.len());
        let mut flags = Vec::with_capacity(rows.len());
        for (position, body) in &rows {
            let record: DatasetRecord = serde_json::from_str(body)?;
            positions.push(*position);
            flags.push(i64::from(flagged(&record)));
        }
        sqlx::query(
            "UPDATE dataset_records r SET flagged = u.f
             FROM UNNEST($3::BIGINT[], $4::BIGINT[]) AS u(p, f)
             WHERE r.dataset_id = $1 AND r.version = $2 AND r.position = u.p",
        )
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(&positions)
        .bind(&flags)
        .execute(pool)
        .await?;
    }
}
