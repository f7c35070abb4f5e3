//! Exporting experiments to Datadog LLM Observability from the outbox: a background task
//! takes the exports that are due and moves each as far as it can — project, dataset
//! (pushed when local), experiment (looked up before a create is repeated), `running`,
//! every stored trial in batches as it finishes, summary metrics, final status. Progress is
//! saved after every acknowledged call, so a restart resumes without sending a batch twice;
//! a failure waits with backoff and never touches the experiment itself.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use futures::StreamExt;

use shared::{DatadogSite, ExperimentRunRequest, ExperimentStatus};

use super::datadog_events::{
    experiment_config, experiment_tags, local_id_tag, summary_metrics, EventContext,
};
use super::datadog_push::PushError;
use super::{Service, ServiceError, ServiceResult};
use crate::config::Secret;
use crate::datadog::{DatadogError, NewExperiment, RemoteStatus};
use crate::store::{ExperimentRow, ExportRow};

/// Exports moved at once.
const CONCURRENT_EXPORTS: usize = 4;
/// Exports taken per pass.
const DUE_PER_PASS: u32 = 16;
/// How often an export of a running experiment looks for newly finished trials.
const POLL: Duration = Duration::from_millis(500);
/// Longest wait between attempts of a failing export.
/// How long a replica's claim of an export holds without progress being saved (a pass
/// saves after each acknowledged call, extending it).
const EXPORT_LEASE_MS: i64 = 5 * 60 * 1000;
const MAX_BACKOFF_MS: i64 = 5 * 60 * 1000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A status update's failure as the contract treats it (§3.7: best-effort): an outage is
/// waited out like any call, a refusal is logged and the export goes on.
fn best_effort(e: DatadogError) -> Result<(), DatadogError> {
    if e.is_transient() {
        return Err(e);
    }
    tracing::warn!(error = %e, "Datadog refused a status update; the export goes on");
    Ok(())
}

/// How far one pass got.
enum Pass {
    /// Everything is sent and the final status set.
    Done,
    /// Everything stored so far is sent; the experiment is still running.
    Waiting,
}

/// Why a pass stopped early.
pub(super) enum Stop {
    Datadog(DatadogError),
    Local(ServiceError),
    /// The keys were removed since the export was queued: it waits for them.
    NotConfigured,
    /// The run's own API key is not kept across restarts, and no other key may be used.
    KeyGone,
}

impl From<DatadogError> for Stop {
    fn from(e: DatadogError) -> Self {
        Stop::Datadog(e)
    }
}

impl From<ServiceError> for Stop {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Upstream(m) => Stop::Datadog(DatadogError::Unreachable {
                call: "a dataset push".into(),
                detail: m,
            }),
            other => Stop::Local(other),
        }
    }
}

impl From<PushError> for Stop {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Datadog(e) => Stop::Datadog(e),
            PushError::Local(e) => Stop::Local(e),
        }
    }
}

impl From<crate::store::StoreError> for Stop {
    fn from(e: crate::store::StoreError) -> Self {
        Stop::Local(e.into())
    }
}

impl Service {
    /// Queues the export of a run's experiments when Datadog is configured.
    pub(super) async fn queue_exports(
        &self,
        request: &ExperimentRunRequest,
        experiments: &[ExperimentRow],
    ) -> ServiceResult<()> {
        let own_key = request.api_key.as_ref().map(|k| Secret::new(k.expose()));
        if self.datadog.app_key.is_none() || (own_key.is_none() && !self.datadog.configured()) {
            return Ok(());
        }
        let site = self.datadog_site(request);
        for e in experiments {
            if let Some(key) = &own_key {
                self.run_keys
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(e.id.clone(), key.clone());
            }
            self.store
                .queue_export(
                    &e.id,
                    site.domain(),
                    &request.project_name,
                    own_key.as_ref().map(|_| self.replica.id.as_str()),
                )
                .await?;
        }
        self.exports_due.notify_one();
        Ok(())
    }

