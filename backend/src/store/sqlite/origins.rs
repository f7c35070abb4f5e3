//! Which Datadog dataset version a local version was pulled from.

use sqlx::SqlitePool;

use crate::store::{DatadogOrigin, StoreResult};

pub(super) async fn set(
    pool: &SqlitePool,
    dataset_id: &str,
    version: u32,
    origin: &DatadogOrigin,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE dataset_versions SET datadog_dataset_id = ?, datadog_version = ?
         WHERE dataset_id = ? AND version = ?",
    )
    .bind(&origin.dataset_id)
    .bind(i64::from(origin.version))
    .bind(dataset_id)
    .bind(i64::from(version))
    .execute(pool)
    .await?;
    Ok(())
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) async fn newest(
    pool: &SqlitePool,
    name: &str,
) -> StoreResult<Option<Option<DatadogOrigin>>> {
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM datasets WHERE name = ?")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    let Some(dataset_id) = exists else {
        return Ok(None);
    };
    let row: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT datadog_dataset_id, datadog_version FROM dataset_versions
         WHERE dataset_id = ? AND complete = 1 ORDER BY version DESC LIMIT 1",
    )
    .bind(&dataset_id)
    .fetch_optional(pool)
    .await?;
    Ok(Some(match row {
        Some((Some(id), Some(v))) => Some(DatadogOrigin {
            dataset_id: id,
            version: v as u32,
        }),
        _ => None,
    }))
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) async fn pulled(
    pool: &SqlitePool,
    name: &str,
    origin: &DatadogOrigin,
) -> StoreResult<Option<u32>> {
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(v.version) FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
         WHERE d.name = ? AND v.complete = 1 AND v.datadog_dataset_id = ?
           AND v.datadog_version = ?",
    )
    .bind(name)
    .bind(&origin.dataset_id)
    .bind(i64::from(origin.version))
    .fetch_one(pool)
    .await?;
    Ok(version.map(|v| v as u32))
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) async fn of_version(
    pool: &SqlitePool,
    dataset_id: &str,
    version: u32,
) -> StoreResult<Option<DatadogOrigin>> {
    let row: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT datadog_dataset_id, datadog_version FROM dataset_versions
         WHERE dataset_id = ? AND version = ?",
    )
    .bind(dataset_id)
    .bind(i64::from(version))
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some((Some(id), Some(v))) => Some(DatadogOrigin {
            dataset_id: id,
            version: v as u32,
        }),
        _ => None,
    })
}
