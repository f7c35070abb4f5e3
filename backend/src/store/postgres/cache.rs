//! The response cache, the cache of comparisons of finished experiments, and their score
//! columns.

use async_trait::async_trait;

use super::PgStore;
use crate::store::{timestamp, CacheEntry, CacheStore, StoreResult};

#[async_trait]
impl CacheStore for PgStore {
    async fn cache_get(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM response_cache WHERE key = $1")
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
                "INSERT INTO response_cache (key, model, body, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
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
            sqlx::query_scalar("SELECT body FROM comparisons WHERE ids = $1")
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
            "SELECT body FROM experiment_score_columns WHERE experiment_id = $1 AND chunk = $2",
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
            "INSERT INTO experiment_score_columns (experiment_id, chunk, body) VALUES ($1, $2, $3)
             ON CONFLICT (experiment_id, chunk) DO UPDATE SET body = EXCLUDED.body",
        )
        .bind(experiment_id)
        .bind(chunk)
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn score_columns_clear(&self, experiment_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM experiment_score_columns WHERE experiment_id = $1")
            .bind(experiment_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn comparison_put(&self, ids: &str, body: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO comparisons (ids, body, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (ids) DO UPDATE SET body = EXCLUDED.body, created_at = EXCLUDED.created_at",
        )
        .bind(ids)
        .bind(body)
        .bind(timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
