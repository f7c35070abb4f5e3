//! Comparing experiments on the same records: metrics side by side, paired verdicts,
//! per-field accuracy and the records where they disagree.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tracing::Instrument;

use shared::{
    ComparisonPair, ComparisonResponse, ExperimentRunResponse, ExperimentStatus, FieldRow,
    MetricKind, PairedComparison,
};

use super::experiment::SUMMARY_SEED;
use super::{Service, ServiceError, ServiceResult};
use crate::eval::summary::in_table_population;
use crate::eval::table::ScoreTable;
use crate::eval::{Evaluator, EVALUATORS, OVERALL_LABEL, OVERALL_METRIC};
use crate::stats;
use crate::store::{ExperimentFilter, ExperimentRow, StoreError};

/// Most experiments in one comparison.
const MAX_COMPARED: usize = 10;

/// Paired comparisons of A against B on the trials both ran (matched by record id and
/// repetition): overall accuracy, then one per evaluator of the registry. Binary
/// evaluators use exact McNemar, scores a paired bootstrap guarded by a sign-flip test.
/// An evaluator over parsed outputs pairs only trials where both outputs parsed; one that
/// either experiment lacks (stored before it existed) is left out.
/// With no trial in common there is nothing to compare: no verdicts.
pub fn paired(a: &ScoreTable, b: &ScoreTable) -> Vec<PairedComparison> {
    compare_pairs(a, b, &trial_pairs(a, b))
}

/// [`paired`] over trial pairs already found (see [`trial_pairs`]).
fn compare_pairs(
    a: &ScoreTable,
    b: &ScoreTable,
    pairs: &[(usize, usize)],
) -> Vec<PairedComparison> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let (oa, ob): (Vec<f64>, Vec<f64>) = pairs
        .iter()
        .map(|&(x, y)| (a.overall(x), b.overall(y)))
        .unzip();
    let mut out = vec![PairedComparison {
        label: OVERALL_LABEL.into(),
        ..stats::compare_scores(
            OVERALL_METRIC,
            &oa,
            &ob,
            stats::seed_for(SUMMARY_SEED, OVERALL_METRIC),
        )
    }];
    out.extend(
        EVALUATORS
            .iter()
            .enumerate()
            .filter_map(|(i, e)| compare_evaluator(e, i, a, b, pairs)),
    );
    out
}

/// Trials of A and B on the same record and repetition, as (A's index, B's index).
fn trial_pairs(a: &ScoreTable, b: &ScoreTable) -> Vec<(usize, usize)> {
    let b_by: HashMap<(&str, u32), usize> = (0..b.len())
        .map(|t| ((b.record_id(t), b.repetition(t)), t))
        .collect();
    (0..a.len())
        .filter_map(|t| {
            b_by.get(&(a.record_id(t), a.repetition(t)))
                .map(|&u| (t, u))
        })
        .collect()
}

/// What makes a comparison of these experiments weaker than it looks: a different dataset or
/// dataset version than A's (a label fix between versions is not a model difference).
fn dataset_warnings(rows: &[crate::store::ExperimentRow]) -> Vec<String> {
    let Some((a, rest)) = rows.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .filter(|b| (&b.dataset_name, b.dataset_version) != (&a.dataset_name, a.dataset_version))
        .map(|b| {
            format!(
                "{} ran on {} v{} and {} on {} v{}: only records of the same id are paired, and a \
                 difference may come from the labels, not the models.",
                a.name,
                a.dataset_name,
                a.dataset_version,
                b.name,
                b.dataset_name,
                b.dataset_version
            )
        })
        .collect()
}

fn compare_evaluator(
    e: &Evaluator,
    index: usize,
    a: &ScoreTable,
    b: &ScoreTable,
    pairs: &[(usize, usize)],
) -> Option<PairedComparison> {
    let carried = pairs
        .iter()
        .any(|&(x, y)| a.value(x, index).is_some() && b.value(y, index).is_some());
    if !carried {
        return None;
    }
    let values: Vec<(f64, f64)> = pairs
        .iter()
        .filter(|&&(x, y)| in_table_population(e, a, x) && in_table_population(e, b, y))
        .filter_map(|&(x, y)| Some((a.value(x, index)?, b.value(y, index)?)))
        .collect();
    let comparison = match e.kind {
        MetricKind::Binary => {
            let (a, b): (Vec<bool>, Vec<bool>) =
                values.iter().map(|(x, y)| (*x >= 1.0, *y >= 1.0)).unzip();
            stats::compare_binary(e.metric, &a, &b)
        }
        MetricKind::Score => {
            let (a, b): (Vec<f64>, Vec<f64>) = values.into_iter().unzip();
            stats::compare_scores(e.metric, &a, &b, stats::seed_for(SUMMARY_SEED, e.metric))
        }
    };
    Some(PairedComparison {
        label: e.metric_label.into(),
        ..comparison
    })
}

