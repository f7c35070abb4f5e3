//! Comparing experiments on the same records: metrics side by side, paired verdicts,
//! per-field accuracy and the records where they disagree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shared::{ComparisonPair, ComparisonResponse, Disagreement, FieldRow, PairedComparison};

use super::views::experiment_detail;
use crate::runner::RecordOutcome;
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::stats;

/// Most disagreeing records listed.
const MAX_DISAGREEMENTS: usize = 200;

/// Paired comparisons of A against B on the tasks both ran (matched by record id and
/// repetition).
pub fn paired(a: &[RecordOutcome], b: &[RecordOutcome]) -> Vec<PairedComparison> {
    let b_by: HashMap<(&str, u32), &RecordOutcome> = b
        .iter()
        .map(|o| ((o.record_id.as_str(), o.repetition), o))
        .collect();
    let pairs: Vec<(&RecordOutcome, &RecordOutcome)> = a
        .iter()
        .filter_map(|o| {
            b_by.get(&(o.record_id.as_str(), o.repetition))
                .map(|p| (o, *p))
        })
        .collect();
    let scores = |f: fn(&RecordOutcome) -> f64| -> (Vec<f64>, Vec<f64>) {
        pairs.iter().map(|(x, y)| (f(x), f(y))).unzip()
    };
    let flags = |f: fn(&RecordOutcome) -> bool| -> (Vec<bool>, Vec<bool>) {
        pairs.iter().map(|(x, y)| (f(x), f(y))).unzip()
    };
    let (oa, ob) = scores(|o| o.scores.overall);
    let (ba, bb) = scores(|o| o.scores.ballot_accuracy_score);
    let (va, vb) = scores(|o| o.scores.vote_results_quality);
    let (sa, sb) = flags(|o| o.scores.has_no_errors);
    let (ea, eb) = flags(|o| o.scores.exact_form_match);
    vec![
        stats::compare_scores("overall_accuracy", &oa, &ob, 42),
        stats::compare_scores("avg_ballot_accuracy", &ba, &bb, 43),
        stats::compare_scores("vote_results_quality", &va, &vb, 44),
        stats::compare_binary("success_rate", &sa, &sb),
        stats::compare_binary("exact_form_match", &ea, &eb),
    ]
}

/// Builds the comparison of the given experiments (the first is A).
pub async fn compare(state: &AppState, ids: &[String]) -> Result<ComparisonResponse, ApiError> {
    if ids.len() < 2 || ids.len() > 10 {
        return Err(ApiError::field(
            "ids",
            "give 2 to 10 experiment ids separated by commas",
        ));
    }
    let mut rows = Vec::new();
    let mut outcomes = Vec::new();
    for id in ids {
        let row = state.store.get_experiment(id).await?;
        outcomes.push(state.store.outcomes(id).await?);
        rows.push(row);
    }
    let details: Vec<_> = rows.iter().map(|r| experiment_detail(state, r)).collect();
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
