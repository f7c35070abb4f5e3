//! Datadog's side of the store: links between local and Datadog dataset versions
//! (`0016_datadog_links.sql`) and the export outbox's rows (`0017_datadog_exports.sql`).

use async_trait::async_trait;

use super::{StoreError, StoreResult};
use crate::outcome::RecordOutcome;

/// A Datadog dataset version a local version is the same as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatadogOrigin {
    /// Datadog's dataset id (a UUID).
    pub dataset_id: String,
    /// Datadog's version number of that dataset.
    pub version: u32,
}

/// A Datadog site and project, where a link between versions holds.
#[derive(Debug, Clone, Copy)]
pub struct DatadogLink<'a> {
    /// The site's domain.
    pub site: &'a str,
    pub project_id: &'a str,
}

/// How a local version came to be the same as a Datadog version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDirection {
    Pulled,
    Pushed,
}

/// Where an experiment's export to Datadog is.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub experiment_id: String,
    /// The Datadog site's domain (e.g. `datadoghq.eu`).
    pub site: String,
    pub project_name: String,
    /// Sent with the run's own API key (kept in memory only).
    pub own_key: bool,
    pub project_id: Option<String>,
    /// Datadog's dataset id and version the experiment is registered against.
    pub dataset_id: Option<String>,
    pub dataset_version: Option<u32>,
    /// Datadog's experiment id, once created.
    pub remote_id: Option<String>,
    pub create_sent: bool,
    pub running_sent: bool,
    /// Trials up to this row (storage order: SQLite's rowid, PostgreSQL's trial_seq) are sent.
    pub sent_seq: i64,
    pub sent_trials: u64,
    pub summary_sent: bool,
    /// `pending`, `done` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix milliseconds before which it is not tried again.
    pub next_attempt_at: i64,
    /// The replica that claimed it (see [`ExportStore::due_exports`]); for an export with
    /// the run's own key, the replica holding the key, from the start.
    pub lease_owner: Option<String>,
    /// Until when (unix ms) the claim holds; `None` once given back.
    pub lease_until: Option<i64>,
}

/// A stored trial with where it is in storage order and when it was stored.
#[derive(Debug, Clone)]
pub struct StoredTrial {
    /// Its place in storage order (SQLite's rowid, PostgreSQL's trial_seq).
    pub seq: i64,
    pub created_at: String,
    pub outcome: RecordOutcome,
}

/// How many exports wait, and how many gave up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportBacklog {
    pub pending: u64,
    pub failed: u64,
    /// Trials stored but not yet sent, over the pending exports.
    pub unsent_trials: u64,
}

/// The Datadog export outbox.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Queues the export of an experiment (nothing if it is already queued). With
    /// `key_holder`, it is sent with the run's own key, which only that replica holds: only
    /// that replica ever claims it.
    async fn queue_export(
        &self,
        experiment_id: &str,
        site: &str,
        project_name: &str,
        key_holder: Option<&str>,
    ) -> StoreResult<()>;
    /// Claims for `owner` until `until_ms` the pending exports due at `now_ms` that no other
    /// replica holds (never claimed, given back, or lapsed; own-key exports only by their key
    /// holder), the oldest first, at most `limit`.
    async fn due_exports(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<ExportRow>>;
    /// One experiment's export, if it has one.
    async fn get_export(&self, experiment_id: &str) -> StoreResult<Option<ExportRow>>;
    /// Saves every field of an export row (its lease too) while its claim is still
    /// `row.lease_owner`'s; a conflict once another replica claimed it.
    async fn save_export(&self, row: &ExportRow) -> StoreResult<()>;
    /// Makes a failed or waiting export due now; false when there is none.
    async fn retry_export(&self, experiment_id: &str) -> StoreResult<bool>;
    /// The storage position of an experiment's last stored trial (0 for none).
    async fn last_trial_row(&self, experiment_id: &str) -> StoreResult<i64>;
    /// Up to `limit` trials of an experiment stored after position `after` and up to
    /// `through`, in storage order.
    async fn trials_after(
        &self,
        experiment_id: &str,
        after: i64,
        through: i64,
        limit: u32,
    ) -> StoreResult<Vec<StoredTrial>>;
    /// The outbox's size.
    async fn export_backlog(&self) -> StoreResult<ExportBacklog>;
}

/// What saving an export row that changed `changed` rows means: none, and another replica
/// claimed it since.
pub(super) fn saved(changed: u64, experiment_id: &str) -> StoreResult<()> {
    if changed == 0 {
        return Err(StoreError::Conflict(format!(
            "the Datadog export of {experiment_id} is another replica's now"
        )));
    }
    Ok(())
}
