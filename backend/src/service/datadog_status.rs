//! An experiment's Datadog export as the API shows it: its state and Datadog's pages, the
//! outbox's size for health, and a retry.

use shared::{DatadogExport, DatadogSite, ExportState};

use super::{Service, ServiceError, ServiceResult};
use crate::store::ExportRow;

impl Service {
    /// An experiment's export as the API shows it, when it has one.
    pub async fn export_view(&self, experiment_id: &str) -> ServiceResult<Option<DatadogExport>> {
        Ok(self
            .store
            .get_export(experiment_id)
            .await?
            .map(|row| export_view(&row, self.datadog.site)))
    }

    /// The export outbox's size, when Datadog is configured (None if it cannot be read).
    pub async fn export_backlog(&self) -> Option<shared::ExportBacklog> {
        if !self.datadog.configured() {
            return None;
        }
        let b = self.store.export_backlog().await.ok()?;
        Some(shared::ExportBacklog {
            pending: b.pending,
            failed: b.failed,
            unsent_trials: b.unsent_trials,
        })
    }

    /// Makes an experiment's failed or waiting export due now.
    pub async fn retry_export(&self, experiment_id: &str) -> ServiceResult<DatadogExport> {
        self.store.get_experiment(experiment_id).await?;
        if !self.store.retry_export(experiment_id).await? {
            return Err(match self.store.get_export(experiment_id).await? {
                Some(_) => ServiceError::Conflict("the export is already done".into()),
                None => ServiceError::NotFound(format!(
                    "experiment {experiment_id} has no Datadog export (Datadog was not configured when it ran)"
                )),
            });
        }
        self.exports_due.notify_one();
        self.store
            .get_export(experiment_id)
            .await?
            .map(|row| export_view(&row, self.datadog.site))
            .ok_or_else(|| ServiceError::Internal("the export vanished".into()))
    }
}

/// An export row as the API shows it: its state and Datadog's pages.
pub fn export_view(row: &ExportRow, default_site: DatadogSite) -> DatadogExport {
    let site = DatadogSite::parse(&row.site).unwrap_or(default_site);
    DatadogExport {
        state: row.state.parse().unwrap_or(ExportState::Pending),
        sent_trials: row.sent_trials,
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        datadog_experiment_id: row.remote_id.clone(),
        experiment_url: row.remote_id.as_deref().map(|id| site.experiment_url(id)),
        dataset_url: row.dataset_id.as_deref().map(|id| site.dataset_url(id)),
    }
}