    /// Starts the exporter: it runs until the server shuts down.
    /// Nothing runs while Datadog is not configured (exports queued before wait).
    pub fn start_exporter(self: &Arc<Self>) {
        // Without an app key no export can run (a request's own API key needs it too).
        if self.datadog.app_key.is_none() {
            return;
        }
        let service = self.clone();
        self.runtime.spawn(async move {
            loop {
                let now = now_ms();
                let claim = service.store.due_exports(
                    &service.replica.id,
                    now,
                    now + EXPORT_LEASE_MS,
                    DUE_PER_PASS,
                );
                let due = match claim.await {
                    Ok(due) => due,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the Datadog export outbox");
                        Vec::new()
                    }
                };
                // A slow or failing export does not hold the others up.
                futures::stream::iter(due)
                    .for_each_concurrent(CONCURRENT_EXPORTS, |row| service.advance_export(row))
                    .await;
                if service.shutdown.is_cancelled() {
                    return;
                }
                tokio::select! {
                    () = service.shutdown.cancelled() => return,
                    () = service.exports_due.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// One pass over one export, and where it leaves it.
    async fn advance_export(&self, mut row: ExportRow) {
        let outcome = self.export_pass(&mut row).await;
        match outcome {
            Ok(Pass::Done) => {
                self.run_keys
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&row.experiment_id);
                row.state = "done".into();
                row.last_error = None;
                row.attempts = 0;
            }
            Ok(Pass::Waiting) => {
                row.attempts = 0;
                row.last_error = None;
                row.next_attempt_at = now_ms() + POLL.as_millis() as i64;
            }
            Err(stop) => {
                let (message, transient) = match &stop {
                    Stop::Datadog(e) => (e.to_string(), e.is_transient()),
                    // A deleted experiment or an unusable record will not get better.
                    Stop::Local(e) => (
                        e.to_string(),
                        !matches!(e, ServiceError::NotFound(_) | ServiceError::Validation(_)),
                    ),
                    Stop::NotConfigured => (
                        "Datadog is not configured: set DD_API_KEY and DD_APP_KEY".into(),
                        true,
                    ),
                    Stop::KeyGone => (
                        "the run's own Datadog API key (from its request) is kept in memory only and was lost at a restart; the export is not sent with another key".into(),
                        false,
                    ),
                };
                row.attempts += 1;
                row.last_error = Some(message.clone());
                if transient {
                    let backoff = 1000i64.saturating_mul(1 << row.attempts.min(12));
                    row.next_attempt_at = now_ms() + backoff.min(MAX_BACKOFF_MS);
                    tracing::warn!(experiment = %row.experiment_id, attempts = row.attempts,
                        error = %message, "Datadog export waits to retry");
                } else {
                    row.state = "failed".into();
                    tracing::warn!(experiment = %row.experiment_id, error = %message,
                        "Datadog export failed; retry it from the API");
                }
            }
        }
        // Given back: the next pass of any replica may claim it (an own-key export stays
        // its key holder's).
        row.lease_until = None;
        if let Err(e) = self.store.save_export(&row).await {
            tracing::warn!(experiment = %row.experiment_id, error = %e,
                "could not save a Datadog export's progress");
        }
    }

    /// Saves an export's progress mid-pass and extends its claim; a conflict when another
    /// replica took the export over (this one then stops sending).
    pub(super) async fn save_progress(&self, row: &mut ExportRow) -> ServiceResult<()> {
        row.lease_until = Some(now_ms() + EXPORT_LEASE_MS);
        Ok(self.store.save_export(row).await?)
    }

    /// Moves one export as far as it can; progress is saved after each acknowledged call.
    async fn export_pass(&self, row: &mut ExportRow) -> Result<Pass, Stop> {
        let experiment = self.store.get_experiment(&row.experiment_id).await?;
        let site = DatadogSite::parse(&row.site).unwrap_or(self.datadog.site);
        let client = if row.own_key {
            let key = self
                .run_keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&row.experiment_id)
                .cloned();
            match key {
                Some(key) => self.datadog_client_with(site, key),
                None => return Err(Stop::KeyGone),
            }
        } else {
            self.datadog_client_for(site)
        };
        let Some(client) = client else {
            return Err(Stop::NotConfigured);
        };
        let run = self.store.get_run(&experiment.run_id).await?;
        let project_id = match &row.project_id {
            Some(id) => id.clone(),
            None => {
                let id = client.project_id(&row.project_name).await?;
                row.project_id = Some(id.clone());
                self.save_progress(row).await?;
                id
            }
        };
        let (dataset_id, dataset_version) = match (&row.dataset_id, row.dataset_version) {
            (Some(id), Some(v)) => (id.clone(), v),
            _ => {
                let origin = self
                    .push_dataset(
                        &client,
                        site,
                        &project_id,
                        &run.dataset_name,
                        run.dataset_version,
                    )
                    .await?;
                row.dataset_id = Some(origin.dataset_id.clone());
                row.dataset_version = Some(origin.version);
                self.save_progress(row).await?;
                (origin.dataset_id, origin.version)
            }
        };
        let mut tags = experiment_tags(&experiment, &project_id, &run.request.ml_app);
        tags.push(format!("env:{}", self.datadog.env));
        tags.push(format!("service:{}", self.datadog.service));
        let config = experiment_config(&experiment);
        let remote_id = match &row.remote_id {
            Some(id) => id.clone(),
            None => {
                let found = if row.create_sent {
                    client
                        .find_experiment(&project_id, &local_id_tag(&experiment.id))
                        .await?
                } else {
                    None
                };
                let id = match found {
                    Some(id) => id,
                    None => {
                        row.create_sent = true;
                        self.save_progress(row).await?;
                        client
                            .create_experiment(&NewExperiment {
                                name: &experiment.name,
                                description: "",
                                project_id: &project_id,
                                dataset_id: &dataset_id,
                                dataset_version,
                                config: config.clone(),
                                tags: tags.clone(),
                            })
                            .await?
                    }
                };
                row.remote_id = Some(id.clone());
                self.save_progress(row).await?;
                id
            }
        };
        if !row.running_sent {
            client
                .set_status(&remote_id, RemoteStatus::Running, None)
                .await
                .or_else(best_effort)?;
            row.running_sent = true;
            self.save_progress(row).await?;
        }
        // Read before the trials: every trial of a finished experiment is stored by then.
        let finished = experiment.status.is_terminal();
        tags.push(format!("experiment_id:{remote_id}"));
        tags.push(format!("run_id:{}", run.id));
        tags.push("run_iteration:1".into());
        let ctx = EventContext {
            experiment_id: experiment.id.clone(),
            remote_id: remote_id.clone(),
            project_id,
            dataset_id,
            config,
            tags,
        };
        self.send_trials(&client, row, &experiment, &ctx).await?;
        if !finished {
            return Ok(Pass::Waiting);
        }
        if !row.summary_sent {
            let finished_ms = experiment
                .finished_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map_or_else(now_ms, |t| t.timestamp_millis());
            let metrics = summary_metrics(&ctx, &experiment, finished_ms);
            if !metrics.is_empty() {
                client
                    .post_events(&remote_id, metrics, Vec::new(), &ctx.tags)
                    .await?;
            }
            row.summary_sent = true;
            self.save_progress(row).await?;
        }
        let (status, error) = match experiment.status {
            ExperimentStatus::Success => (RemoteStatus::Completed, None),
            ExperimentStatus::Cancelled => (RemoteStatus::Interrupted, experiment.error.as_deref()),
            _ => (RemoteStatus::Failed, experiment.error.as_deref()),
        };
        client
            .set_status(&remote_id, status, error)
            .await
            .or_else(best_effort)?;
        Ok(Pass::Done)
    }
}
