//! `ballot_accuracy_score` and `voter_statistics_accuracy`: share of count fields equal.

use shared::{ReportSet, Score, ScoreValue, VoteReport};

use super::{check, names, opt_json, pair};

/// The named count fields of one section of a report.
type SectionFields = fn(&VoteReport) -> Vec<(&'static str, Option<u64>)>;

fn share_equal(
    name: &str,
    section: &str,
    expected: &ReportSet,
    output: &ReportSet,
    fields: SectionFields,
) -> Score {
    let mut details = Vec::new();
    for p in pair(expected, output) {
        let exp = fields(p.expected);
        let out = p.output.map(fields);
        for (i, (field, e)) in exp.into_iter().enumerate() {
            let o = out.as_ref().and_then(|o| o.get(i)).and_then(|(_, v)| *v);
            let mut c = check(
                format!("{}.{section}.{field}", p.label),
                opt_json(&e),
                opt_json(&o),
                e == o,
            );
            if p.output.is_none() {
                c.note = Some(format!("the output has no {} report", p.label));
            }
            details.push(c);
        }
    }
    let correct = details.iter().filter(|d| d.ok).count();
    let total = details.len();
    #[allow(clippy::cast_precision_loss)]
    let value = if total == 0 {
        0.0
    } else {
        correct as f64 / total as f64
    };
    Score {
        name: name.into(),
        value: ScoreValue::Number(value),
        explanation: Some(format!("{correct} of {total} {section} fields equal")),
        details,
    }
}

/// Share of the six ballot fields (allocated, used, good, bad, no-vote, remaining) equal,
/// over every expected report. Null equals only null: an unreadable count is never 0.
pub fn ballot_accuracy_score(expected: &ReportSet, output: &ReportSet) -> Score {
    share_equal(
        names::BALLOT_ACCURACY,
        "ballot_statistics",
        expected,
        output,
        |r| r.ballot_statistics.fields().to_vec(),
    )
}

/// Share of the two voter fields (eligible, present) equal, over every expected report.
pub fn voter_statistics_accuracy(expected: &ReportSet, output: &ReportSet) -> Score {
    share_equal(
        names::VOTER_STATISTICS_ACCURACY,
        "voter_statistics",
        expected,
        output,
        |r| r.voter_statistics.fields().to_vec(),
    )
}
