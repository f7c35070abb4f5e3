//! One experiment of a run: its trials through the runner, each committed as it finishes
//! (a writer drains the runner's channel into one transaction per batch, so a crash loses
//! no finished trial and a resumed run skips every committed one), then its summary.

use std::collections::HashSet;
use std::sync::Arc;

use shared::{ExperimentStatus, ExperimentSummary};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::disagree::{glance, Glance};
use super::live::LiveRun;
use super::stored_scores::ColumnsWriter;
use super::{Service, ServiceResult};
use crate::outcome::RecordOutcome;
use crate::providers::CallOptions;
use crate::runner::{
    self, ExperimentEnd, ExperimentFacts, ExperimentPlan, Judge, RecordSource, SummaryBuilder,
};
use crate::store::{ExperimentRow, RunRow};
use crate::telemetry::{telemetry, CallLabels, ModelLabels, StatusLabel};

/// Most outcomes committed in one transaction.
const WRITE_BATCH: usize = 128;
/// How long finished trials wait for others to share their commit; a crash loses at most
/// this much of finished work beyond what was committed.
const GATHER: std::time::Duration = std::time::Duration::from_millis(25);
/// Trials read per page when a summary streams through an experiment.
const SUMMARY_PAGE: u64 = 1024;
/// Seeds the bootstrap intervals of every stored summary.
pub const SUMMARY_SEED: u64 = 42;

/// What every experiment of one run shares.
pub(super) struct RunContext<'a> {
    pub run: &'a RunRow,
    pub records: Arc<dyn RecordSource>,
    /// Records of the sample whose label breaks an identity.
    pub label_issues: u64,
    pub live: &'a LiveRun,
    pub cancel: CancellationToken,
    /// A `stop_when_decided` run's monitor.
    pub monitor: Option<Arc<super::sequential::Monitor>>,
}

