//! The LLM judge's call: after a trial is scored, a judge model of the registry is asked how
//! well the parsed output matches the label (structured output, cached like any call). Its
//! score joins the trial's scores; an answer that is not a verdict leaves the score absent
//! with the reason, and never touches the trial's other scores or its status.

use std::sync::Arc;

use shared::{EvaluatorOptions, JudgeCall, RecordScores, ReportSet, Unscored};

use crate::eval::judge::{
    judge_question, nothing_to_judge, parse_verdict, verdict_score, JUDGE_PROMPT,
    VERDICT_SCHEMA_NAME,
};
use crate::eval::names;
use crate::providers::{CallOptions, ModelLookupError, Provider, Registry, StructuredCall};

/// Why a run's judge model cannot judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgeLookupError {
    /// The model is unknown or unavailable.
    #[error(transparent)]
    Model(ModelLookupError),
    /// The model only extracts (the built-in one).
    #[error("model \"{0}\" cannot judge: it answers only the extraction prompt (choose a Gemini or OpenAI-compatible model)")]
    CannotJudge(String),
}

/// The judge of an experiment: its model's provider and how it is asked.
#[derive(Clone)]
pub struct Judge {
    pub provider: Arc<dyn Provider>,
    /// The judge model's name (the registry's).
    pub model: String,
    pub temperature: f64,
}

impl std::fmt::Debug for Judge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Judge")
            .field("model", &self.model)
            .field("temperature", &self.temperature)
            .finish_non_exhaustive()
    }
}

impl Judge {
    /// The judge a run's `evaluators` name, from the registry (`None` when they name none).
    /// The error says why the model cannot judge, for `evaluators.llm_judge.model`.
    pub fn from_request(
        registry: &Registry,
        evaluators: Option<&EvaluatorOptions>,
    ) -> Result<Option<Judge>, JudgeLookupError> {
        let Some(options) = evaluators.and_then(|e| e.llm_judge.as_ref()) else {
            return Ok(None);
        };
        let model = options.model.trim();
        let provider = registry.get(model).map_err(JudgeLookupError::Model)?;
        if !provider.answers_structured() {
            return Err(JudgeLookupError::CannotJudge(model.to_string()));
        }
        Ok(Some(Judge {
            provider,
            model: model.to_string(),
            temperature: options.temperature.unwrap_or(0.0),
        }))
    }

    /// Adds the judge's score of one trial to `scores`: a verdict's score with its reasoning,
    /// 0 when nothing parsed, or no score and the reason when the judge's call or answer
    /// failed. Returns what the call cost (`None` when no call was made).
    pub async fn judge(
        &self,
        expected: &ReportSet,
        output: Option<&ReportSet>,
        scores: &mut RecordScores,
        options: CallOptions,
    ) -> Option<JudgeCall> {
        let Some(output) = output else {
            scores.scores.push(nothing_to_judge());
            return None;
        };
        let question = judge_question(expected, output);
        let call = StructuredCall {
            system: JUDGE_PROMPT,
            user: &question,
            schema_name: VERDICT_SCHEMA_NAME,
            schema: crate::eval::judge::verdict_schema(),
            temperature: self.temperature,
            // The judge model's own cap: a thinking model spends part of it before answering.
            max_output_tokens: None,
            // The same output judged again is the same question: one cache entry serves
            // every repetition that produced it.
            options: CallOptions {
                repetition: 0,
                ..options
            },
        };
        let span = tracing::debug_span!("judge_call", model = %self.model);
        let answer =
            tracing::Instrument::instrument(self.provider.complete_structured(&call), span).await;
        let (verdict, usage) = match answer {
            Ok(c) => (
                parse_verdict(&c.text),
                Some(c.usage()).map(|u| (u, c.cached)),
            ),
            Err(e) => {
                let usage = match &e {
                    crate::providers::ProviderError::Unusable { usage, .. } => {
                        Some((*usage, false))
                    }
                    _ => None,
                };
                let message = crate::providers::redact::redact(&e.to_string(), &[]);
                (Err(format!("the judge's call failed: {message}")), usage)
            }
        };
        match verdict {
            Ok(v) => scores.scores.push(verdict_score(&v)),
            Err(reason) => {
                tracing::debug!(reason = %reason, "the judge gave no score");
                scores.unscored.push(Unscored {
                    name: names::LLM_JUDGE.into(),
                    reason,
                });
            }
        }
        usage.map(|(u, cached)| JudgeCall {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            thinking_tokens: u.thinking_tokens,
            cost_usd: u.cost_usd,
            cached,
        })
    }
}
