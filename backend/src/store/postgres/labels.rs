//! A label correction: a new version that shares every other record with the newest one
//! (by reference to the row holding its body, see `versions::BODY`), written in one
//! transaction holding a row lock of the dataset (so concurrent corrections, and uploads,
//! apply one after the other, each on top of the last, and none is lost).

use shared::{DatasetRecord, DatasetVersionInfo};
use sqlx::{PgPool, Row};

use crate::eval::audit_label;
use crate::store::{timestamp, LabelEdit, StoreError, StoreResult};

pub(super) async fn correct_label(
    pool: &PgPool,
    edit: LabelEdit<'_>,
) -> StoreResult<DatasetVersionInfo> {
    let mut tx = pool.begin().await?;
    // The lock makes the stale check and the new version's number one step: another
    // correction or upload of this dataset waits until this one commits.
    let dataset_id: String =
        sqlx::query_scalar("SELECT id FROM datasets WHERE name = $1 FOR UPDATE")
            .bind(edit.dataset)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "Failed to load dataset \"{}\": no such dataset",
                    edit.dataset
                ))
            })?;
    let latest = sqlx::query(
        "SELECT version, record_count, label_issues FROM dataset_versions
         WHERE dataset_id = $1 AND complete = 1 ORDER BY version DESC LIMIT 1",
    )
    .bind(&dataset_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::NotFound(format!(
            "Failed to load dataset \"{}\": its first version is still being uploaded",
            edit.dataset
        ))
    })?;
    let (latest_version, record_count, label_issues): (i64, i64, i64) = (
        latest.try_get("version")?,
        latest.try_get("record_count")?,
        latest.try_get("label_issues")?,
    );
    if let Some(base) = edit.base_version {
        if i64::from(base) != latest_version {
            return Err(StoreError::Conflict(format!(
                "{} has changed since version {base}: version {latest_version} is the newest; \
                 correct the label on it",
                edit.dataset
            )));
        }
    }
    let old = sqlx::query(&format!(
        "SELECT r.position, {} AS body FROM dataset_records r
         WHERE r.dataset_id = $1 AND r.version = $2 AND r.record_id = $3",
        super::versions::BODY
    ))
    .bind(&dataset_id)
    .bind(latest_version)
    .bind(edit.record_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::NotFound(format!(
            "record \"{}\" not found in {} version {latest_version}",
            edit.record_id, edit.dataset
        ))
    })?;
    let position: i64 = old.try_get("position")?;
    let mut record: DatasetRecord = serde_json::from_str(old.try_get::<&str, _>("body")?)?;
    let was_flagged = !audit_label(&record.expected_output).is_empty();
    record.expected_output = edit.expected_output.clone();
    let mut review = edit.review;
    if let Some(fields) = review.as_object_mut() {
        fields.insert("from_version".into(), latest_version.into());
    }
    record.metadata.insert("review".into(), review);
    let is_flagged = !audit_label(&record.expected_output).is_empty();
    let issues = label_issues - i64::from(was_flagged) + i64::from(is_flagged);
    // Incomplete versions (an upload in progress) count: numbers are never reused.
    let version: i64 =
        sqlx::query_scalar("SELECT MAX(version) + 1 FROM dataset_versions WHERE dataset_id = $1")
            .bind(&dataset_id)
            .fetch_one(&mut *tx)
            .await?;
    let created_at = timestamp();
    sqlx::query(
        "INSERT INTO dataset_versions (dataset_id, version, record_count, label_issues, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&dataset_id)
    .bind(version)
    .bind(record_count)
    .bind(issues)
    .bind(edit.note)
    .bind(&created_at)
    .execute(&mut *tx)
    .await?;
    // Every other record is shared by reference to the row that holds its body: the new
    // version costs a small row per record, and nothing is read into memory.
    sqlx::query(
        "INSERT INTO dataset_records (dataset_id, version, position, record_id, body, body_version,
                                      flagged)
         SELECT dataset_id, $1::BIGINT, position, record_id, '', COALESCE(body_version, version), flagged
         FROM dataset_records WHERE dataset_id = $2 AND version = $3 AND record_id <> $4",
    )
    .bind(version)
    .bind(&dataset_id)
    .bind(latest_version)
    .bind(edit.record_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO dataset_records (dataset_id, version, position, record_id, body, flagged)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&dataset_id)
    .bind(version)
    .bind(position)
    .bind(edit.record_id)
    .bind(serde_json::to_string(&record)?)
    .bind(i64::from(super::versions::flagged(&record)))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    Ok(DatasetVersionInfo {
        version: version as u32,
        record_count: record_count as u64,
        created_at,
        note: edit.note.to_string(),
        label_issues: issues as u64,
    })
}
