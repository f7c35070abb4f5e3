//! Summary evaluators over an experiment: overall accuracy and one metric per evaluator, each
//! with a 95% confidence interval, plus per-field accuracy across the dataset.
//!
//! The unit of analysis is the record: with repetitions, a record's scores are averaged
//! over its repetitions first, so the intervals do not pretend repetitions are new records.

use shared::{
    ExperimentMetrics, FieldAccuracy, MetricEstimate, MetricKind, Population, RecordScores,
};

use super::judge::{weighted_overall, WEIGHTED_LABEL, WEIGHTED_METRIC, WEIGHTS};
use super::registry::{Evaluator, EVALUATORS, OVERALL_LABEL, OVERALL_METRIC};
pub use super::table::parsed_output;
use super::table::{FieldTally, Groups, ScoreTable};
use crate::stats;

/// One scored trial: the record it ran and its scores.
pub struct ScoredRecord<'a> {
    pub record_id: &'a str,
    pub scores: &'a RecordScores,
}

/// Summarises an experiment: overall accuracy, then one metric per evaluator of the
/// registry. `seed` makes the bootstrap intervals reproducible.
pub fn summarize(scored: &[ScoredRecord<'_>], seed: u64) -> ExperimentMetrics {
    let mut table = ScoreTable::with_capacity(scored.len());
    let mut tally = FieldTally::default();
    for s in scored {
        table.push(s.record_id, 0, s.scores);
        tally.add_trial(s.scores);
    }
    summarize_table(&table, &tally, seed)
}

/// [`summarize`] over compact scores: `fields` is the per-field tally of the same trials.
pub fn summarize_table(table: &ScoreTable, fields: &FieldTally, seed: u64) -> ExperimentMetrics {
    let groups = table.groups();
    let repeated = groups.repeated();
    let mut scratch = Vec::new();
    let overall: Vec<f64> = groups
        .iter()
        .map(|g| {
            scratch.clear();
            scratch.extend(g.map(|t| table.overall(t)));
            stats::mean(&scratch)
        })
        .collect();
    let mut estimates = vec![(
        OVERALL_METRIC.to_string(),
        MetricEstimate {
            label: OVERALL_LABEL.into(),
            ..stats::mean_with_ci(&overall, stats::seed_for(seed, OVERALL_METRIC))
        },
    )];
    for (i, e) in EVALUATORS.iter().enumerate() {
        if let Some(estimate) = estimate(e, i, table, &groups, repeated, seed) {
            estimates.push((e.metric.to_string(), estimate));
        }
    }
    if let Some(weighted) = weighted_estimate(table, &groups, seed) {
        estimates.push((WEIGHTED_METRIC.to_string(), weighted));
    }
    ExperimentMetrics {
        estimates,
        per_field: fields.accuracy(),
    }
}

/// Whether a trial counts towards an evaluator's summary.
pub fn in_population(e: &Evaluator, s: &RecordScores) -> bool {
    match e.population {
        Population::AllTrials => true,
        Population::ParsedOutputs => parsed_output(s),
    }
}

/// Whether trial `t` of `table` counts towards an evaluator's summary.
pub fn in_table_population(e: &Evaluator, table: &ScoreTable, t: usize) -> bool {
    match e.population {
        Population::AllTrials => true,
        Population::ParsedOutputs => table.parsed(t),
    }
}

/// One evaluator's summary (`index` is its place in the registry); `None` when no trial
/// carries its score (an experiment stored before the evaluator existed).
fn estimate(
    e: &Evaluator,
    index: usize,
    table: &ScoreTable,
    groups: &Groups,
    repeated: bool,
    seed: u64,
) -> Option<MetricEstimate> {
    if !(0..table.len()).any(|t| table.value(t, index).is_some()) {
        return None;
    }
    // Per record: the mean of its trials' values (repetitions are averaged, so intervals do
    // not treat repetitions as new records); records with no value in the population are
    // left out.
    let mut scratch = Vec::new();
    let mut means = Vec::with_capacity(groups.len());
    let mut hits = 0;
    for g in groups.iter() {
        scratch.clear();
        scratch.extend(g.filter_map(|t| {
            let v = table.value(t, index)?;
            in_table_population(e, table, t).then_some(v)
        }));
        if scratch.is_empty() {
            continue;
        }
        hits += usize::from(scratch[0] >= 1.0);
        means.push(stats::mean(&scratch));
    }
    let base = if e.kind == MetricKind::Binary && !repeated {
        stats::proportion(hits, means.len())
    } else {
        stats::mean_with_ci(&means, stats::seed_for(seed, e.metric))
    };
    Some(MetricEstimate {
        label: e.metric_label.into(),
        evaluator: Some(e.name.into()),
        ..base
    })
}

/// The original's weighted overall accuracy (see [`super::judge::WEIGHTS`]) over the trials
/// the judge scored, records averaged over their repetitions; `None` when the judge scored
/// none.
fn weighted_estimate(table: &ScoreTable, groups: &Groups, seed: u64) -> Option<MetricEstimate> {
    let index = |name: &str| EVALUATORS.iter().position(|e| e.name == name);
    // The formula's columns in the table, looked up once.
    let columns: Vec<(&str, usize)> = WEIGHTS
        .iter()
        .map(|(name, _)| Some((*name, index(name)?)))
        .collect::<Option<_>>()?;
    let trial = |t: usize| -> Option<f64> {
        weighted_overall(|name| {
            let &(_, e) = columns.iter().find(|(n, _)| *n == name)?;
            table.value(t, e)
        })
    };
    let mut scratch = Vec::new();
    let mut means = Vec::new();
    for g in groups.iter() {
        scratch.clear();
        scratch.extend(g.filter_map(trial));
        if !scratch.is_empty() {
            means.push(stats::mean(&scratch));
        }
    }
    if means.is_empty() {
        return None;
    }
    Some(MetricEstimate {
        label: WEIGHTED_LABEL.into(),
        ..stats::mean_with_ci(&means, stats::seed_for(seed, WEIGHTED_METRIC))
    })
}

/// Accuracy of each field over the outputs that parsed (failures are counted by
/// success_rate). Row fields are pooled per form: "Constituency.vote_results[].vote_count".
pub fn per_field_accuracy(succeeded: &[&RecordScores]) -> Vec<FieldAccuracy> {
    let mut tally = FieldTally::default();
    for s in succeeded {
        tally.add_trial(s);
    }
    tally.accuracy()
}
