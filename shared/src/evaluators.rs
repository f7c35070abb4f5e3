//! Evaluators a request can switch on beyond the built-in ones (today the LLM judge), and
//! what they cost.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Name of the LLM judge's per-record score, as the original named its evaluator (so scores
/// line up with its Datadog history).
pub const LLM_JUDGE_EVALUATOR: &str = "llm_judge_evaluator";

/// Addition: optional evaluators of a run, each off unless named. Unknown names are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvaluatorOptions {
    /// An LLM judge: a model of the registry compares each parsed output with its label and
    /// answers a score 0–1 with its reasoning. Off when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_judge: Option<JudgeOptions>,
}

/// The LLM judge's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JudgeOptions {
    /// A model of `GET /api/v1/models` that answers structured output (Gemini or
    /// OpenAI-compatible; not the built-in extractor), e.g. "gemini-2.5-pro".
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub model: String,
    /// The judge's temperature, 0–2 (default 0, as the original's judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 2))]
    pub temperature: Option<f64>,
}

impl EvaluatorOptions {
    /// Field-level problems, with paths under `evaluators`.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(judge) = &self.llm_judge {
            let model = judge.model.trim();
            if model.is_empty() || model.chars().count() > crate::MAX_NAME_CHARS {
                errors.push(FieldError {
                    field: "evaluators.llm_judge.model".into(),
                    message: format!(
                        "must name a model (1 to {} characters)",
                        crate::MAX_NAME_CHARS
                    ),
                });
            }
            if let Some(t) = judge.temperature {
                if !t.is_finite() || !(0.0..=crate::MAX_TEMPERATURE).contains(&t) {
                    errors.push(FieldError {
                        field: "evaluators.llm_judge.temperature".into(),
                        message: format!("must be between 0 and {}", crate::MAX_TEMPERATURE),
                    });
                }
            }
        }
        errors
    }
}

/// Tokens and cost of the LLM judge's calls, apart from the extraction's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JudgeUsage {
    /// The judge model.
    pub model: String,
    /// Trials the judge answered (a score or a refusal it was billed for).
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(default)]
    pub thinking_tokens: u64,
    /// USD from the registry's prices (thinking included); cached verdicts cost 0.
    pub cost_usd: f64,
    /// Verdicts answered from the response cache.
    pub cached: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_evaluators_and_fields_are_refused() {
        assert!(serde_json::from_str::<EvaluatorOptions>(r#"{"llm_judg": {}}"#).is_err());
        assert!(serde_json::from_str::<EvaluatorOptions>(
            r#"{"llm_judge": {"model": "m", "modle": "x"}}"#
        )
        .is_err());
        let ok: EvaluatorOptions =
            serde_json::from_str(r#"{"llm_judge": {"model": "gemini-2.5-pro"}}"#).unwrap();
        assert_eq!(ok.llm_judge.unwrap().model, "gemini-2.5-pro");
    }

    #[test]
    fn the_judge_needs_a_model_and_a_temperature_in_bounds() {
        let judge = |model: &str, temperature| EvaluatorOptions {
            llm_judge: Some(JudgeOptions {
                model: model.into(),
                temperature,
            }),
        };
        let fields = |o: EvaluatorOptions| -> Vec<String> {
            o.validate().into_iter().map(|e| e.field).collect()
        };
        assert!(fields(judge("m", None)).is_empty());
        assert!(fields(judge("m", Some(2.0))).is_empty());
        assert_eq!(
            fields(judge(" ", Some(2.5))),
            [
                "evaluators.llm_judge.model",
                "evaluators.llm_judge.temperature"
            ]
        );
        assert_eq!(
            fields(judge("m", Some(f64::NAN))),
            ["evaluators.llm_judge.temperature"]
        );
    }
}