impl Service {
    /// Builds the comparison of the given experiments (the first is A).
    pub async fn compare(&self, ids: &[String]) -> ServiceResult<ComparisonResponse> {
        if ids.len() < 2 || ids.len() > MAX_COMPARED {
            return Err(ServiceError::field(
                "ids",
                "give 2 to 10 experiment ids separated by commas",
            ));
        }
        // Versioned: comparisons stored before verdicts carried their follow-up (and the
        // sequential result) are computed again.
        let key = format!("v3:{}", ids.join(","));
        if let Some(body) = self.store.comparison_get(&key).await? {
            if let Ok(stored) = serde_json::from_str::<ComparisonResponse>(&body) {
                return Ok(stored);
            }
        }
        let mut rows = Vec::new();
        let mut tables = Vec::new();
        let mut glances = Vec::new();
        for id in ids {
            let row = self.store.get_experiment(id).await?;
            let (table, glance) = self.score_table(id).await?;
            tables.push(table);
            glances.push(glance);
            rows.push(row);
        }
        let details: Vec<_> = rows.iter().map(|r| self.experiment_detail(r)).collect();
        let pairs = rows
            .iter()
            .zip(&tables)
            .skip(1)
            .map(|(row, t)| {
                // Found once: counted here and compared below (a map of every trial).
                let found = trial_pairs(&tables[0], t);
                let paired_trials = found.len() as u64;
                ComparisonPair {
                    a: rows[0].id.clone(),
                    b: row.id.clone(),
                    comparisons: compare_pairs(&tables[0], t, &found),
                    paired_trials,
                    reason: (paired_trials == 0).then(|| {
                        format!(
                            "{} and {} share no record: nothing can be compared record by record.",
                            rows[0].name, row.name
                        )
                    }),
                }
            })
            .collect::<Vec<_>>();
        let mut warnings = dataset_warnings(&rows);
        warnings.extend(pairs.iter().filter_map(|p| p.reason.clone()));
        let mut fields: BTreeMap<String, Vec<Option<shared::FieldAccuracy>>> = BTreeMap::new();
        for (i, d) in details.iter().enumerate() {
            for f in d.metrics.iter().flat_map(|m| m.per_field.iter()) {
                fields
                    .entry(f.field.clone())
                    .or_insert_with(|| vec![None; details.len()])[i] = Some(f.clone());
            }
        }
        let per_field = fields
            .into_iter()
            .map(|(field, accuracy)| FieldRow { field, accuracy })
            .collect();
        let (mut disagreements, paired_records) = self.disagreements(ids, &glances).await?;
        if paired_records == 0 {
            // Records of one experiment only are not disagreements: nothing was paired.
            disagreements.clear();
        }
        let (sequential, run_finished) = self.sequential_of(&rows).await?;
        let comparison = ComparisonResponse {
            experiments: details,
            pairs,
            per_field,
            disagreements,
            paired_records,
            warnings,
            sequential,
        };
        // Finished experiments never change: their comparison is computed once (once their
        // run is finished too: a sequential run stores its verdict after its experiments).
        if run_finished && rows.iter().all(|r| r.status.is_terminal()) {
            match serde_json::to_string(&comparison) {
                Ok(body) => {
                    if let Err(e) = self.store.comparison_put(&key, &body).await {
                        tracing::warn!(error = %e, "cannot store a comparison");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot serialise a comparison"),
            }
        }
        Ok(comparison)
    }

    /// The stored verdict of the `stop_when_decided` run all of `rows` belong to, if any,
    /// and whether that run has finished (true for experiments of several runs).
    async fn sequential_of(
        &self,
        rows: &[ExperimentRow],
    ) -> ServiceResult<(Option<shared::SequentialResult>, bool)> {
        let Some(first) = rows.first() else {
            return Ok((None, true));
        };
        if rows.iter().any(|r| r.run_id != first.run_id) {
            return Ok((None, true));
        }
        let run = match self.store.get_run(&first.run_id).await {
            Ok(run) => run,
            Err(StoreError::NotFound(_)) => return Ok((None, true)),
            Err(e) => return Err(e.into()),
        };
        let finished = run.status.is_terminal();
        Ok((run.response.and_then(|r| r.sequential), finished))
    }

    /// Computes (and so stores) the comparison the run's response links to, in the
    /// background: opening it is then a read.
    pub(super) fn warm_comparison(self: &Arc<Self>, response: &ExperimentRunResponse) {
        if response.experiments.len() < 2 {
            return;
        }
        let ids: Vec<String> = response
            .experiments
            .iter()
            .map(|e| e.experiment_id.clone())
            .collect();
        let service = self.clone();
        self.runtime.spawn(
            async move {
                if let Err(e) = service.compare(&ids).await {
                    tracing::warn!(error = %e, "cannot compute the run's comparison");
                }
            }
            .in_current_span(),
        );
    }
}

impl Service {
    /// The experiment a baseline names: the experiment with that id, else the newest
    /// successful experiment with exactly that name; `None` when there is neither.
    pub async fn find_baseline(&self, id_or_name: &str) -> ServiceResult<Option<ExperimentRow>> {
        match self.store.get_experiment(id_or_name).await {
            Ok(row) => return Ok(Some(row)),
            Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let filter = ExperimentFilter {
            search: Some(id_or_name.to_string()),
            limit: 500,
            ..ExperimentFilter::default()
        };
        let (rows, _) = self.store.list_experiments(&filter).await?;
        Ok(rows
            .into_iter()
            .find(|r| r.name == id_or_name && r.status == ExperimentStatus::Success))
    }

    /// A stored experiment's scores, trial by trial (for a comparison made elsewhere).
    pub async fn stored_scores(&self, id: &str) -> ServiceResult<ScoreTable> {
        Ok(self.score_table(id).await?.0)
    }
}
