//! Datadog result events built from stored trials: one metric per evaluator per trial
//! (contract §4.1), one task span per trial sent inline (§4.2 b), and the summary metrics.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use shared::{DatasetRecord, RecordInput, ScoreValue};

use crate::store::{ExperimentRow, StoredTrial};

/// Name of the task span, as ddtrace names it after the task function.
const TASK_NAME: &str = "extract_vote_form";

/// What every event of one experiment shares.
pub struct EventContext {
    /// The local experiment id (span ids are derived from it).
    pub experiment_id: String,
    /// Datadog's experiment, project and dataset ids.
    pub remote_id: String,
    pub project_id: String,
    pub dataset_id: String,
    pub config: Value,
    /// The experiment's tags, `experiment_id:` and `run_id:` included.
    pub tags: Vec<String>,
}

/// A trial's span and trace ids: derived from the experiment and trial, so a batch sent
/// again carries the same ids. Span: a non-zero u64 in decimal; trace: 32 hex digits.
pub fn span_ids(experiment_id: &str, record_index: usize, repetition: u32) -> (String, String) {
    let digest = Sha256::digest(format!("{experiment_id}/{record_index}/{repetition}"));
    let mut span = [0u8; 8];
    span.copy_from_slice(&digest[..8]);
    let span = u64::from_be_bytes(span).max(1);
    let trace: String = digest[8..24].iter().map(|b| format!("{b:02x}")).collect();
    (span.to_string(), trace)
}

/// A record's input as Datadog keeps it: inline image bytes are left out (their count
/// stays), so a span never carries megabytes of base64.
pub fn input_value(input: &RecordInput) -> Value {
    let mut value = serde_json::to_value(input).unwrap_or(Value::Null);
    if let Some(images) = value.get_mut("inline_images") {
        *images = json!(input.inline_images.len());
    }
    value
}

/// When a trial started, in Unix nanoseconds: stored time minus its latency.
fn start_ns(trial: &StoredTrial) -> i64 {
    let stored = chrono::DateTime::parse_from_rfc3339(&trial.created_at)
        .map(|t| t.timestamp_nanos_opt().unwrap_or(0))
        .unwrap_or(0);
    stored - latency_ns(trial)
}

#[allow(clippy::cast_possible_truncation)]
fn latency_ns(trial: &StoredTrial) -> i64 {
    ((trial.outcome.latency_ms * 1e6) as i64).max(1)
}

/// The metrics and spans of a batch of trials; `records` holds the trials' records by id.
pub fn trial_events(
    ctx: &EventContext,
    trials: &[StoredTrial],
    record_of: impl Fn(&str) -> Option<DatasetRecord>,
) -> (Vec<Value>, Vec<Value>) {
    let (mut metrics, mut spans) = (Vec::new(), Vec::with_capacity(trials.len()));
    for trial in trials {
        let o = &trial.outcome;
        let (span_id, trace_id) = span_ids(&ctx.experiment_id, o.record_index, o.repetition);
        let start = start_ns(trial);
        let timestamp_ms = start / 1_000_000;
        for score in &o.scores.scores {
            let (kind, value) = match score.value {
                ScoreValue::Bool(b) => ("boolean", json!(b)),
                ScoreValue::Number(n) => ("score", json!(n)),
            };
            let mut m = json!({"metric_source": "custom", "span_id": span_id,
                "trace_id": trace_id, "timestamp_ms": timestamp_ms, "metric_type": kind,
                "label": score.name, "error": null, "tags": [],
                "experiment_id": ctx.remote_id, "status": "OK"});
            m[format!("{kind}_value")] = value;
            if let Some(why) = score.explanation.as_deref().filter(|s| !s.is_empty()) {
                m["reasoning"] = json!(why);
            }
            metrics.push(m);
        }
        for unscored in &o.scores.unscored {
            metrics.push(json!({"metric_source": "custom", "span_id": span_id,
                "trace_id": trace_id, "timestamp_ms": timestamp_ms,
                "metric_type": "categorical", "label": unscored.name,
                "categorical_value": null,
                "error": {"message": unscored.reason, "type": "Unscored", "stack": ""},
                "tags": [], "experiment_id": ctx.remote_id, "status": "ERROR"}));
        }
        let record = record_of(&o.record_id);
        let mut metadata: Map<String, Value> = record
            .as_ref()
            .map(|r| r.metadata.clone())
            .unwrap_or_default();
        metadata.insert("experiment_config".into(), ctx.config.clone());
        let mut meta = json!({
            "span": {"kind": "experiment"},
            "input": record.as_ref().map_or(Value::Null, |r| input_value(&r.input)),
            "output": o.output.as_ref().map_or(Value::Null, |r| json!(r)),
            "expected_output": record.as_ref().map_or(Value::Null, |r| json!(r.expected_output)),
            "metadata": metadata,
        });
        if let Some(error) = &o.error {
            meta["error"] = json!({"type": o.status.as_str(), "message": error, "stack": ""});
        }
        let mut tags = ctx.tags.clone();
        tags.extend([
            format!("dataset_id:{}", ctx.dataset_id),
            format!("dataset_record_id:{}", o.record_id),
            format!("repetition:{}", o.repetition + 1),
            format!("error:{}", u8::from(o.error.is_some())),
        ]);
        let meta = within_limit(meta);
        spans.push(json!({"span_id": span_id, "trace_id": trace_id,
            "project_id": ctx.project_id, "dataset_id": ctx.dataset_id, "name": TASK_NAME,
            "start_ns": start, "duration": latency_ns(trial),
            "status": if o.error.is_some() { "error" } else { "ok" },
            "meta": meta, "tags": tags}));
    }
    (metrics, spans)
}

