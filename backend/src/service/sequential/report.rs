//! What a sequential run reports: the sequences now (live) and the final result, named,
//! costed and put in words.

use shared::{
    ExperimentSummary, SequentialComparison, SequentialDecision, SequentialResult, SequentialState,
};

use std::sync::PoisonError;

use super::{point, Monitor, State, METHOD};
use crate::runner::RecordSource;

impl Monitor {
    /// The result now, without costs (the live view's).
    pub(super) fn snapshot(&self, s: &State) -> SequentialResult {
        let n = s.prefix as u64;
        let mean = |i: usize| if n == 0 { 0.0 } else { s.sums[i] / n as f64 };
        let experiment = |i: usize| self.experiments.get(i).cloned().unwrap_or_default();
        let comparisons = s
            .tracked
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (low, high) = t.sequence.bounds();
                let mut trace = t.trace.clone();
                if trace.last().map(|p| p.n) != Some(t.sequence.n()) && t.sequence.n() > 0 {
                    trace.push(point(&t.sequence));
                }
                SequentialComparison {
                    experiment_a: experiment(0).0,
                    experiment_b: experiment(i + 1).0,
                    name_a: experiment(0).1,
                    name_b: experiment(i + 1).1,
                    n: t.sequence.n(),
                    a: mean(0),
                    b: mean(i + 1),
                    difference: t.sequence.mean(),
                    low,
                    high,
                    decision: t.decision,
                    decided_at: t.decided_at,
                    trace,
                }
            })
            .collect();
        let state = match s.state {
            SequentialState::Running if s.prefix >= self.records.len() => {
                SequentialState::Exhausted
            }
            other => other,
        };
        let available = self.records.len() as u64;
        let mut out = SequentialResult {
            metric: self.metric.name.to_string(),
            min_difference: self.option.min_difference,
            alpha: self.option.alpha,
            seed: self.seed,
            method: METHOD.to_string(),
            state,
            records_compared: n,
            records_available: available,
            records_saved: if state == SequentialState::Decided {
                available.saturating_sub(s.received.iter().copied().max().unwrap_or(0))
            } else {
                0
            },
            cost_usd: 0.0,
            cost_saved_usd: 0.0,
            comparisons,
            summary: String::new(),
        };
        out.summary = summary(&out);
        out
    }

    /// The final result of the run whose experiments ended with `summaries` (in run order),
    /// costed.
    pub fn result(&self, summaries: &[ExperimentSummary], finished: bool) -> SequentialResult {
        let s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = self.snapshot(&s);
        if !finished && out.state == SequentialState::Running {
            out.state = SequentialState::Stopped;
        }
        out.cost_usd = summaries
            .iter()
            .filter_map(|e| e.usage.as_ref().map(|u| u.cost_usd))
            .sum();
        let trials: u64 = summaries.iter().map(|e| e.total_records).sum();
        if trials > 0 {
            let saved_trials = out.records_saved * summaries.len() as u64;
            out.cost_saved_usd = out.cost_usd / trials as f64 * saved_trials as f64;
        }
        out.summary = summary(&out);
        out
    }
}

/// The result in plain words.
fn summary(r: &SequentialResult) -> String {
    let verdicts: Vec<String> = r
        .comparisons
        .iter()
        .map(|c| {
            let pts = |x: f64| format!("{:.1}", x * 100.0);
            let interval = format!(
                "difference {} points, sequence {} to {}",
                pts(c.difference),
                pts(c.low),
                pts(c.high)
            );
            match c.decision {
                SequentialDecision::ABetter => {
                    format!("{} is better than {} ({interval})", c.name_a, c.name_b)
                }
                SequentialDecision::BBetter => {
                    format!("{} is better than {} ({interval})", c.name_b, c.name_a)
                }
                SequentialDecision::Equivalent => format!(
                    "{} and {} are equivalent within {} points ({interval})",
                    c.name_a,
                    c.name_b,
                    pts(r.min_difference)
                ),
                SequentialDecision::Undecided => {
                    format!("{} vs {} is undecided ({interval})", c.name_a, c.name_b)
                }
            }
        })
        .collect();
    let head = match r.state {
        SequentialState::Decided => format!(
            "Decided after {} of {} records on {}: {} records per config not run, about ${:.2} saved.",
            r.records_compared, r.records_available, r.metric, r.records_saved, r.cost_saved_usd
        ),
        SequentialState::Exhausted => format!(
            "Every one of the {} records ran before every comparison on {} was decided.",
            r.records_available, r.metric
        ),
        SequentialState::Stopped => format!(
            "The run stopped after {} paired records on {}, before a decision.",
            r.records_compared, r.metric
        ),
        SequentialState::Running => format!("{} paired records on {} so far.", r.records_compared, r.metric),
    };
    format!("{head} {}.", verdicts.join("; "))
}
