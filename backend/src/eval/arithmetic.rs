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

use shared::{ArithmeticFlag, IdentityCheck, ReportSet, Score, ScoreValue, VoteReport};

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
    collect_identities(report, true)
        .into_iter()
        .map(|c| ArithmeticFlag {
            identity: c.identity,
            form: c.form,
            message: c.statement,
        })
        .collect()
}

/// Every identity of the report with what it computes: held, broken (the statement is then
/// the flag's message), or not checkable because an operand is empty. What a label editor
/// shows while the label is edited.
pub fn identity_checks(report: &VoteReport) -> Vec<IdentityCheck> {
    collect_identities(report, false)
}

/// The identities of `report`; with `broken_only` only the broken ones, and only their
/// statements are written (every trial checks its output: formatting a statement for each
/// of ~60 holding rows was most of the cost).
fn collect_identities(report: &VoteReport, broken_only: bool) -> Vec<IdentityCheck> {
    let form = report.form_info.form_type.map_or("report", |t| t.as_str());
    let mut out = Vec::new();
    let mut check = |identity: &str, holds: Option<bool>, statement: &dyn Fn() -> String| {
        if broken_only && holds != Some(false) {
            return;
        }
        out.push(IdentityCheck {
            identity: identity.into(),
            form: form.into(),
            holds,
            statement: statement(),
        });
    };
    let b = &report.ballot_statistics;
    match (
        b.ballots_used,
        b.good_ballots,
        b.bad_ballots,
        b.no_vote_ballots,
    ) {
        (Some(used), Some(good), Some(bad), Some(none)) => {
            let sum = good.saturating_add(bad).saturating_add(none);
            let sign = if used == sum { "=" } else { "≠" };
            check("I1", Some(used == sum), &|| {
                format!("ballots_used {used} {sign} good + bad + no_vote = {good} + {bad} + {none} = {sum}")
            });
        }
        _ => check("I1", None, &|| {
            "used = good + bad + no_vote: an operand is empty".into()
        }),
    }
    match (b.ballots_remaining, b.ballots_allocated, b.ballots_used) {
        (Some(rem), Some(alloc), Some(used)) => {
            let holds = alloc.checked_sub(used) == Some(rem);
            check("I2", Some(holds), &|| {
                let computed = alloc
                    .checked_sub(used)
                    .map_or_else(|| "negative".to_string(), |d| d.to_string());
                if holds {
                    format!("ballots_remaining {rem} = allocated − used = {alloc} − {used} = {computed}")
                } else {
                    format!("ballots_remaining {rem} ≠ allocated − used = {alloc} − {used}")
                }
            });
        }
        _ => check("I2", None, &|| {
            "remaining = allocated − used: an operand is empty".into()
        }),
    }
    let votes: Option<Vec<u64>> = report.vote_results.iter().map(|r| r.vote_count).collect();
    match (b.good_ballots, votes) {
        (Some(good), Some(votes)) if !votes.is_empty() => {
            let sum = votes.iter().fold(0u64, |a, v| a.saturating_add(*v));
            let sign = if sum == good { "=" } else { "≠" };
            check("I3", Some(sum == good), &|| {
                format!(
                    "Σ votes of {} rows = {sum} {sign} good_ballots {good}",
                    votes.len()
                )
            });
        }
        _ => check("I3", None, &|| {
            "Σ votes = good_ballots: a count is empty or there are no rows".into()
        }),
    }
    for row in &report.vote_results {
        let (Some(count), Some(text)) = (row.vote_count, row.vote_count_text.as_deref()) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let number = || row.number.map_or("?".into(), |n| n.to_string());
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
            Ok(v) if v == count => check("I4", Some(true), &|| {
                format!("row {}: digits {count} = words \"{text}\" = {v}", number())
            }),
            Ok(v) => check("I4", Some(false), &|| {
                format!("row {}: digits {count} ≠ words \"{text}\" = {v}", number())
            }),
            Err(_) => check("I4", Some(false), &|| {
                format!(
                    "row {}: words \"{text}\" are not a number (digits say {count})",
                    number()
                )
            }),
        }
    }
    out
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
