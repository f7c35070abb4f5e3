//! The metric a comparison is planned or decided on, by its summary name: overall
//! accuracy or a per-trial evaluator's metric, and a trial's value of it.

use shared::{FieldError, MetricKind};

use super::{Evaluator, EVALUATORS, OVERALL_METRIC};

/// A metric a comparison can be planned or decided on: overall accuracy or a per-trial
/// evaluator's summary metric over all trials (not the LLM judge's, which a run may lack).
#[derive(Clone, Copy)]
pub struct ComparedMetric {
    pub name: &'static str,
    pub kind: MetricKind,
    /// The evaluator, `None` for overall accuracy.
    pub evaluator: Option<(usize, &'static Evaluator)>,
}

impl ComparedMetric {
    /// The metric named `name`, or the field error listing the ones there are.
    pub fn find(name: &str, field: &str) -> Result<Self, FieldError> {
        let name = name.trim();
        if name == OVERALL_METRIC {
            return Ok(ComparedMetric {
                name: OVERALL_METRIC,
                kind: MetricKind::Score,
                evaluator: None,
            });
        }
        EVALUATORS
            .iter()
            .enumerate()
            .find(|(_, e)| e.metric == name && Self::decidable(e))
            .map(|(i, e)| ComparedMetric {
                name: e.metric,
                kind: e.kind,
                evaluator: Some((i, e)),
            })
            .ok_or_else(|| FieldError {
                field: field.into(),
                message: format!(
                    "unknown metric \"{name}\"; one of: {}",
                    Self::names().join(", ")
                ),
            })
    }

    /// Every metric [`ComparedMetric::find`] knows, overall accuracy first.
    pub fn names() -> Vec<&'static str> {
        std::iter::once(OVERALL_METRIC)
            .chain(
                EVALUATORS
                    .iter()
                    .filter(|e| Self::decidable(e))
                    .map(|e| e.metric),
            )
            .collect()
    }

    fn decidable(e: &Evaluator) -> bool {
        e.population == shared::Population::AllTrials && e.name != super::names::LLM_JUDGE
    }

    /// A trial's value of the metric: what it scored, 0 when it has no such score (a
    /// failed trial scores 0 on every metric).
    pub fn value_of(&self, scores: &shared::RecordScores) -> f64 {
        match self.evaluator {
            None => scores.overall,
            Some((_, e)) => scores.value(e.name).unwrap_or(0.0),
        }
    }
}
