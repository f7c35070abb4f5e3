//! Datasets and their versions.

use async_trait::async_trait;
use shared::{DatasetDetail, DatasetInfo, DatasetRecord, DatasetVersionInfo};
use sqlx::Row;

use super::versions::BODY;
use super::SqliteStore;
use crate::store::{
    DatadogLink, DatadogOrigin, DatasetStore, LabelEdit, LinkDirection, PendingVersion,
    RecordSelection, StoreError, StoreResult,
};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn version_info(row: &sqlx::sqlite::SqliteRow) -> DatasetVersionInfo {
    DatasetVersionInfo {
        version: row.get::<i64, _>("version") as u32,
        record_count: row.get::<i64, _>("record_count") as u64,
        created_at: row.get("created_at"),
        note: row.get("note"),
        label_issues: row.get::<i64, _>("label_issues") as u64,
    }
}

impl SqliteStore {
    async fn dataset_row(&self, name: &str) -> StoreResult<(String, String, String)> {
        let row = sqlx::query("SELECT id, description, created_at FROM datasets WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok((r.get("id"), r.get("description"), r.get("created_at"))),
            None => {
                let names: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM datasets ORDER BY name")
                        .fetch_all(&self.pool)
                        .await?;
                Err(StoreError::NotFound(format!(
                    "Failed to load dataset \"{name}\": no such dataset (available: {})",
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                )))
            }
        }
    }

    async fn versions(&self, dataset_id: &str) -> StoreResult<Vec<DatasetVersionInfo>> {
        let rows = sqlx::query(
            "SELECT version, record_count, created_at, note, label_issues FROM dataset_versions
             WHERE dataset_id = ? AND complete = 1 ORDER BY version",
        )
        .bind(dataset_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(version_info).collect())
    }
}

#[async_trait]
impl DatasetStore for SqliteStore {
    async fn list_datasets(&self) -> StoreResult<Vec<DatasetInfo>> {
        let rows = sqlx::query(
            "SELECT d.id, d.name, d.description, d.created_at, v.version, v.record_count
             FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id
             WHERE v.version = (SELECT MAX(version) FROM dataset_versions
                                WHERE dataset_id = d.id AND complete = 1)
             ORDER BY d.name",
        )
        .fetch_all(&self.pool)
        .await?;
        #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
        Ok(rows
            .iter()
            .map(|r| DatasetInfo {
                dataset_id: r.get("id"),
                name: r.get("name"),
                description: r.get("description"),
                latest_version: r.get::<i64, _>("version") as u32,
                record_count: r.get::<i64, _>("record_count") as u64,
                created_at: r.get("created_at"),
            })
            .collect())
    }

    async fn dataset_detail(&self, name: &str) -> StoreResult<DatasetDetail> {
        let (id, description, created_at) = self.dataset_row(name).await?;
        let versions = self.versions(&id).await?;
        let latest = versions.last().cloned().ok_or_else(|| {
            StoreError::NotFound(format!(
                "Failed to load dataset \"{name}\": its first version is still being uploaded"
            ))
        })?;
        Ok(DatasetDetail {
            info: DatasetInfo {
                dataset_id: id,
                name: name.into(),
                description,
                latest_version: latest.version,
                record_count: latest.record_count,
                created_at,
            },
            versions,
        })
    }

    async fn begin_version(
        &self,
        name: &str,
        description: &str,
        note: &str,
    ) -> StoreResult<PendingVersion> {
        super::versions::begin(&self.pool, name, description, note).await
    }

    async fn append_records(
        &self,
        version: &PendingVersion,
        first_position: u64,
        records: &[DatasetRecord],
    ) -> StoreResult<()> {
        super::versions::append(&self.pool, version, first_position, records).await
    }

    async fn complete_version(
        &self,
        version: &PendingVersion,
        record_count: u64,
        label_issues: u64,
    ) -> StoreResult<DatasetVersionInfo> {
        super::versions::complete(&self.pool, version, record_count, label_issues).await
    }

    async fn discard_version(&self, version: &PendingVersion) {
        super::versions::discard(&self.pool, &version.dataset_id, i64::from(version.version)).await;
    }

