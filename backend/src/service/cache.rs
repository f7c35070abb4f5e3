//! The store-backed response cache that providers are given at start-up (providers know
//! only the `ResponseCache` trait, never the store).

use std::sync::Arc;

use async_trait::async_trait;

use crate::providers::cache::ResponseCache;
use crate::store::Store;

/// A response cache in the store: survives restarts, shared by every experiment.
pub struct StoreCache(pub Arc<dyn Store>);

#[async_trait]
impl ResponseCache for StoreCache {
    async fn get(&self, key: &str) -> Option<String> {
        match self.0.cache_get(key).await {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the response cache");
                None
            }
        }
    }

    async fn put(&self, key: &str, model: &str, body: &str) {
        if let Err(e) = self.0.cache_put(key, model, body).await {
            tracing::warn!(error = %e, "cannot store a response in the cache");
        }
    }
}
