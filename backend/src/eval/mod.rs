//! Evaluators: score one record's output against its label, and summarise an experiment.
//!
//! Reports are paired by `form_type` (a record may hold the constituency and the party-list
//! form); every evaluator returns a value plus per-field detail the UI shows.

pub mod arithmetic;
mod counts;
mod form;
pub mod summary;
mod votes;

use serde_json::Value;
use shared::{FieldCheck, RecordScores, ReportSet, Score, ScoreValue, VoteReport};

pub use arithmetic::{audit_label, check_identities};
pub use counts::{ballot_accuracy_score, voter_statistics_accuracy};
pub use form::exact_form_match;
pub use votes::vote_results_quality;

/// Evaluator names, as stored and shown.
pub mod names {
    pub const EXACT_FORM_MATCH: &str = "exact_form_match";
    pub const BALLOT_ACCURACY: &str = "ballot_accuracy_score";
    pub const VOTE_RESULTS_QUALITY: &str = "vote_results_quality";
    pub const HAS_NO_ERRORS: &str = "has_no_errors";
    pub const VOTER_STATISTICS_ACCURACY: &str = "voter_statistics_accuracy";
    pub const ARITHMETIC_CONSISTENCY: &str = "arithmetic_consistency";
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

/// Scores one record: `output` is the parsed output, or the task's error message.
pub fn evaluate_record(expected: &ReportSet, output: Result<&ReportSet, &str>) -> RecordScores {
    let out = match output {
        Ok(out) => out,
        Err(message) => return failed_record(message),
    };
    let form = exact_form_match(expected, out);
    let ballot = ballot_accuracy_score(expected, out);
    let votes = vote_results_quality(expected, out);
    let voters = voter_statistics_accuracy(expected, out);
    let flags: Vec<_> = out.0.iter().flat_map(check_identities).collect();
    let consistent = flags.is_empty();
    let mut arith = Score::new(names::ARITHMETIC_CONSISTENCY, ScoreValue::Bool(consistent));
    arith.explanation = Some(if consistent {
        "every checkable identity holds on the output".into()
    } else {
        flags
            .iter()
            .map(|f| format!("{} {}: {}", f.form, f.identity, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    let overall = (form.value.as_f64() + ballot.value.as_f64() + votes.value.as_f64()) / 3.0;
    RecordScores {
        exact_form_match: form.value.as_f64() >= 1.0,
        ballot_accuracy_score: ballot.value.as_f64(),
        vote_results_quality: votes.value.as_f64(),
        has_no_errors: true,
        voter_statistics_accuracy: voters.value.as_f64(),
        arithmetic_consistency: consistent,
        overall,
        scores: vec![
            form,
            ballot,
            votes,
            Score::new(names::HAS_NO_ERRORS, ScoreValue::Bool(true)),
            voters,
            arith,
        ],
        arithmetic_flags: flags,
    }
}

/// The scores of a record whose task failed: every metric 0, has_no_errors false.
pub fn failed_record(message: &str) -> RecordScores {
    let mut err = Score::new(names::HAS_NO_ERRORS, ScoreValue::Bool(false));
    err.explanation = Some(message.to_string());
    RecordScores {
        exact_form_match: false,
        ballot_accuracy_score: 0.0,
        vote_results_quality: 0.0,
        has_no_errors: false,
        voter_statistics_accuracy: 0.0,
        arithmetic_consistency: false,
        overall: 0.0,
        scores: vec![
            Score::new(names::EXACT_FORM_MATCH, ScoreValue::Bool(false)),
            Score::new(names::BALLOT_ACCURACY, ScoreValue::Number(0.0)),
            Score::new(names::VOTE_RESULTS_QUALITY, ScoreValue::Number(0.0)),
            err,
            Score::new(names::VOTER_STATISTICS_ACCURACY, ScoreValue::Number(0.0)),
            Score::new(names::ARITHMETIC_CONSISTENCY, ScoreValue::Bool(false)),
        ],
        arithmetic_flags: Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
