//! Evaluators: score one record's output against its label, and summarise an experiment.
//!
//! Reports are paired by `form_type` (a record may hold the constituency and the party-list
//! form); every evaluator returns a value plus per-field detail the UI shows.

pub mod arithmetic;
mod compared;
mod counts;
mod form;
pub mod judge;
pub mod registry;
pub mod summary;
pub mod table;
mod votes;

use serde_json::Value;
use shared::{FieldCheck, RecordScores, ReportSet, Score, VoteReport};

pub use arithmetic::{arithmetic_consistency, audit_label, check_identities, label_issues};
pub use compared::ComparedMetric;
pub use counts::{ballot_accuracy_score, voter_statistics_accuracy};
pub use form::exact_form_match;
pub use registry::{Evaluator, Scorer, Scoring, EVALUATORS, OVERALL_LABEL, OVERALL_METRIC};
pub use votes::vote_results_quality;

/// Evaluator names, as stored and shown.
pub mod names {
    pub const HAS_NO_ERRORS: &str = "has_no_errors";
    pub const EXACT_FORM_MATCH: &str = "exact_form_match";
    pub const BALLOT_ACCURACY: &str = "ballot_accuracy_score";
    pub const VOTE_RESULTS_QUALITY: &str = "vote_results_quality";
    pub const VOTER_STATISTICS_ACCURACY: &str = "voter_statistics_accuracy";
    pub const ARITHMETIC_CONSISTENCY: &str = "arithmetic_consistency";
    pub const LLM_JUDGE: &str = shared::LLM_JUDGE_EVALUATOR;
}

/// One expected report and the output report paired with it (by form type).
pub(crate) struct Pair<'a> {
    /// Prefix of field paths, e.g. "Constituency".
    pub label: String,
    pub expected: &'a VoteReport,
    pub output: Option<&'a VoteReport>,
}

/// Pairs each expected report with the output report of the same form type; an expected
/// report without a form type pairs with the output at the same position.
pub(crate) fn pair<'a>(expected: &'a ReportSet, output: &'a ReportSet) -> Vec<Pair<'a>> {
    expected
        .0
        .iter()
        .enumerate()
        .map(|(i, exp)| {
            let (label, out) = match exp.form_info.form_type {
                Some(t) => (t.as_str().to_string(), output.by_type(t)),
                None => (format!("report{i}"), output.0.get(i)),
            };
            Pair {
                label,
                expected: exp,
                output: out,
            }
        })
        .collect()
}

pub(crate) fn check(field: String, expected: Value, actual: Value, ok: bool) -> FieldCheck {
    FieldCheck {
        field,
        expected,
        actual,
        ok,
        note: None,
    }
}

pub(crate) fn opt_json<T: serde::Serialize>(v: &Option<T>) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Scores one trial with every evaluator of the registry: `output` is the parsed output,
/// or the trial's error message.
pub fn evaluate_record(expected: &ReportSet, output: Result<&ReportSet, &str>) -> RecordScores {
    let out = match output {
        Ok(out) => out,
        Err(message) => return failed_record(message),
    };
    let scoring = Scoring::new(expected, out);
    let scores: Vec<Score> = EVALUATORS
        .iter()
        .filter_map(|e| e.score(&scoring))
        .collect();
    RecordScores {
        overall: overall(&scores),
        scores,
        arithmetic_flags: scoring.into_flags(),
        unscored: Vec::new(),
    }
}

/// Mean of the evaluators that make up overall accuracy.
pub fn overall(scores: &[Score]) -> f64 {
    let parts: Vec<f64> = EVALUATORS
        .iter()
        .filter(|e| e.in_overall)
        .filter_map(|e| scores.iter().find(|s| s.name == e.name))
        .map(|s| s.value.as_f64())
        .collect();
    crate::stats::mean(&parts)
}

/// The scores of a trial that produced no report: every evaluator computed from outputs at
/// its zero, and has_no_errors false with the error as its explanation (a judge, when one
/// runs, adds its own zero).
pub fn failed_record(message: &str) -> RecordScores {
    let scores = EVALUATORS
        .iter()
        .filter(|e| matches!(e.scorer, registry::Scorer::Output(_)))
        .map(|e| {
            let mut s = Score::new(e.name, e.zero());
            if e.name == names::HAS_NO_ERRORS {
                s.explanation = Some(message.to_string());
            }
            s
        })
        .collect();
    RecordScores {
        overall: 0.0,
        scores,
        arithmetic_flags: Vec::new(),
        unscored: Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
