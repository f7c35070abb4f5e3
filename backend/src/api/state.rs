//! What every handler shares: the service, the key clients must send, and the HTTP
//! settings.

use std::sync::Arc;

use crate::config::{Secret, Settings};
use crate::service::Service;

/// Shared by every request handler.
pub struct AppState {
    pub service: Arc<Service>,
    /// The key clients must send as `X-API-Key`.
    pub api_key: Secret,
    pub settings: Arc<Settings>,
    /// The providers' rate budgets (their 429 counts are metrics).
    pub budgets: Arc<crate::providers::budget::Budgets>,
}
