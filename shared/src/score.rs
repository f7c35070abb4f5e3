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

/// Every evaluator's result on one record (one repetition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordScores {
    /// Every form_info field equal after normalisation.
    pub exact_form_match: bool,
    /// Share of the six ballot fields equal (0–1).
    pub ballot_accuracy_score: f64,
    /// Correct rows ÷ max(expected rows, output rows) (0–1).
    pub vote_results_quality: f64,
    /// The task returned and its output parsed into a vote report.
    pub has_no_errors: bool,
    /// Share of the two voter fields equal (0–1).
    pub voter_statistics_accuracy: f64,
    /// The output satisfies every checkable arithmetic identity.
    pub arithmetic_consistency: bool,
    /// mean(exact_form_match, ballot_accuracy_score, vote_results_quality); 0 for a failed record.
    pub overall: f64,
    /// Each evaluator with its per-field detail.
    pub scores: Vec<Score>,
    /// Identities the output breaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arithmetic_flags: Vec<ArithmeticFlag>,
}
