//! Summary metrics with confidence intervals, and paired comparisons of experiments.

use serde::{Deserialize, Serialize};

/// A point estimate with a 95% confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricEstimate {
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Number of observations behind the estimate (records; repetitions are averaged first).
    pub n: usize,
    /// "wilson" for proportions, "bootstrap" for means.
    pub method: String,
    /// Label for people, e.g. "Ballot accuracy" (empty in experiments stored before labels).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The per-trial evaluator this metric summarises (none for overall accuracy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluator: Option<String>,
}

/// Accuracy of one field across the records of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldAccuracy {
    /// e.g. "ballot_statistics.good_ballots".
    pub field: String,
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

/// Every summary metric of one experiment.
///
/// On the wire an object: one member per metric, named by it ("overall_accuracy",
/// "success_rate", "avg_ballot_accuracy", …, in the evaluator registry's order), plus
/// `per_field`. A metric that could not be computed (an evaluator added after the
/// experiment ran) is absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentMetrics {
    /// (metric name, estimate), in display order.
    pub estimates: Vec<(String, MetricEstimate)>,
    /// Per-field accuracy across the dataset.
    pub per_field: Vec<FieldAccuracy>,
}

impl ExperimentMetrics {
    /// One metric by name.
    pub fn get(&self, metric: &str) -> Option<&MetricEstimate> {
        self.estimates
            .iter()
            .find(|(name, _)| name == metric)
            .map(|(_, e)| e)
    }

    /// One metric's value, 0 when it is absent.
    pub fn value(&self, metric: &str) -> f64 {
        self.get(metric).map_or(0.0, |e| e.value)
    }
}

const PER_FIELD: &str = "per_field";

impl Serialize for ExperimentMetrics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.estimates.len() + 1))?;
        for (name, estimate) in &self.estimates {
            map.serialize_entry(name, estimate)?;
        }
        map.serialize_entry(PER_FIELD, &self.per_field)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for ExperimentMetrics {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ExperimentMetrics;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of metric estimates and per_field")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = ExperimentMetrics::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == PER_FIELD {
                        out.per_field = map.next_value()?;
                    } else {
                        let estimate: MetricEstimate = map.next_value()?;
                        out.estimates.push((key, estimate));
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ExperimentMetrics {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder};
        use utoipa::openapi::Ref;
        ObjectBuilder::new()
            .description(Some(
                "One member per summary metric, named by it (overall_accuracy, success_rate, \
                 avg_ballot_accuracy, …; see GET /api/v1/evaluators), plus per_field.",
            ))
            .property(
                PER_FIELD,
                ArrayBuilder::new().items(Ref::from_schema_name("FieldAccuracy")),
            )
            .required(PER_FIELD)
            .additional_properties(Some(AdditionalProperties::RefOr(
                Ref::from_schema_name("MetricEstimate").into(),
            )))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ExperimentMetrics {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("MetricEstimate".into(), MetricEstimate::schema()));
        schemas.push(("FieldAccuracy".into(), FieldAccuracy::schema()));
    }
}

/// Outcome of a paired comparison at 95%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    ABetter,
    BBetter,
    NotDistinguishable,
}

/// A paired comparison of one metric between experiments A and B on the same records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairedComparison {
    /// Summary metric name, e.g. "overall_accuracy".
    pub metric: String,
    /// Label for people (empty in comparisons computed before labels).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Number of paired records.
    pub n: usize,
    pub a: f64,
    pub b: f64,
    /// Mean of (A − B).
    pub difference: f64,
    /// 95% interval of the difference (bootstrap), when the method gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// Two-sided p-value, when the method gives one (McNemar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// "exact_mcnemar" or "paired_bootstrap".
    pub method: String,
    pub verdict: Verdict,
    /// One sentence a reader can act on.
    pub explanation: String,
    /// Pass/fail metrics: the share of paired records on which A and B disagree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discordance: Option<f64>,
    /// Score metrics: the standard deviation of the per-record differences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd_difference: Option<f64>,
    /// When not distinguishable: the difference still possible and the records that
    /// would settle it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<crate::planning::FollowUp>,
}

/// Tokens, cost and latency of an experiment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageSummary {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub thinking_tokens: u64,
    /// USD from the registry's prices; cached answers cost 0.
    pub cost_usd: f64,
    /// Trials answered from the response cache.
    pub cached_records: u64,
    /// Retries the calls needed in all.
    pub retries: u64,
    pub p50_latency_ms: f64,
    pub p95_latency_ms: f64,
    /// The LLM judge's calls, when it ran (not included in the figures above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<crate::evaluators::JudgeUsage>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(value: f64) -> MetricEstimate {
        MetricEstimate {
            value,
            ci_low: value,
            ci_high: value,
            n: 1,
            method: "wilson".into(),
            label: String::new(),
            evaluator: None,
        }
    }

    #[test]
    fn metrics_keep_their_order_and_wire_shape() {
        let m = ExperimentMetrics {
            estimates: vec![
                ("overall_accuracy".into(), estimate(0.5)),
                ("success_rate".into(), estimate(1.0)),
                ("avg_ballot_accuracy".into(), estimate(0.25)),
            ],
            per_field: Vec::new(),
        };
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            json.starts_with(r#"{"overall_accuracy":{"value":0.5"#),
            "{json}"
        );
        let back: ExperimentMetrics = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.value("avg_ballot_accuracy"), 0.25);
        assert!(back.get("arithmetic_consistency_rate").is_none());
    }

    #[test]
    fn metrics_stored_before_labels_still_load() {
        let old = r#"{"overall_accuracy":{"value":0.9,"ci_low":0.8,"ci_high":1.0,"n":10,"method":"bootstrap"},
            "success_rate":{"value":1.0,"ci_low":0.7,"ci_high":1.0,"n":10,"method":"wilson"},
            "per_field":[{"field":"f","correct":1,"total":1,"accuracy":1.0}]}"#;
        let m: ExperimentMetrics = serde_json::from_str(old).unwrap();
        let names: Vec<_> = m.estimates.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["overall_accuracy", "success_rate"]);
        assert_eq!(m.per_field.len(), 1);
    }
}
