//! Summary evaluators over an experiment: overall accuracy and one metric per evaluator, each
//! with a 95% confidence interval, plus per-field accuracy across the dataset.
//!
//! The unit of analysis is the record: with repetitions, a record's scores are averaged
//! over its repetitions first, so the intervals do not pretend repetitions are new records.

use std::collections::BTreeMap;

use shared::{
    ExperimentMetrics, FieldAccuracy, MetricEstimate, MetricKind, Population, RecordScores,
};

use super::names;
use super::registry::{Evaluator, EVALUATORS, OVERALL_LABEL, OVERALL_METRIC};
use crate::stats;

/// One scored trial: the record it ran and its scores.
pub struct ScoredRecord<'a> {
    pub record_id: &'a str,
    pub scores: &'a RecordScores,
}

/// Summarises an experiment: overall accuracy, then one metric per evaluator of the
/// registry. `seed` makes the bootstrap intervals reproducible.
pub fn summarize(scored: &[ScoredRecord<'_>], seed: u64) -> ExperimentMetrics {
    let groups = group_by_record(scored);
    let repeated = groups.iter().any(|g| g.len() > 1);
    let overall: Vec<f64> = groups
        .iter()
        .map(|g| stats::mean(&g.iter().map(|s| s.overall).collect::<Vec<_>>()))
        .collect();
    let mut estimates = vec![(
        OVERALL_METRIC.to_string(),
        MetricEstimate {
            label: OVERALL_LABEL.into(),
            ..stats::mean_with_ci(&overall, stats::seed_for(seed, OVERALL_METRIC))
        },
    )];
    for e in EVALUATORS {
        if let Some(estimate) = estimate(e, &groups, repeated, seed) {
            estimates.push((e.metric.to_string(), estimate));
        }
    }
    let parsed: Vec<&RecordScores> = scored
        .iter()
        .map(|s| s.scores)
        .filter(|s| parsed_output(s))
        .collect();
    ExperimentMetrics {
        estimates,
        per_field: per_field_accuracy(&parsed),
    }
}

/// Whether a trial's output parsed (has_no_errors).
pub fn parsed_output(s: &RecordScores) -> bool {
    s.passed(names::HAS_NO_ERRORS).unwrap_or(false)
}

/// Whether a trial counts towards an evaluator's summary.
pub fn in_population(e: &Evaluator, s: &RecordScores) -> bool {
    match e.population {
        Population::AllTrials => true,
        Population::ParsedOutputs => parsed_output(s),
    }
}

/// One evaluator's summary; `None` when no trial carries its score (an experiment stored
/// before the evaluator existed).
fn estimate(
    e: &Evaluator,
    groups: &[Vec<&RecordScores>],
    repeated: bool,
    seed: u64,
) -> Option<MetricEstimate> {
    let mut carried = false;
    // Per record: its trials' values (repetitions are averaged, so intervals do not treat
    // repetitions as new records).
    let per_record: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .filter_map(|s| {
                    let v = s.value(e.name)?;
                    carried = true;
                    in_population(e, s).then_some(v)
                })
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    if !carried {
        return None;
    }
    let base = if e.kind == MetricKind::Binary && !repeated {
        let hits = per_record.iter().filter(|v| v[0] >= 1.0).count();
        stats::proportion(hits, per_record.len())
    } else {
        let means: Vec<f64> = per_record.iter().map(|v| stats::mean(v)).collect();
        stats::mean_with_ci(&means, stats::seed_for(seed, e.metric))
    };
    Some(MetricEstimate {
        label: e.metric_label.into(),
        evaluator: Some(e.name.into()),
        ..base
    })
}

fn group_by_record<'a>(scored: &'a [ScoredRecord<'a>]) -> Vec<Vec<&'a RecordScores>> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut groups: Vec<Vec<&RecordScores>> = Vec::new();
    for s in scored {
        let i = *index.entry(s.record_id).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(s.scores);
    }
    groups
}

/// Accuracy of each field over the outputs that parsed (failures are counted by
/// success_rate). Row fields are pooled per form: "Constituency.vote_results[].vote_count".
pub fn per_field_accuracy(succeeded: &[&RecordScores]) -> Vec<FieldAccuracy> {
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in succeeded {
        for d in s.scores.iter().flat_map(|sc| sc.details.iter()) {
            let entry = tally.entry(pool_rows(&d.field)).or_default();
            entry.0 += usize::from(d.ok);
            entry.1 += 1;
        }
    }
    tally
        .into_iter()
        .map(|(field, (correct, total))| FieldAccuracy {
            field,
            correct,
            total,
            #[allow(clippy::cast_precision_loss)]
            accuracy: if total == 0 {
                0.0
            } else {
                correct as f64 / total as f64
            },
        })
        .collect()
}

fn pool_rows(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut depth = 0;
    for c in field.chars() {
        match c {
            '[' => {
                depth += 1;
                out.push('[');
            }
            ']' => {
                depth -= 1;
                out.push(']');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_row_keys() {
        assert_eq!(
            pool_rows("PartyList.vote_results[#12].vote_count"),
            "PartyList.vote_results[].vote_count"
        );
        assert_eq!(
            pool_rows("Constituency.form_info.date"),
            "Constituency.form_info.date"
        );
    }
}
