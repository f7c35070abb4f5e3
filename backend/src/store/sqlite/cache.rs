//! The response cache, the cache of comparisons of finished experiments, and their score
//! columns.

use async_trait::async_trait;

use super::SqliteStore;
use crate::store::{timestamp, CacheEntry, CacheStore, StoreResult};

#[async_trait]
impl CacheStore for SqliteStore {
    async fn cache_get(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM response_cache WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn cache_put_many(&self, entries: &[CacheEntry]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let now = timestamp();
        for e in entries {
            sqlx::query(
                "INSERT OR IGNORE INTO response_cache (key, model, body, created_at) VALUES (?, ?, ?, ?)",
            )
            .bind(&e.key)
            .bind(&e.model)
            .bind(&*e.body)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn comparison_get(&self, ids: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM comparisons WHERE ids = ?")
                .bind(ids)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn score_columns_get(
        &self,
        experiment_id: &str,
        chunk: i64,
    ) -> StoreResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM experiment_score_columns WHERE experiment_id = ? AND chunk = ?",
        )
        .bind(experiment_id)
        .bind(chunk)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn score_columns_put(
        &self,
        experiment_id: &str,
        chunk: i64,
        body: &[u8],
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO experiment_score_columns (experiment_id, chunk, body)
             VALUES (?, ?, ?)",
        )
        .bind(experiment_id)
        .bind(chunk)
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn score_columns_clear(&self, experiment_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM experiment_score_columns WHERE experiment_id = ?")
            .bind(experiment_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn comparison_put(&self, ids: &str, body: &str) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO comparisons (ids, body, created_at) VALUES (?, ?, ?)")
            .bind(ids)
            .bind(body)
            .bind(timestamp())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
