//! `vote_results_quality`: rows matched by number; correct rows ÷ max(expected, output rows).

use std::collections::HashMap;

use serde_json::Value;
use shared::{FieldCheck, ReportSet, Score, ScoreValue, VoteResult};

use super::{names, opt_json, pair};
use crate::thai::normalize;

/// Correct rows ÷ max(expected rows, output rows), summed over the paired reports, so a
/// missing row and an invented row both cost. A row is correct when the output has a row
/// with the same number and the same vote count (null matches only null). A repeated
/// number in the output counts as an invented row. Names and parties do not change the
/// value, but a mismatch is noted in the detail.
pub fn vote_results_quality(expected: &ReportSet, output: &ReportSet) -> Score {
    let mut details = Vec::new();
    let (mut correct, mut denominator) = (0usize, 0usize);
    for p in pair(expected, output) {
        let out_rows: &[VoteResult] = p.output.map_or(&[], |o| o.vote_results.as_slice());
        denominator += p.expected.vote_results.len().max(out_rows.len());
        let mut by_number: HashMap<u32, &VoteResult> = HashMap::new();
        let mut invented = Vec::new();
        for row in out_rows {
            match row.number {
                Some(n) if !by_number.contains_key(&n) => {
                    by_number.insert(n, row);
                }
                _ => invented.push(row),
            }
        }
        let mut expected_numbers = std::collections::HashSet::new();
        for (i, exp) in p.expected.vote_results.iter().enumerate() {
            let key = exp.number.map_or(format!("row{i}"), |n| format!("#{n}"));
            let field = format!("{}.vote_results[{key}].vote_count", p.label);
            if let Some(n) = exp.number {
                expected_numbers.insert(n);
            }
            let found = exp.number.and_then(|n| by_number.get(&n).copied());
            let Some(out) = found else {
                details.push(FieldCheck {
                    field,
                    expected: opt_json(&exp.vote_count),
                    actual: Value::Null,
                    ok: false,
                    note: Some("row missing from the output".into()),
                });
                continue;
            };
            let ok = exp.vote_count == out.vote_count;
            correct += usize::from(ok);
            details.push(FieldCheck {
                field,
                expected: opt_json(&exp.vote_count),
                actual: opt_json(&out.vote_count),
                ok,
                note: name_note(exp, out),
            });
        }
        for (n, row) in &by_number {
            if !expected_numbers.contains(n) {
                invented.push(row);
            }
        }
        for row in invented {
            let key = row.number.map_or("?".to_string(), |n| format!("#{n}"));
            details.push(FieldCheck {
                field: format!("{}.vote_results[{key}].vote_count", p.label),
                expected: Value::Null,
                actual: opt_json(&row.vote_count),
                ok: false,
                note: Some("row not in the label (invented or duplicated)".into()),
            });
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let value = if denominator == 0 {
        1.0
    } else {
        correct as f64 / denominator as f64
    };
    Score {
        name: names::VOTE_RESULTS_QUALITY.into(),
        value: ScoreValue::Number(value),
        explanation: Some(format!(
            "{correct} correct rows of max(expected, output) = {denominator}"
        )),
        details,
    }
}

fn name_note(exp: &VoteResult, out: &VoteResult) -> Option<String> {
    let differs = |a: &Option<String>, b: &Option<String>| match (a, b) {
        // Equal text normalises equally: most names match as read.
        (Some(a), Some(b)) => {
            a != b && normalize::normalize_text(a) != normalize::normalize_text(b)
        }
        _ => false,
    };
    let mut notes = Vec::new();
    if differs(&exp.candidate_name, &out.candidate_name) {
        notes.push("candidate name differs");
    }
    if differs(&exp.party_name, &out.party_name) {
        notes.push("party name differs");
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}
