//! The state every handler shares.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::config::{Secret, Settings};
use crate::providers::Registry;
use crate::service::tasks::TaskManager;
use crate::store::Store;

/// Shared by every request handler and background task.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub settings: Arc<Settings>,
    /// The key clients must send as `X-API-Key`.
    pub api_key: Secret,
    pub tasks: TaskManager,
    /// The runtime experiments run on (not the HTTP workers').
    pub runtime: tokio::runtime::Handle,
    /// Where image inputs may come from.
    pub images: crate::providers::images::ImagePolicy,
    /// Fired when the server shuts down: running tasks stop without being marked
    /// cancelled, so they resume at the next start.
    pub shutdown: CancellationToken,
}

impl AppState {
    /// Link to a page of the web app.
    pub fn page_url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_base_url)
    }
}
