//! The response cache, and the cache of comparisons of finished experiments.

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
