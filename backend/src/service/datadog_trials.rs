//! Sending an experiment's stored trials to Datadog: every trial after the export's mark,
//! in events calls of at most [`EVENTS_BATCH`] trials and [`EVENTS_BYTES`], the mark saved
//! after each call Datadog acknowledged.

use std::collections::HashMap;

use super::datadog_events::{trial_events, EventContext};
use super::datadog_export::Stop;
use super::Service;
use crate::datadog::Client;
use crate::store::{ExperimentRow, ExportRow};

/// Trials per events call.
const EVENTS_BATCH: u32 = 100;
/// Bytes of spans and metrics per events call (Datadog takes about 5 MB).
const EVENTS_BYTES: usize = 3 << 20;

impl Service {
    /// Sends every stored trial after the export's mark, a batch at a time.
    pub(super) async fn send_trials(
        &self,
        client: &Client,
        row: &mut ExportRow,
        experiment: &ExperimentRow,
        ctx: &EventContext,
    ) -> Result<(), Stop> {
        let through = self.store.last_trial_row(&experiment.id).await?;
        loop {
            let trials = self
                .store
                .trials_after(&experiment.id, row.sent_seq, through, EVENTS_BATCH)
                .await?;
            let Some(last) = trials.last().map(|t| t.seq) else {
                return Ok(());
            };
            let ids: Vec<&str> = trials
                .iter()
                .map(|t| t.outcome.record_id.as_str())
                .collect();
            let records = self
                .store
                .dataset_records_by_id(&experiment.dataset_name, experiment.dataset_version, &ids)
                .await?;
            let by_id: HashMap<String, shared::DatasetRecord> =
                records.into_iter().map(|r| (r.id.clone(), r)).collect();
            // Calls of at most EVENTS_BYTES: a batch of large spans goes in several.
            let (mut metrics, mut spans, mut bytes, mut count) = (Vec::new(), Vec::new(), 0, 0);
            for (i, trial) in trials.iter().enumerate() {
                let (m, sp) = trial_events(ctx, std::slice::from_ref(trial), |id| {
                    by_id.get(id).cloned()
                });
                let size = sp
                    .iter()
                    .chain(&m)
                    .map(|v| v.to_string().len())
                    .sum::<usize>();
                if count > 0 && bytes + size > EVENTS_BYTES {
                    let through = trials[i - 1].seq;
                    self.post_batch(client, row, ctx, &mut metrics, &mut spans, through, count)
                        .await?;
                    (bytes, count) = (0, 0);
                }
                metrics.extend(m);
                spans.extend(sp);
                bytes += size;
                count += 1;
            }
            self.post_batch(client, row, ctx, &mut metrics, &mut spans, last, count)
                .await?;
        }
    }

    /// Sends one events call and saves that the trials through `through` are sent.
    #[allow(clippy::too_many_arguments)]
    async fn post_batch(
        &self,
        client: &Client,
        row: &mut ExportRow,
        ctx: &EventContext,
        metrics: &mut Vec<serde_json::Value>,
        spans: &mut Vec<serde_json::Value>,
        through: i64,
        count: u64,
    ) -> Result<(), Stop> {
        client
            .post_events(
                &ctx.remote_id,
                std::mem::take(metrics),
                std::mem::take(spans),
                &ctx.tags,
            )
            .await?;
        row.sent_seq = through;
        row.sent_trials += count;
        self.save_progress(row).await?;
        Ok(())
    }
}
