//! Turning stored rows into API views.

use serde_json::json;
use shared::{DatasetRecord, ExperimentDetail, ExperimentListItem, RecordResult};

use super::Service;
use crate::eval::audit_label;
use crate::outcome::RecordOutcome;
use crate::store::ExperimentRow;

/// One history row.
pub fn list_item(e: &ExperimentRow) -> ExperimentListItem {
    let s = e.summary.as_ref();
    ExperimentListItem {
        experiment_id: e.id.clone(),
        experiment_name: e.name.clone(),
        run_id: e.run_id.clone(),
        project_name: e.project_name.clone(),
        dataset_name: e.dataset_name.clone(),
        dataset_version: e.dataset_version,
        model: e.config.model.clone(),
        temperature: e.config.temperature,
        status: e.status,
        created_at: e.created_at.clone(),
        finished_at: e.finished_at.clone(),
        total_records: s.map_or(e.total_trials, |s| s.total_records),
        failed_records: s.map_or(0, |s| s.failed_records),
        overall_accuracy: s.map(|s| s.overall_accuracy),
        success_rate: s.map(|s| s.success_rate),
        avg_ballot_accuracy: s.map(|s| s.avg_ballot_accuracy),
    }
}

impl Service {
    /// One experiment with config and metrics.
    pub fn experiment_detail(&self, e: &ExperimentRow) -> ExperimentDetail {
        let s = e.summary.as_ref();
        ExperimentDetail {
            item: list_item(e),
            config: e.config.clone(),
            prompt_version: e.prompt_version.clone(),
            repetitions: e.repetitions,
            jobs: e.jobs,
            error: e.error.clone(),
            metrics: s.and_then(|s| s.metrics.clone()),
            repetition_agreement: s.and_then(|s| s.repetition_agreement),
            label_issues: s.map_or(0, |s| s.label_issues),
            url: self.url(&format!("/experiments/{}", e.id)),
            usage: s.and_then(|s| s.usage.clone()),
            datadog_export: None,
        }
    }
}

/// A trial's result with what it read and what was expected.
pub fn record_result(mut o: RecordOutcome, record: Option<&DatasetRecord>) -> RecordResult {
    if let (Some(output), Some(r)) = (&o.output, record) {
        with_field_detail(&mut o.scores, &r.expected_output, output);
    }
    let input_ref = record.map_or(serde_json::Value::Null, |r| {
        json!({
            "form_set_name": r.input.form_set_name,
            "text_chars": r.input.text.as_ref().map(|t| t.chars().count()),
            "image_paths": r.input.image_paths,
            "image_urls": r.input.image_urls,
            "inline_images": r.input.inline_images.len(),
        })
    });
    RecordResult {
        record_index: o.record_index as u64,
        record_id: o.record_id,
        repetition: o.repetition,
        status: o.status,
        input_ref,
        output: o.output,
        raw_output: o.raw_output,
        expected: record
            .map(|r| r.expected_output.clone())
            .unwrap_or_default(),
        error: o.error,
        label_flags: record
            .map(|r| audit_label(&r.expected_output))
            .unwrap_or_default(),
        scores: o.scores,
        latency_ms: o.latency_ms,
        input_tokens: o.input_tokens,
        output_tokens: o.output_tokens,
        thinking_tokens: o.thinking_tokens,
        retries: o.retries,
        judge_usage: o.judge,
    }
}

/// Gives stored scores (which keep only failing field checks) every check again, passing
/// ones included, by scoring the output against its label once more. Stored values stay as
/// they were computed when the trial ran.
pub fn with_field_detail(
    scores: &mut shared::RecordScores,
    expected: &shared::ReportSet,
    output: &shared::ReportSet,
) {
    let derived = crate::eval::evaluate_record(expected, Ok(output));
    for s in &mut scores.scores {
        if let Some(d) = derived.scores.iter().find(|d| d.name == s.name) {
            s.details.clone_from(&d.details);
        }
    }
}
