//! The evaluator registry: the one list of evaluators. Scoring, summaries and their
//! intervals, paired comparisons, CSV export, the command line, the API's evaluator list
//! and (through the metrics it is sent) the web app all iterate it.
//!
//! Adding an evaluator is: its scorer (a file of this module), its entry below (`scorer`
//! calls it with what [`Scoring`] holds), its tests
//! and a line in the README. Experiments stored before it simply lack it: it shows as
//! absent, never as 0.

use std::cell::OnceCell;

use shared::{ArithmeticFlag, EvaluatorInfo, MetricKind, Population, ReportSet, Score, ScoreValue};

use super::arithmetic::{check_identities, consistency_score};
use super::counts::{ballot_accuracy_score, voter_statistics_accuracy};
use super::form::exact_form_match;
use super::names;
use super::votes::vote_results_quality;

/// Summary metric of the per-trial overall score (mean of the `in_overall` evaluators).
pub const OVERALL_METRIC: &str = "overall_accuracy";
/// Label of [`OVERALL_METRIC`].
pub const OVERALL_LABEL: &str = "Overall accuracy";

/// What a scorer sees: the label, the parsed output, and facts about the output that are
/// computed once per trial for every scorer that needs them.
pub struct Scoring<'a> {
    pub expected: &'a ReportSet,
    pub output: &'a ReportSet,
    flags: OnceCell<Vec<ArithmeticFlag>>,
}

impl<'a> Scoring<'a> {
    /// The label and the parsed output of one trial.
    pub fn new(expected: &'a ReportSet, output: &'a ReportSet) -> Self {
        Scoring {
            expected,
            output,
            flags: OnceCell::new(),
        }
    }

    /// The identities the output breaks (checking Thai number words is the costly part of
    /// scoring: done once).
    pub fn output_flags(&self) -> &[ArithmeticFlag] {
        self.flags
            .get_or_init(|| self.output.0.iter().flat_map(check_identities).collect())
    }

    /// [`Self::output_flags`], owned.
    pub fn into_flags(self) -> Vec<ArithmeticFlag> {
        let _ = self.output_flags();
        self.flags.into_inner().unwrap_or_default()
    }
}

