//! Datadog LLM Observability over HTTP, as Datadog's own SDK (ddtrace 4.16) speaks it:
//! JSON:API bodies, `DD-API-KEY` and `DD-APPLICATION-KEY` on every call, success only on
//! 200 (202 too for experiment events). `client.rs` is the transport (retries, errors that
//! never carry a key), `datasets.rs` the dataset reads, `push.rs` dataset writes,
//! `experiments.rs` experiments and their result events.

mod client;
mod datasets;
mod experiments;
mod push;

pub use client::{Client, DatadogError, Idempotency, RetryPolicy};
pub use datasets::{RecordsPage, RemoteDataset};
pub use experiments::{NewExperiment, RemoteStatus};
pub use push::{PUSH_BATCH_BYTES, PUSH_BATCH_RECORDS};

/// Path prefix of the calls ddtrace 4.16 makes on `/api/unstable` (project create, dataset
/// create, experiments).
pub const UNSTABLE: &str = "/api/unstable/llm-obs/v1";
/// Path prefix of the calls ddtrace 4.16 makes on `/api/v2` (dataset and record reads).
pub const V2: &str = "/api/v2/llm-obs/v1";

/// True for an id Datadog gave us that is safe to put in a URL path: ids are UUIDs, and
/// anything else (a `/`, `..`, `?`) could point a keyed call somewhere else.
pub fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
