//! Reading one dataset record in any accepted shape (ours, the original project's
//! `{id, input, ground_truth}`, Datadog's `{input_data, expected_output}`); every problem is
//! reported with the record and field it concerns. Files are read by `stream.rs`.

use serde_json::{Map, Value};
use shared::{DatasetRecord, FieldError, RecordInput};

use crate::report;

/// Most records one file may hold.
pub const MAX_RECORDS: usize = 1_000_000;

/// A file that could not be read as a dataset: every problem found, by record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct LoadError(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    let shown: Vec<String> = errors
        .iter()
        .take(5)
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    let more = errors.len().saturating_sub(5);
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

pub(super) fn err(field: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

/// One record in our format, the original project's (`ground_truth`) or Datadog's
/// (`input_data`, `expected_output`).
pub fn record_from_value(v: &Value, index: usize) -> Result<DatasetRecord, LoadError> {
    let at = |f: &str| format!("records[{index}].{f}");
    let Some(obj) = v.as_object() else {
        return Err(err(format!("records[{index}]"), "must be an object"));
    };
    let id = match obj.get("id").or_else(|| obj.get("record_id")) {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 200 => {
            s.trim().to_string()
        }
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => format!("record-{}", index + 1),
        Some(_) => {
            return Err(err(
                at("id"),
                "must be a non-empty string of at most 200 characters",
            ))
        }
    };
    let input_value = obj.get("input").or_else(|| obj.get("input_data"));
    let input = match input_value {
        Some(Value::String(s)) => RecordInput {
            text: Some(s.clone()),
            ..Default::default()
        },
        Some(v @ Value::Object(_)) => serde_json::from_value::<RecordInput>(v.clone())
            .map_err(|e| err(at("input"), e.to_string()))?,
        _ => {
            return Err(err(
                at("input"),
                "is required: an object with text and/or images, or a string",
            ))
        }
    };
    if input.is_empty() {
        return Err(err(at("input"), "holds no text and no image"));
    }
    let expected = obj
        .get("expected_output")
        .or_else(|| obj.get("ground_truth"))
        .or_else(|| obj.get("expected"))
        .ok_or_else(|| err(at("expected_output"), "is required (or ground_truth)"))?;
    let expected_output = report::parse_value(expected).map_err(|e| match e {
        report::ParseError::Field { path, message } => err(
            format!(
                "{}{}{path}",
                at("expected_output"),
                if path.starts_with('[') { "" } else { "." }
            ),
            message,
        ),
        other => err(at("expected_output"), other.to_string()),
    })?;
    let mut metadata: Map<String, Value> = match obj.get("metadata") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    for key in ["extraction_metadata", "notes"] {
        if let Some(v) = obj.get(key) {
            metadata.insert(key.into(), v.clone());
        }
    }
    if let Some(notes) = expected.get("notes") {
        metadata.insert("label_notes".into(), notes.clone());
    }
    Ok(DatasetRecord {
        id,
        input,
        expected_output,
        metadata,
    })
}