    async fn set_datadog_link(
        &self,
        dataset_id: &str,
        version: u32,
        link: &DatadogLink<'_>,
        origin: &DatadogOrigin,
        how: LinkDirection,
    ) -> StoreResult<()> {
        super::origins::set(&self.pool, dataset_id, version, link, origin, how).await
    }

    async fn datadog_link(
        &self,
        dataset_id: &str,
        version: u32,
        link: &DatadogLink<'_>,
    ) -> StoreResult<Option<DatadogOrigin>> {
        super::origins::get(&self.pool, dataset_id, version, link).await
    }

    async fn newest_is_pulled(&self, name: &str) -> StoreResult<Option<bool>> {
        super::origins::newest_is_pulled(&self.pool, name).await
    }

    async fn linked_version(
        &self,
        name: &str,
        how: LinkDirection,
        link: Option<&DatadogLink<'_>>,
        datadog_dataset_id: Option<&str>,
        datadog_version: Option<u32>,
    ) -> StoreResult<Option<u32>> {
        let remote = (datadog_dataset_id, datadog_version);
        super::origins::linked(&self.pool, name, how, link, remote).await
    }

    async fn correct_label(&self, edit: LabelEdit<'_>) -> StoreResult<DatasetVersionInfo> {
        super::labels::correct_label(&self.pool, edit).await
    }

    async fn dataset_records_at(
        &self,
        dataset_id: &str,
        version: u32,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<DatasetRecord>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Positions are 0..record_count: a page is a range of the primary key.
        let bodies: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {BODY} FROM dataset_records r WHERE r.dataset_id = ? AND r.version = ?
               AND r.position >= ? ORDER BY r.position LIMIT ?"
        ))
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        bodies
            .iter()
            .map(|b| Ok(serde_json::from_str::<DatasetRecord>(b)?))
            .collect()
    }

    async fn dataset_records_where(
        &self,
        dataset_id: &str,
        version: u32,
        only: &RecordSelection,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(Vec<DatasetRecord>, u64)> {
        if only.flagged {
            super::versions::audit_unaudited(&self.pool, dataset_id, version).await?;
        }
        let cond = "r.dataset_id = ?1 AND r.version = ?2 AND (?3 = 0 OR r.flagged = 1)
                    AND (?4 IS NULL OR instr(r.record_id, ?4) > 0)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM dataset_records r WHERE {cond}"
        ))
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(only.flagged)
        .bind(only.search.as_deref())
        .fetch_one(&self.pool)
        .await?;
        let bodies: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {BODY} FROM dataset_records r WHERE {cond} ORDER BY r.position LIMIT ?5 OFFSET ?6"
        ))
        .bind(dataset_id)
        .bind(i64::from(version))
        .bind(only.flagged)
        .bind(only.search.as_deref())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let records = bodies
            .iter()
            .map(|b| Ok(serde_json::from_str::<DatasetRecord>(b)?))
            .collect::<StoreResult<_>>()?;
        #[allow(clippy::cast_sign_loss)]
        Ok((records, total as u64))
    }

    async fn dataset_records_by_id(
        &self,
        name: &str,
        version: u32,
        ids: &[&str],
    ) -> StoreResult<Vec<DatasetRecord>> {
        let mut bodies: Vec<String> = Vec::with_capacity(ids.len());
        // Bound the statement's parameters well under SQLite's limit.
        for chunk in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {BODY} FROM dataset_records r JOIN datasets d ON d.id = r.dataset_id \
                 WHERE d.name = "
            ));
            q.push_bind(name)
                .push(" AND r.version = ")
                .push_bind(i64::from(version))
                .push(" AND r.record_id IN (");
            let mut ids_list = q.separated(", ");
            for id in chunk {
                ids_list.push_bind(*id);
            }
            ids_list.push_unseparated(")");
            bodies.extend(
                q.build_query_scalar::<String>()
                    .fetch_all(&self.pool)
                    .await?,
            );
        }
        Ok(bodies
            .iter()
            .map(|b| serde_json::from_str::<DatasetRecord>(b))
            .collect::<Result<Vec<_>, _>>()?)
    }
}