/// Largest span content sent; larger input, output or label is replaced by a marker, as
/// ddtrace drops oversized span fields.
pub const MAX_SPAN_FIELD_BYTES: usize = 1 << 20;

/// `meta` with each of input, output and expected output over [`MAX_SPAN_FIELD_BYTES`]
/// replaced by a note of its size.
fn within_limit(mut meta: Value) -> Value {
    for key in ["input", "output", "expected_output"] {
        let size = meta.get(key).map_or(0, |v| v.to_string().len());
        if size > MAX_SPAN_FIELD_BYTES {
            meta[key] = json!(format!(
                "[tallylab: {key} dropped, {size} bytes over the span limit]"
            ));
        }
    }
    meta
}

/// The experiment's summary metrics (every metric of its summary, as scores).
pub fn summary_metrics(ctx: &EventContext, e: &ExperimentRow, timestamp_ms: i64) -> Vec<Value> {
    let Some(metrics) = e.summary.as_ref().and_then(|s| s.metrics.as_ref()) else {
        return Vec::new();
    };
    metrics
        .estimates
        .iter()
        .filter(|(_, estimate)| estimate.value.is_finite())
        .map(|(name, estimate)| {
            json!({"metric_source": "summary", "span_id": "", "trace_id": "",
                "timestamp_ms": timestamp_ms, "metric_type": "score", "label": name,
                "score_value": estimate.value, "error": null, "tags": [],
                "experiment_id": ctx.remote_id})
        })
        .collect()
}

/// The experiment's tags (contract §4.3), before Datadog's experiment id is known.
pub fn experiment_tags(e: &ExperimentRow, project_id: &str, ml_app: &str) -> Vec<String> {
    let mut tags = vec![
        format!("tallylab.version:{}", env!("CARGO_PKG_VERSION")),
        format!("project_name:{}", e.project_name),
        format!("dataset_name:{}", e.dataset_name),
        format!("experiment_name:{}", e.name),
        format!("project_id:{project_id}"),
        format!("ml_app:{ml_app}"),
        format!("model:{}", e.config.model),
        format!("temperature:{}", e.config.temperature),
        format!("prompt_version:{}", e.prompt_version),
        local_id_tag(&e.id),
    ];
    for (key, value) in &e.config.metadata {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        tags.push(format!("{key}:{value}"));
    }
    tags.into_iter()
        .map(|t| t.chars().take(200).collect())
        .collect()
}

/// The tag that finds a Datadog experiment from its local id.
pub fn local_id_tag(experiment_id: &str) -> String {
    format!("tallylab.experiment_id:{experiment_id}")
}

/// The experiment's config as Datadog shows it.
pub fn experiment_config(e: &ExperimentRow) -> Value {
    json!({"model": e.config.model, "temperature": e.config.temperature,
        "name_suffix": e.config.name_suffix, "metadata": e.config.metadata,
        "prompt_version": e.prompt_version, "repetitions": e.repetitions, "jobs": e.jobs})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_ids_are_stable_distinct_and_shaped_like_ddtraces() {
        let (span, trace) = span_ids("exp_1", 3, 0);
        assert_eq!((span.clone(), trace.clone()), span_ids("exp_1", 3, 0));
        assert_ne!(span, span_ids("exp_1", 3, 1).0);
        assert!(span.parse::<u64>().is_ok_and(|n| n > 0), "{span}");
        assert_eq!(trace.len(), 32);
        assert!(trace
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn inline_image_bytes_stay_home() {
        let input = RecordInput {
            text: Some("t".into()),
            inline_images: vec![shared::InlineImage {
                mime_type: "image/png".into(),
                data: "A".repeat(1000),
            }],
            ..Default::default()
        };
        assert_eq!(
            input_value(&input),
            json!({"text": "t", "inline_images": 1})
        );
    }
}
