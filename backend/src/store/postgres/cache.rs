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
        // One statement, keys in order: two replicas caching overlapping keys lock them in
        // the same order, so they cannot deadlock.
        let mut sorted: Vec<&CacheEntry> = entries.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let keys: Vec<&str> = sorted.iter().map(|e| e.key.as_str()).collect();
        let models: Vec<&str> = sorted.iter().map(|e| e.model.as_str()).collect();
        let bodies: Vec<String> = sorted
            .iter()
            .map(|e| super::storable(&e.body).into_owned())
            .collect();
        sqlx::query(
            "INSERT INTO response_cache (key, model, body, created_at)
             SELECT key, model, body, $4 FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[])
                 AS e(key, model, body)
             ORDER BY key
             ON CONFLICT DO NOTHING",
        )
        .bind(&keys)
        .bind(&models)
        .bind(&bodies)
        .bind(timestamp())
        .execute(&self.pool)
        .await?;
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
