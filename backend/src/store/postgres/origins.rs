//! Links between local dataset versions and Datadog dataset versions (`datadog_links`).

use sqlx::PgPool;

use crate::store::{timestamp, DatadogLink, DatadogOrigin, LinkDirection, StoreResult};

fn direction(d: LinkDirection) -> &'static str {
    match d {
        LinkDirection::Pulled => "pulled",
        LinkDirection::Pushed => "pushed",
    }
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn origin(row: Option<(String, i64)>) -> Option<DatadogOrigin> {
    row.map(|(dataset_id, version)| DatadogOrigin {
        dataset_id,
        version: version as u32,
    })
}

pub(super) async fn set(
    pool: &PgPool,
    dataset_id: &str,
    version: u32,
    link: &DatadogLink<'_>,
    origin: &DatadogOrigin,
    how: LinkDirection,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO datadog_links (dataset_id, version, site, project_id,
            datadog_dataset_id, datadog_version, direction, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dataset_id, version, site, project_id) DO UPDATE SET
            datadog_dataset_id = EXCLUDED.datadog_dataset_id,
            datadog_version = EXCLUDED.datadog_version,
            direction = EXCLUDED.direction, created_at = EXCLUDED.created_at",
    )
    .bind(dataset_id)
    .bind(i64::from(version))
    .bind(link.site)
    .bind(link.project_id)
    .bind(&origin.dataset_id)
    .bind(i64::from(origin.version))
    .bind(direction(how))
    .bind(timestamp())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn get(
    pool: &PgPool,
    dataset_id: &str,
    version: u32,
    link: &DatadogLink<'_>,
) -> StoreResult<Option<DatadogOrigin>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT datadog_dataset_id, datadog_version FROM datadog_links
         WHERE dataset_id = $1 AND version = $2 AND site = $3 AND project_id = $4",
    )
    .bind(dataset_id)
    .bind(i64::from(version))
    .bind(link.site)
    .bind(link.project_id)
    .fetch_optional(pool)
    .await?;
    Ok(origin(row))
}

pub(super) async fn newest_is_pulled(pool: &PgPool, name: &str) -> StoreResult<Option<bool>> {
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM datasets WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    let Some(dataset_id) = exists else {
        return Ok(None);
    };
    // EXISTS is a real boolean, not a 0/1 flag column.
    let pulled: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM datadog_links l WHERE l.dataset_id = $1
            AND l.direction = 'pulled' AND l.version = (SELECT MAX(version)
                FROM dataset_versions WHERE dataset_id = $1 AND complete = 1))",
    )
    .bind(&dataset_id)
    .fetch_one(pool)
    .await?;
    Ok(Some(pulled))
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) async fn linked(
    pool: &PgPool,
    name: &str,
    how: LinkDirection,
    link: Option<&DatadogLink<'_>>,
    (datadog_dataset_id, datadog_version): (Option<&str>, Option<u32>),
) -> StoreResult<Option<u32>> {
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(l.version) FROM datadog_links l
           JOIN datasets d ON d.id = l.dataset_id
           JOIN dataset_versions v ON v.dataset_id = l.dataset_id AND v.version = l.version
         WHERE d.name = $1 AND v.complete = 1 AND l.direction = $2
           AND ($3::TEXT IS NULL OR l.site = $3) AND ($4::TEXT IS NULL OR l.project_id = $4)
           AND ($5::TEXT IS NULL OR l.datadog_dataset_id = $5)
           AND ($6::BIGINT IS NULL OR l.datadog_version = $6)",
    )
    .bind(name)
    .bind(direction(how))
    .bind(link.map(|l| l.site))
    .bind(link.map(|l| l.project_id))
    .bind(datadog_dataset_id)
    .bind(datadog_version.map(i64::from))
    .fetch_one(pool)
    .await?;
    Ok(version.map(|v| v as u32))
}