impl Service {
    pub(super) fn run_experiment<'a>(
        &'a self,
        ctx: &'a RunContext<'a>,
        e: &'a ExperimentRow,
        index: usize,
        done: HashSet<(usize, u32)>,
    ) -> impl std::future::Future<Output = ServiceResult<ExperimentSummary>> + 'a {
        let span =
            tracing::info_span!("experiment", experiment_id = %e.id, model = %e.config.model);
        self.run_experiment_inner(ctx, e, index, done)
            .instrument(span)
    }

    /// Runs the trials of `e` not in `done` (those committed before a restart).
    async fn run_experiment_inner(
        &self,
        ctx: &RunContext<'_>,
        e: &ExperimentRow,
        index: usize,
        done: HashSet<(usize, u32)>,
    ) -> ServiceResult<ExperimentSummary> {
        self.store
            .set_experiment_status(&e.id, ExperimentStatus::Running)
            .await?;
        set_experiment_status(ctx.live, index, ExperimentStatus::Running);
        tracing::info!(
            already_done = done.len(),
            total = e.total_trials,
            "experiment started"
        );
        let judge = Judge::from_request(&self.registry, ctx.run.request.evaluators.as_ref());
        let end = match (self.registry.get(&e.config.model), judge) {
            (Ok(provider), Ok(judge)) => {
                let plan = ExperimentPlan {
                    config: e.config.clone(),
                    jobs: e.jobs as usize,
                    raise_errors: e.raise_errors,
                    repetitions: e.repetitions,
                    options: CallOptions {
                        use_cache: ctx.run.request.use_cache.unwrap_or(true),
                        ..CallOptions::default()
                    },
                    judge,
                    pace: ctx.monitor.as_ref().map(|m| m.pace.clone()),
                };
                // Bounded so a writer that falls behind slows the runner instead of holding outcomes.
                let (tx, rx) = mpsc::channel::<RecordOutcome>(WRITE_BATCH / 2);
                let labels = ModelLabels {
                    provider: provider.kind().to_string(),
                    model: e.config.model.clone(),
                };
                let watched = ctx.monitor.as_deref().map(|m| (m, index));
                let writer = self.write_outcomes(&e.id, index, rx, ctx.live, labels, watched);
                let run = runner::run_experiment(
                    provider,
                    ctx.records.clone(),
                    &plan,
                    &done,
                    tx,
                    ctx.cancel.clone(),
                );
                let (end, written) = tokio::join!(run, writer);
                written?;
                end
            }
            (Err(err), _) => ExperimentEnd::Failed(err.to_string()),
            // A judge that was available when the run was accepted and is not now (a resumed
            // run after a configuration change).
            (_, Err(err)) => ExperimentEnd::Failed(format!("the LLM judge: {err}")),
        };
        if let Some(m) = &ctx.monitor {
            m.experiment_ended(index);
        }
        let facts = ExperimentFacts {
            experiment_id: &e.id,
            experiment_url: Some(self.url(&format!("/experiments/{}", e.id))),
            config: &e.config,
            end: &end,
            repetitions: e.repetitions,
            label_issues: ctx.label_issues,
            seed: SUMMARY_SEED,
            judge_model: ctx
                .run
                .request
                .evaluators
                .as_ref()
                .and_then(|e| e.llm_judge.as_ref())
                .map(|j| j.model.trim()),
        };
        let mut summary = self
            .summarize_stored(&e.id, e.repetitions, &ctx.live.leave)
            .await?
            .finish(&facts);
        summary.prompt_version = Some(e.prompt_version.clone());
        if !ctx.live.leave.is_cancelled() {
            self.store
                .finish_experiment(
                    &e.id,
                    summary.status,
                    summary.error.as_deref(),
                    Some(&summary),
                )
                .await?;
            set_experiment_status(ctx.live, index, summary.status);
        }
        tracing::info!(status = %summary.status, trials = summary.total_records,
            failed = summary.failed_records, overall_accuracy = summary.overall_accuracy,
            "experiment finished");
        Ok(summary)
    }

    /// Folds an experiment's stored trials into a summary builder, a page at a time: the
    /// summary of 100,000 trials never holds their outcomes. The same pass stores the
    /// experiment's score columns (what comparisons read), a chunk a page.
    pub(super) async fn summarize_stored(
        &self,
        experiment_id: &str,
        repetitions: u32,
        leave: &CancellationToken,
    ) -> ServiceResult<SummaryBuilder> {
        let mut builder = SummaryBuilder::new(false, 1);
        let mut columns = ColumnsWriter::start(self, experiment_id).await?;
        let mut pages = StoredPages::default();
        while let Some(page) = pages.next(self, experiment_id).await? {
            let from = builder.table().len();
            page.iter().for_each(|o| builder.add(o));
            let glances: Vec<(&str, Glance)> = page
                .iter()
                .filter(|o| o.repetition == 0)
                .map(|o| (o.record_id.as_str(), glance(o)))
                .collect();
            columns
                .write(builder.table(), from..builder.table().len(), &glances)
                .await?;
        }
        // Complete only when the experiment is about to be marked finished: a shutdown
        // leaves it to the resumed run.
        if !leave.is_cancelled() {
            columns.finish().await?;
        }
        builder.add_fields(&self.store.field_tally(experiment_id).await?);
        if repetitions > 1 {
            builder.set_agreement(self.store.repetition_agreement(experiment_id).await?);
        }
        Ok(builder)
    }

    /// Visits an experiment's stored trials in order, without their outputs, a page of
    /// [`SUMMARY_PAGE`] at a time: what summaries and comparisons fold.
    pub(super) async fn each_stored_trial(
        &self,
        experiment_id: &str,
        mut visit: impl FnMut(&RecordOutcome),
    ) -> ServiceResult<()> {
        let mut pages = StoredPages::default();
        while let Some(page) = pages.next(self, experiment_id).await? {
            page.iter().for_each(&mut visit);
        }
        Ok(())
    }

    /// Commits outcomes as they arrive: those finishing within [`GATHER`] of each other go
    /// into one transaction.
    async fn write_outcomes(
        &self,
        experiment_id: &str,
        index: usize,
        mut rx: mpsc::Receiver<RecordOutcome>,
        live: &LiveRun,
        labels: ModelLabels,
        monitor: Option<(&super::sequential::Monitor, usize)>,
    ) -> ServiceResult<()> {
        let mut batch = Vec::with_capacity(WRITE_BATCH);
        while let Some(first) = rx.recv().await {
            batch.push(first);
            // Trials finishing in the next few milliseconds join this transaction: one
            // commit for each trial was ~10 % of a run's CPU (pool round trips, commit).
            let deadline = tokio::time::Instant::now() + GATHER;
            while batch.len() < WRITE_BATCH {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(o)) => batch.push(o),
                    Ok(None) | Err(_) => break,
                }
            }
            self.store.insert_outcomes(experiment_id, &batch).await?;
            // Paired once committed: a restart replays the monitor from what is stored.
            if let Some((m, config)) = monitor {
                for o in &batch {
                    m.record(config, o.record_index, m.metric.value_of(&o.scores));
                }
            }
            count_stored(&batch, &labels);
            let failed = batch.iter().filter(|o| o.error.is_some()).count() as u64;
            let n = batch.len() as u64;
            let (tokens, cost) = batch.iter().fold((0u64, 0.0f64), |(t, c), o| {
                (t + o.tokens_used(), c + o.cost_with_judge())
            });
            live.progress.send_modify(|p| {
                if let Some(e) = p.experiments.get_mut(index) {
                    e.done += n;
                    e.failed += failed;
                    e.tokens += tokens;
                    e.cost_usd += cost;
                }
                p.refresh_totals();
            });
            batch.clear();
        }
        Ok(())
    }
}

