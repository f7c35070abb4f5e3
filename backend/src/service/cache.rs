//! The store-backed response cache that providers are given at start-up (providers know
//! only the `ResponseCache` trait, never the store).
//!
//! Writes are behind: a put is visible to `get` at once (from memory) and is written by
//! one task that commits whatever is waiting in one transaction. A transaction a response
//! was ~0.2 ms of a trial's CPU (the pool round trips and the commit); batched, the write is
//! a small share of that. A crash loses at most the responses still waiting (a few
//! milliseconds' worth); those trials were not committed either, so a resumed run calls the
//! model for them again, as it would without a cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::providers::cache::ResponseCache;
use crate::store::{CacheEntry, Store};

/// Responses waiting to be written at most (a put waits when the writer is this far
/// behind, so memory stays bounded).
const WAITING: usize = 256;

/// A response cache in the store: survives restarts, shared by every experiment.
pub struct StoreCache {
    store: Arc<dyn Store>,
    /// Entries sent to the writer and not yet committed, by key.
    waiting: Arc<Mutex<HashMap<String, Arc<str>>>>,
    to_writer: mpsc::Sender<CacheEntry>,
}

impl StoreCache {
    /// A cache on `store`, with its writer task spawned on the current runtime.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let (to_writer, rx) = mpsc::channel(WAITING);
        let waiting = Arc::new(Mutex::new(HashMap::new()));
        tokio::spawn(write_behind(store.clone(), waiting.clone(), rx));
        StoreCache {
            store,
            waiting,
            to_writer,
        }
    }
}

/// Commits waiting entries, all that arrived during the previous commit at once.
async fn write_behind(
    store: Arc<dyn Store>,
    waiting: Arc<Mutex<HashMap<String, Arc<str>>>>,
    mut rx: mpsc::Receiver<CacheEntry>,
) {
    let mut batch = Vec::with_capacity(WAITING);
    while rx.recv_many(&mut batch, WAITING).await > 0 {
        if let Err(e) = store.cache_put_many(&batch).await {
            tracing::warn!(error = %e, responses = batch.len(), "cannot store responses in the cache");
        }
        let mut map = waiting.lock().unwrap_or_else(PoisonError::into_inner);
        for entry in batch.drain(..) {
            map.remove(&entry.key);
        }
    }
}

#[async_trait]
impl ResponseCache for StoreCache {
    async fn get(&self, key: &str) -> Option<String> {
        let pending = self
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(|body| body.to_string());
        if pending.is_some() {
            return pending;
        }
        match self.store.cache_get(key).await {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the response cache");
                None
            }
        }
    }

    async fn put(&self, key: &str, model: &str, body: &str) {
        let body: Arc<str> = body.into();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), body.clone());
        let entry = CacheEntry {
            key: key.to_string(),
            model: model.to_string(),
            body,
        };
        if self.to_writer.send(entry).await.is_err() {
            tracing::warn!("the response cache's writer has stopped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn a_put_is_read_back_at_once_and_reaches_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
        let cache = StoreCache::new(store.clone());
        for i in 0..600 {
            cache.put(&format!("k{i}"), "m", &format!("body {i}")).await;
            assert_eq!(
                cache.get(&format!("k{i}")).await.as_deref(),
                Some(&*format!("body {i}"))
            );
        }
        // Everything waiting is written; then the store alone answers.
        for _ in 0..200 {
            if cache.waiting.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(cache.waiting.lock().unwrap().is_empty());
        for i in [0, 299, 599] {
            assert_eq!(
                store.cache_get(&format!("k{i}")).await.unwrap().as_deref(),
                Some(&*format!("body {i}"))
            );
        }
        assert_eq!(cache.get("missing").await, None);
    }
}
