//! Comparing experiments on the same records: metrics side by side, paired verdicts,
//! per-field accuracy and the records where they disagree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shared::{
    ComparisonPair, ComparisonResponse, Disagreement, FieldRow, MetricKind, PairedComparison,
    RecordScores,
};

use super::experiment::SUMMARY_SEED;
use super::{Service, ServiceError, ServiceResult};
use crate::eval::summary::in_population;
use crate::eval::{Evaluator, EVALUATORS, OVERALL_LABEL, OVERALL_METRIC};
use crate::outcome::RecordOutcome;
use crate::stats;

/// Most disagreeing records listed.
const MAX_DISAGREEMENTS: usize = 200;
/// Most experiments in one comparison.
const MAX_COMPARED: usize = 10;

/// Paired comparisons of A against B on the trials both ran (matched by record id and
/// repetition): overall accuracy, then one per evaluator of the registry. Binary
/// evaluators use exact McNemar, scores a paired bootstrap guarded by a sign-flip test.
/// An evaluator over parsed outputs pairs only trials where both outputs parsed; one that
/// either experiment lacks (stored before it existed) is left out.
pub fn paired(a: &[RecordOutcome], b: &[RecordOutcome]) -> Vec<PairedComparison> {
    let b_by: HashMap<(&str, u32), &RecordOutcome> = b
        .iter()
        .map(|o| ((o.record_id.as_str(), o.repetition), o))
        .collect();
    let pairs: Vec<(&RecordScores, &RecordScores)> = a
        .iter()
        .filter_map(|o| {
            b_by.get(&(o.record_id.as_str(), o.repetition))
                .map(|p| (&o.scores, &p.scores))
        })
        .collect();
    let (oa, ob): (Vec<f64>, Vec<f64>) = pairs.iter().map(|(x, y)| (x.overall, y.overall)).unzip();
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
            .filter_map(|e| compare_evaluator(e, &pairs)),
    );
    out
}

fn compare_evaluator(
    e: &Evaluator,
    pairs: &[(&RecordScores, &RecordScores)],
) -> Option<PairedComparison> {
    let values: Vec<(f64, f64)> = pairs
        .iter()
        .filter(|(x, y)| in_population(e, x) && in_population(e, y))
        .filter_map(|(x, y)| Some((x.value(e.name)?, y.value(e.name)?)))
        .collect();
    let carried = pairs
        .iter()
        .any(|(x, y)| x.get(e.name).is_some() && y.get(e.name).is_some());
    if !carried {
        return None;
    }
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
        let mut rows = Vec::new();
        let mut outcomes = Vec::new();
        for id in ids {
            let row = self.store.get_experiment(id).await?;
            outcomes.push(self.store.outcomes(id).await?);
            rows.push(row);
        }
        let details: Vec<_> = rows.iter().map(|r| self.experiment_detail(r)).collect();
        let pairs = rows
            .iter()
            .zip(&outcomes)
            .skip(1)
            .map(|(row, o)| ComparisonPair {
                a: rows[0].id.clone(),
                b: row.id.clone(),
                comparisons: paired(&outcomes[0], o),
            })
            .collect();
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
        let (disagreements, paired_records) = disagreements(&outcomes);
        Ok(ComparisonResponse {
            experiments: details,
            pairs,
            per_field,
            disagreements,
            paired_records,
        })
    }
}

fn disagreements(all: &[Vec<RecordOutcome>]) -> (Vec<Disagreement>, u64) {
    let maps: Vec<HashMap<&str, &RecordOutcome>> = all
        .iter()
        .map(|v| {
            v.iter()
                .filter(|o| o.repetition == 0)
                .map(|o| (o.record_id.as_str(), o))
                .collect()
        })
        .collect();
    let Some(first) = all.first() else {
        return (Vec::new(), 0);
    };
    let mut out = Vec::new();
    let mut paired = 0u64;
    for o in first.iter().filter(|o| o.repetition == 0) {
        let per: Vec<Option<&RecordOutcome>> = maps
            .iter()
            .map(|m| m.get(o.record_id.as_str()).copied())
            .collect();
        if per.iter().all(Option::is_some) {
            paired += 1;
        }
        let ok_sets: Vec<BTreeSet<(String, bool)>> = per
            .iter()
            .map(|p| {
                p.map(|r| {
                    r.scores
                        .scores
                        .iter()
                        .flat_map(|s| s.details.iter())
                        .map(|d| (d.field.clone(), d.ok))
                        .collect()
                })
                .unwrap_or_default()
            })
            .collect();
        let mut differing: BTreeSet<String> = BTreeSet::new();
        for set in &ok_sets[1..] {
            for item in set.symmetric_difference(&ok_sets[0]) {
                differing.insert(item.0.clone());
            }
        }
        let overall: Vec<Option<f64>> = per.iter().map(|p| p.map(|r| r.scores.overall)).collect();
        let errors_differ = per
            .iter()
            .any(|p| p.map(|r| r.error.is_some()) != per[0].map(|r| r.error.is_some()));
        if !differing.is_empty() || errors_differ {
            out.push(Disagreement {
                record_id: o.record_id.clone(),
                record_index: o.record_index as u64,
                overall,
                fields: differing.into_iter().collect(),
            });
        }
        if out.len() >= MAX_DISAGREEMENTS {
            break;
        }
    }
    (out, paired)
}