/// Scores one parsed output against its label.
pub type ScoreFn = fn(&Scoring<'_>) -> Score;

/// Where an evaluator's score comes from.
#[derive(Clone, Copy)]
pub enum Scorer {
    /// Computed from the label and the parsed output, on every trial.
    Output(ScoreFn),
    /// Answered by a judge model, only when the request asks for it: the runner fills it
    /// (see `runner::judge`); trials without it simply lack the score.
    Judge,
}

/// One evaluator: how it scores a trial and how its scores are summarised.
pub struct Evaluator {
    /// Name of the per-trial score.
    pub name: &'static str,
    /// Short label for tables.
    pub label: &'static str,
    pub description: &'static str,
    pub kind: MetricKind,
    /// Name of the summary metric.
    pub metric: &'static str,
    pub metric_label: &'static str,
    pub population: Population,
    /// Averaged into the per-trial overall score (the original's three parts).
    pub in_overall: bool,
    pub scorer: Scorer,
}

impl Evaluator {
    /// The score of a parsed output, for evaluators computed from it.
    pub fn score(&self, scoring: &Scoring<'_>) -> Option<Score> {
        match self.scorer {
            Scorer::Output(score) => Some(score(scoring)),
            Scorer::Judge => None,
        }
    }

    /// The value a failed trial gets.
    pub fn zero(&self) -> ScoreValue {
        match self.kind {
            MetricKind::Binary => ScoreValue::Bool(false),
            MetricKind::Score => ScoreValue::Number(0.0),
        }
    }

    /// The entry as `GET /api/v1/evaluators` lists it.
    pub fn info(&self) -> EvaluatorInfo {
        EvaluatorInfo {
            name: self.name.into(),
            label: self.label.into(),
            description: self.description.into(),
            kind: self.kind,
            metric: self.metric.into(),
            metric_label: self.metric_label.into(),
            population: self.population,
            in_overall: self.in_overall,
        }
    }
}

fn has_no_errors(_: &Scoring<'_>) -> Score {
    // Scorers run only on outputs that parsed; a failed trial gets false with its error.
    Score::new(names::HAS_NO_ERRORS, ScoreValue::Bool(true))
}

/// Every evaluator, in display order.
pub static EVALUATORS: &[Evaluator] = &[
    Evaluator {
        name: names::HAS_NO_ERRORS,
        label: "No errors",
        description: "The model answered and its output parsed into a vote report.",
        kind: MetricKind::Binary,
        metric: "success_rate",
        metric_label: "Success rate",
        population: Population::AllTrials,
        in_overall: false,
        scorer: Scorer::Output(has_no_errors),
    },
    Evaluator {
        name: names::EXACT_FORM_MATCH,
        label: "Form match",
        description: "Every header field (form type, place, unit, date) equals the label after \
                      Thai normalisation.",
        kind: MetricKind::Binary,
        metric: "exact_form_match_rate",
        metric_label: "Exact form match",
        population: Population::AllTrials,
        in_overall: true,
        scorer: Scorer::Output(|s| exact_form_match(s.expected, s.output)),
    },
    Evaluator {
        name: names::BALLOT_ACCURACY,
        label: "Ballots",
        description: "Share of the six ballot counts equal to the label (null never equals 0).",
        kind: MetricKind::Score,
        metric: "avg_ballot_accuracy",
        metric_label: "Ballot accuracy",
        population: Population::AllTrials,
        in_overall: true,
        scorer: Scorer::Output(|s| ballot_accuracy_score(s.expected, s.output)),
    },
    Evaluator {
        name: names::VOTE_RESULTS_QUALITY,
        label: "Votes",
        description: "Correct result rows ÷ max(expected rows, output rows).",
        kind: MetricKind::Score,
        metric: "avg_vote_results_quality",
        metric_label: "Vote results quality",
        population: Population::AllTrials,
        in_overall: true,
        scorer: Scorer::Output(|s| vote_results_quality(s.expected, s.output)),
    },
    Evaluator {
        name: names::VOTER_STATISTICS_ACCURACY,
        label: "Voters",
        description: "Share of the two voter counts equal to the label.",
        kind: MetricKind::Score,
        metric: "avg_voter_statistics_accuracy",
        metric_label: "Voter statistics accuracy",
        population: Population::AllTrials,
        in_overall: false,
        scorer: Scorer::Output(|s| voter_statistics_accuracy(s.expected, s.output)),
    },
    Evaluator {
        name: names::ARITHMETIC_CONSISTENCY,
        label: "Arithmetic",
        description: "The output satisfies every checkable identity of the form (I1–I4).",
        kind: MetricKind::Binary,
        metric: "arithmetic_consistency_rate",
        metric_label: "Arithmetic consistency",
        population: Population::ParsedOutputs,
        in_overall: false,
        scorer: Scorer::Output(|s| consistency_score(s.output_flags())),
    },
    Evaluator {
        name: names::LLM_JUDGE,
        label: "Judge",
        description: "An LLM judge's score 0–1 of the output against the label, with its \
                      reasoning (only when the run names a judge model; 0 when nothing parsed).",
        kind: MetricKind::Score,
        metric: "avg_llm_judge_score",
        metric_label: "LLM judge score",
        population: Population::AllTrials,
        in_overall: false,
        scorer: Scorer::Judge,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::eval::fixtures::both;

    #[test]
    fn names_and_metrics_are_unique_and_scorers_use_their_name() {
        let names: HashSet<_> = EVALUATORS.iter().map(|e| e.name).collect();
        let metrics: HashSet<_> = EVALUATORS.iter().map(|e| e.metric).collect();
        assert_eq!(names.len(), EVALUATORS.len());
        assert_eq!(metrics.len(), EVALUATORS.len());
        assert!(!metrics.contains(OVERALL_METRIC));
        let (expected, output) = (both(), both());
        for e in EVALUATORS {
            let Some(score) = e.score(&Scoring::new(&expected, &output)) else {
                assert_eq!(
                    e.name,
                    names::LLM_JUDGE,
                    "only the judge is scored elsewhere"
                );
                continue;
            };
            assert_eq!(score.name, e.name, "the scorer of {} names itself", e.name);
            assert_eq!(
                matches!(score.value, ScoreValue::Bool(_)),
                e.kind == MetricKind::Binary,
                "{} returns a value of its kind",
                e.name
            );
        }
    }

    #[test]
    fn overall_is_the_originals_three_parts() {
        let parts: Vec<_> = EVALUATORS
            .iter()
            .filter(|e| e.in_overall)
            .map(|e| e.name)
            .collect();
        assert_eq!(
            parts,
            [
                names::EXACT_FORM_MATCH,
                names::BALLOT_ACCURACY,
                names::VOTE_RESULTS_QUALITY
            ]
        );
    }
}
