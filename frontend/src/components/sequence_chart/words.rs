//! A sequential run's state, decisions and savings in words.

use shared::{SequentialComparison, SequentialDecision, SequentialResult, SequentialState};

use crate::components::estimate::usd;
use crate::format::{count, points};

/// Where the run stands, in words.
pub fn state_word(s: SequentialState) -> &'static str {
    match s {
        SequentialState::Running => "deciding",
        SequentialState::Decided => "decided",
        SequentialState::Exhausted => "every record ran",
        SequentialState::Stopped => "stopped",
    }
}

/// A comparison's decision in words: "A better after 12 records", "equivalent within
/// ±3.0 pts after 40 records", "undecided".
pub fn decision_text(c: &SequentialComparison, min_difference: f64) -> String {
    let what = match c.decision {
        SequentialDecision::Undecided => return "undecided".into(),
        SequentialDecision::ABetter => "A better".to_string(),
        SequentialDecision::BBetter => "B better".to_string(),
        SequentialDecision::Equivalent => format!(
            "equivalent within ±{}",
            points(min_difference).trim_start_matches('+')
        ),
    };
    match c.decided_at {
        Some(n) => format!("{what} after {} records", count(n)),
        None => what,
    }
}

/// "10 of 10 records compared · 0 records saved · $0 saved (cost $0)"; while the run goes
/// on (its costs are counted at the end) "59 of 2,000 records compared so far".
pub fn facts(r: &SequentialResult) -> String {
    if r.state == SequentialState::Running {
        return format!(
            "{} of {} records compared so far",
            count(r.records_compared),
            count(r.records_available)
        );
    }
    format!(
        "{} of {} records compared · {} records saved per config · {} saved (cost {})",
        count(r.records_compared),
        count(r.records_available),
        count(r.records_saved),
        usd(r.cost_saved_usd),
        usd(r.cost_usd)
    )
}

/// The sequences with the experiments' names filled in where they are missing (the live
/// progress sends none): `names` are the run's experiments in order, the first is A.
pub fn named(mut r: SequentialResult, names: &[String]) -> SequentialResult {
    let a = names.first();
    for (c, b) in r.comparisons.iter_mut().zip(names.iter().skip(1)) {
        if c.name_a.is_empty() {
            c.name_a = a.cloned().unwrap_or_default();
        }
        if c.name_b.is_empty() {
            c.name_b.clone_from(b);
        }
    }
    r
}

/// The result in one sentence: the server's, or while it has none (the run goes on) how
/// many comparisons are still open.
pub fn summary(r: &SequentialResult) -> String {
    if !r.summary.trim().is_empty() {
        return r.summary.clone();
    }
    let open = r
        .comparisons
        .iter()
        .filter(|c| c.decision == SequentialDecision::Undecided)
        .count();
    let total = r.comparisons.len();
    format!(
        "{} records compared so far; {open} of {total} comparison{} still undecided.",
        count(r.records_compared),
        if total == 1 { "" } else { "s" }
    )
}
