//! Evaluator results: a value plus the per-field detail the UI shows.

use serde::{Deserialize, Serialize};

/// The value of one evaluator on one record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ScoreValue {
    Bool(bool),
    Number(f64),
}

impl ScoreValue {
    /// The value as a number in 0–1 (true = 1).
    pub fn as_f64(self) -> f64 {
        match self {
            ScoreValue::Bool(b) => f64::from(u8::from(b)),
            ScoreValue::Number(n) => n,
        }
    }
}

/// How one field compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldCheck {
    /// Path of the field, e.g. "Constituency.ballot_statistics.good_ballots".
    pub field: String,
    pub expected: serde_json::Value,
    pub actual: serde_json::Value,
    pub ok: bool,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One evaluator's result on one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// Evaluator name, e.g. "ballot_accuracy_score".
    pub name: String,
    pub value: ScoreValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldCheck>,
}

impl Score {
    /// A score with no detail.
    pub fn new(name: &str, value: ScoreValue) -> Self {
        Score {
            name: name.to_string(),
            value,
            explanation: None,
            details: Vec::new(),
        }
    }
}

/// Arithmetic identity violations found on one report (vote-forms.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArithmeticFlag {
    /// "I1" … "I4".
    pub identity: String,
    /// Which form, e.g. "Constituency".
    pub form: String,
    /// Human-readable statement, e.g. "ballots_used 439 ≠ good + bad + no_vote = 460".
    pub message: String,
}

/// One identity of one report, as the label editor shows it while a label is edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityCheck {
    /// "I1" … "I4".
    pub identity: String,
    /// Which form, e.g. "Constituency".
    pub form: String,
    /// true: holds; false: broken; null: not checkable (an operand is empty).
    pub holds: Option<bool>,
    /// What it computes, e.g. "ballots_used 440 = good + bad + no_vote = 420 + 12 + 8 = 440".
    pub statement: String,
}

/// Every evaluator's result on one trial, as a list keyed by evaluator name.
///
/// Stored as it is serialised: an evaluator added later is simply absent from older
/// trials (shown as absent, never as 0), and one removed later still loads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordScores {
    /// Mean of the evaluators that make up overall accuracy (the original's three:
    /// exact_form_match, ballot_accuracy_score, vote_results_quality); 0 for a failed trial.
    pub overall: f64,
    /// Each evaluator with its per-field detail, in the registry's order.
    pub scores: Vec<Score>,
    /// Identities the output breaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arithmetic_flags: Vec<ArithmeticFlag>,
    /// Evaluators that ran on this trial but could give no score, with the reason (an LLM
    /// judge whose answer was not a verdict): the score is absent, never a made-up 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unscored: Vec<Unscored>,
}

/// An evaluator that gave no score on a trial, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unscored {
    /// Evaluator name, e.g. "llm_judge_evaluator".
    pub name: String,
    pub reason: String,
}

impl RecordScores {
    /// One evaluator's result, if it ran on this trial.
    pub fn get(&self, evaluator: &str) -> Option<&Score> {
        self.scores.iter().find(|s| s.name == evaluator)
    }

    /// One evaluator's value as a number in 0–1 (true = 1), if it ran.
    pub fn value(&self, evaluator: &str) -> Option<f64> {
        self.get(evaluator).map(|s| s.value.as_f64())
    }

    /// One evaluator's value as pass/fail (a score passes at 1), if it ran.
    pub fn passed(&self, evaluator: &str) -> Option<bool> {
        self.get(evaluator).map(|s| s.value.as_f64() >= 1.0)
    }
}

/// Whether an evaluator gives pass/fail or a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// true/false per trial: summarised as a proportion (Wilson interval), compared with
    /// exact McNemar.
    Binary,
    /// 0–1 per trial: summarised as a mean (bootstrap interval), compared with a paired
    /// bootstrap and an exact sign-flip test.
    Score,
}

/// Which trials a summary metric is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Every trial; a failed trial scores 0 (or false).
    AllTrials,
    /// Only trials whose output parsed (a property of outputs, not of failures).
    ParsedOutputs,
}

/// One evaluator of the registry, as `GET /api/v1/evaluators` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluatorInfo {
    /// Name of the per-trial score, e.g. "ballot_accuracy_score".
    pub name: String,
    /// Short label for tables, e.g. "Ballots".
    pub label: String,
    /// What it measures, in one sentence.
    pub description: String,
    pub kind: MetricKind,
    /// Name of the summary metric, e.g. "avg_ballot_accuracy".
    pub metric: String,
    /// Label of the summary metric, e.g. "Ballot accuracy".
    pub metric_label: String,
    pub population: Population,
    /// Whether it is one of the parts averaged into overall accuracy.
    pub in_overall: bool,
}
