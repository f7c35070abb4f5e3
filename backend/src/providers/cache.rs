//! The response cache: a successful provider response stored under a key derived from
//! everything that determines it (model, parameters, prompt version, schema, input and
//! image bytes — in practice the exact request body). Re-running a configuration costs
//! nothing and says so; resume after a crash hits it, so nothing is billed twice.
//!
//! The server wires a store-backed cache in at start-up (`service::cache`); providers only
//! know this trait.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

/// Where cached responses live.
#[async_trait]
pub trait ResponseCache: Send + Sync {
    /// The stored response body for `key`.
    async fn get(&self, key: &str) -> Option<String>;
    /// Stores a successful response body.
    async fn put(&self, key: &str, model: &str, body: &str);
}

/// The cache key of a request: provider, model, the exact body sent and, beyond the first,
/// the repetition (the first's key is what it always was).
pub fn cache_key(provider: &str, model: &str, body: &[u8], repetition: u32) -> String {
    let mut h = Sha256::new();
    h.update(provider.as_bytes());
    h.update([0]);
    h.update(model.as_bytes());
    h.update([0]);
    h.update(body);
    if repetition > 0 {
        h.update(b"\0repetition");
        h.update(repetition.to_be_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An in-memory cache (the CLI and tests).
#[derive(Default)]
pub struct MemoryCache(Mutex<HashMap<String, String>>);

#[async_trait]
impl ResponseCache for MemoryCache {
    async fn get(&self, key: &str) -> Option<String> {
        self.0.lock().ok().and_then(|m| m.get(key).cloned())
    }
    async fn put(&self, key: &str, _model: &str, body: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.into(), body.into());
        }
    }
}
