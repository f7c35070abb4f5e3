//! What tallylab does, apart from HTTP: starting, executing, resuming and cancelling runs;
//! the history, comparisons and cost estimates; datasets and label corrections.
//!
//! The service owns its state ([`Service`]) and answers with [`ServiceError`]; it knows
//! nothing of HTTP. The API translates requests into these calls and the answers back; the
//! command line calls the same functions.

pub mod cache;
pub mod catalog;
pub mod compare;
mod datadog_events;
mod datadog_export;
mod datadog_links;
mod datadog_push;
mod datadog_status;
mod datadog_trials;
pub mod datasets;
mod disagree;
mod error;
pub mod estimate;
mod execute;
mod experiment;
pub mod export;
pub mod history;
mod images;
mod label_input;
pub mod leases;
pub mod live;
pub mod plan;
mod pull;
mod record_input;
pub mod runs;
mod sequential;
mod source;
pub mod status;
mod stored_scores;
pub mod views;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::config::{DatadogSettings, WorkLimits};
use crate::providers::images::ImagePolicy;
use crate::providers::Registry;
use crate::store::Store;

pub use error::{model_error, ServiceError, ServiceResult};
pub use experiment::SUMMARY_SEED;

/// Everything the service needs, built once at start-up.
pub struct Service {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    /// Runs in flight.
    pub live: live::LiveRuns,
    /// Where record images may come from (the cost estimate measures local ones).
    pub images: ImagePolicy,
    /// Base of links in responses (experiment pages, comparisons, task status).
    pub public_base_url: String,
    /// How much work requests may ask for.
    pub limits: WorkLimits,
    /// Datadog LLM Observability; used only when both keys are set.
    pub datadog: DatadogSettings,
    /// One pull or push of a dataset at a time, by dataset name: two runs asking for the
    /// same Datadog dataset at once store it once.
    dataset_locks: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Woken when an export may have something to send.
    exports_due: tokio::sync::Notify,
    /// API keys requests carried for their own runs, by experiment: memory only.
    run_keys: std::sync::Mutex<std::collections::HashMap<String, crate::config::Secret>>,
    /// The runtime runs execute on (not the HTTP workers').
    runtime: tokio::runtime::Handle,
    /// Fired when the server shuts down: running runs stop without being marked
    /// cancelled, so they resume at the next start.
    shutdown: CancellationToken,
    /// This replica's name and lease length (see `leases.rs`).
    replica: leases::Replica,
    /// The async runs this replica holds the lease of.
    leased: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Service {
    /// A service over `store` and `registry`, running runs on the current runtime.
    pub fn new(
        store: Arc<dyn Store>,
        registry: Arc<Registry>,
        images: ImagePolicy,
        public_base_url: String,
        limits: WorkLimits,
    ) -> Self {
        Service {
            store,
            registry,
            live: live::LiveRuns::default(),
            images,
            public_base_url,
            limits,
            datadog: DatadogSettings::off(),
            dataset_locks: std::sync::Mutex::default(),
            exports_due: tokio::sync::Notify::new(),
            run_keys: std::sync::Mutex::default(),
            runtime: tokio::runtime::Handle::current(),
            shutdown: CancellationToken::new(),
            replica: leases::Replica::default(),
            leased: std::sync::Mutex::default(),
        }
    }

    /// The same service, as replica `replica` of several on one database.
    #[must_use]
    pub fn with_replica(mut self, replica: leases::Replica) -> Self {
        self.replica = replica;
        self
    }

    /// The same service, with Datadog LLM Observability settings.
    #[must_use]
    pub fn with_datadog(mut self, datadog: DatadogSettings) -> Self {
        self.datadog = datadog;
        self
    }

    /// The lock of dataset `name`'s pulls and pushes (unused locks are dropped as others
    /// are taken).
    fn dataset_lock(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .dataset_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.retain(|_, l| Arc::strong_count(l) > 1);
        locks.entry(name.to_string()).or_default().clone()
    }

    /// Link to a page of the web app or the API.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_base_url)
    }

    /// Stops running runs without cancelling them (they resume at the next start).
    pub fn shut_down(&self) {
        self.shutdown.cancel();
    }
}
