//! The hard arithmetic identities of a ส.ส. 5/18 form (vote-forms.md §3), checked on any
//! report with no label needed: on a model's output (`arithmetic_consistency`) and on a
//! dataset's labels (the label audit).
//!
//! - I1: used = good + bad + no-vote
//! - I2: remaining = allocated − used
//! - I3: Σ votes of all rows = good
//! - I4: each row's vote in digits = its vote in Thai words
//!
//! An identity with an unreadable (null) operand cannot be checked and is skipped.

use shared::{ArithmeticFlag, ReportSet, Score, ScoreValue, VoteReport};

use super::names;

use crate::thai::words;

/// `arithmetic_consistency`: true when the output satisfies every checkable identity; the
/// explanation lists what it breaks.
pub fn arithmetic_consistency(_expected: &ReportSet, output: &ReportSet) -> Score {
    let flags: Vec<ArithmeticFlag> = output.0.iter().flat_map(check_identities).collect();
    consistency_score(&flags)
}

/// The `arithmetic_consistency` score of an output whose identity violations are `flags`.
pub fn consistency_score(flags: &[ArithmeticFlag]) -> Score {
    let consistent = flags.is_empty();
    let mut score = Score::new(names::ARITHMETIC_CONSISTENCY, ScoreValue::Bool(consistent));
    score.explanation = Some(if consistent {
        "every checkable identity holds on the output".into()
    } else {
        flags
            .iter()
            .map(|f| format!("{} {}: {}", f.form, f.identity, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    score
}

/// Every identity the report breaks.
pub fn check_identities(report: &VoteReport) -> Vec<ArithmeticFlag> {
    let form = report
        .form_info
        .form_type
        .map_or("report", |t| t.as_str())
        .to_string();
    let flag = |identity: &str, message: String| ArithmeticFlag {
        identity: identity.into(),
        form: form.clone(),
        message,
    };
    let b = &report.ballot_statistics;
    let mut flags = Vec::new();
    if let (Some(used), Some(good), Some(bad), Some(none)) = (
        b.ballots_used,
        b.good_ballots,
        b.bad_ballots,
        b.no_vote_ballots,
    ) {
        let sum = good.saturating_add(bad).saturating_add(none);
        if used != sum {
            flags.push(flag(
                "I1",
                format!(
                    "ballots_used {used} ≠ good + bad + no_vote = {good} + {bad} + {none} = {sum}"
                ),
            ));
        }
    }
    if let (Some(rem), Some(alloc), Some(used)) =
        (b.ballots_remaining, b.ballots_allocated, b.ballots_used)
    {
        if alloc.checked_sub(used) != Some(rem) {
            flags.push(flag(
                "I2",
                format!("ballots_remaining {rem} ≠ allocated − used = {alloc} − {used}"),
            ));
        }
    }
    let votes: Option<Vec<u64>> = report.vote_results.iter().map(|r| r.vote_count).collect();
    if let (Some(good), Some(votes)) = (b.good_ballots, votes) {
        if !votes.is_empty() {
            let sum = votes.iter().fold(0u64, |a, v| a.saturating_add(*v));
            if sum != good {
                flags.push(flag(
                    "I3",
                    format!(
                        "Σ votes of {} rows = {sum} ≠ good_ballots {good}",
                        votes.len()
                    ),
                ));
            }
        }
    }
    for row in &report.vote_results {
        let (Some(count), Some(text)) = (row.vote_count, row.vote_count_text.as_deref()) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let number = row.number.map_or("?".into(), |n| n.to_string());
        // Forms write zero as a dash or a bare zero in the words column (vote-forms.md §4).
        let zero_mark = matches!(
            text.trim().trim_matches(['(', ')']).trim(),
            "-" | "–" | "—" | "๐" | "0" | "o"
        );
        let parsed = if zero_mark {
            Ok(0)
        } else {
            words::parse_words(text)
        };
        match parsed {
            Ok(v) if v == count => {}
            Ok(v) => flags.push(flag(
                "I4",
                format!("row {number}: digits {count} ≠ words \"{text}\" = {v}"),
            )),
            Err(_) => flags.push(flag(
                "I4",
                format!("row {number}: words \"{text}\" are not a number (digits say {count})"),
            )),
        }
    }
    flags
}

/// The label audit: every identity any report of a record's label breaks. A label that
/// breaks an identity must be reviewed before it is trusted.
pub fn audit_label(expected: &ReportSet) -> Vec<ArithmeticFlag> {
    expected.0.iter().flat_map(check_identities).collect()
}

/// How many records' labels break an identity.
pub fn label_issues(records: &[shared::DatasetRecord]) -> u64 {
    records
        .iter()
        .filter(|r| !audit_label(&r.expected_output).is_empty())
        .count() as u64
}
