//! Summary evaluators over an experiment: the seed's three metrics and the extras, each
//! with a 95% confidence interval, plus per-field accuracy across the dataset.
//!
//! The unit of analysis is the record: with repetitions, a record's scores are averaged
//! over its repetitions first, so the intervals do not pretend repetitions are new records.

use std::collections::BTreeMap;

use shared::{ExperimentMetrics, FieldAccuracy, MetricEstimate, RecordScores};

use crate::stats;

/// One scored task: the record it ran and its scores.
pub struct ScoredRecord<'a> {
    pub record_id: &'a str,
    pub scores: &'a RecordScores,
}

/// Summarises an experiment. `seed` makes the bootstrap intervals reproducible.
pub fn summarize(scored: &[ScoredRecord<'_>], seed: u64) -> ExperimentMetrics {
    let groups = group_by_record(scored);
    let repeated = groups.iter().any(|g| g.len() > 1);
    let per_record = |f: &dyn Fn(&RecordScores) -> f64| -> Vec<f64> {
        #[allow(clippy::cast_precision_loss)]
        groups
            .iter()
            .map(|g| g.iter().map(|s| f(s)).sum::<f64>() / g.len() as f64)
            .collect()
    };
    // Binary metrics use Wilson on counts; with repetitions they become per-record shares,
    // which need the bootstrap instead.
    let binary = |f: &dyn Fn(&RecordScores) -> bool, salt: u64| -> MetricEstimate {
        if repeated {
            stats::mean_with_ci(&per_record(&|s| f64::from(u8::from(f(s)))), seed ^ salt)
        } else {
            let hits = groups.iter().filter(|g| f(g[0])).count();
            stats::proportion(hits, groups.len())
        }
    };
    let succeeded: Vec<&RecordScores> = scored
        .iter()
        .map(|s| s.scores)
        .filter(|s| s.has_no_errors)
        .collect();
    let consistent = succeeded
        .iter()
        .filter(|s| s.arithmetic_consistency)
        .count();
    ExperimentMetrics {
        overall_accuracy: stats::mean_with_ci(&per_record(&|s| s.overall), seed ^ 1),
        success_rate: binary(&|s| s.has_no_errors, 2),
        avg_ballot_accuracy: stats::mean_with_ci(
            &per_record(&|s| s.ballot_accuracy_score),
            seed ^ 3,
        ),
        exact_form_match_rate: binary(&|s| s.exact_form_match, 4),
        avg_vote_results_quality: stats::mean_with_ci(
            &per_record(&|s| s.vote_results_quality),
            seed ^ 5,
        ),
        avg_voter_statistics_accuracy: stats::mean_with_ci(
            &per_record(&|s| s.voter_statistics_accuracy),
            seed ^ 6,
        ),
        arithmetic_consistency_rate: stats::proportion(consistent, succeeded.len()),
        per_field: per_field_accuracy(&succeeded),
    }
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