/// Feeds the metrics with trials just stored: their status, and for each model call its
/// outcome, retries and duration, or the cache hit that spared it.
fn count_stored(batch: &[RecordOutcome], labels: &ModelLabels) {
    let t = telemetry();
    // Labels built once a batch, not once a trial.
    let calls = |outcome: &str| CallLabels {
        provider: labels.provider.clone(),
        model: labels.model.clone(),
        outcome: outcome.to_string(),
    };
    let (ok, error) = (calls("ok"), calls("error"));
    for o in batch {
        let status = StatusLabel {
            status: o.status.to_string(),
        };
        t.trials.get_or_create(&status).inc();
        if o.cached {
            t.cache_hits.get_or_create(labels).inc();
            continue;
        }
        let outcome = if o.raw_output.is_some() { &ok } else { &error };
        t.provider_calls.get_or_create(outcome).inc();
        t.provider_retries
            .get_or_create(labels)
            .inc_by(u64::from(o.retries));
        // A trial that never reached the model (a crash, a cancel) has no call duration.
        if o.latency_ms > 0.0 {
            t.call_seconds
                .get_or_create(labels)
                .observe(o.latency_ms / 1000.0);
        }
    }
}

/// An experiment's stored trials without their outputs, in order, a page of
/// [`SUMMARY_PAGE`] at a time.
#[derive(Default)]
struct StoredPages {
    /// The last trial read, once a page was read.
    after: Option<(usize, u32)>,
    done: bool,
}

impl StoredPages {
    /// The next page, or `None` once every trial was read.
    async fn next(
        &mut self,
        service: &Service,
        experiment_id: &str,
    ) -> ServiceResult<Option<Vec<RecordOutcome>>> {
        if self.done {
            return Ok(None);
        }
        let page = service
            .store
            .score_page(experiment_id, self.after, SUMMARY_PAGE)
            .await?;
        match page.last() {
            Some(o) if page.len() as u64 == SUMMARY_PAGE => {
                self.after = Some((o.record_index, o.repetition));
            }
            _ => self.done = true,
        }
        Ok((!page.is_empty()).then_some(page))
    }
}

fn set_experiment_status(live: &LiveRun, index: usize, status: ExperimentStatus) {
    live.progress.send_modify(|p| {
        if let Some(x) = p.experiments.get_mut(index) {
            x.status = status;
        }
    });
}
