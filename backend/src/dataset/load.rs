//! Reading dataset files: a JSON array of records, JSON Lines, or the original project's
//! `{metadata, records: [{id, input, ground_truth}]}` file. Every record is validated and
//! every problem is reported with the record and field it concerns.

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

fn err(field: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

/// Parses a dataset file's text in any of the accepted formats.
pub fn parse_dataset(text: &str) -> Result<Vec<DatasetRecord>, LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(err("file", "is empty"));
    }
    let values: Vec<Value> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Array(items)) => items,
            Ok(_) => return Err(err("file", "expected a JSON array of records")),
            Err(e) => {
                return Err(err(
                    "file",
                    format!(
                        "invalid JSON at line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    ),
                ))
            }
        }
    } else {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(obj)) if obj.contains_key("records") => match obj.get("records") {
                Some(Value::Array(items)) => items.clone(),
                _ => return Err(err("records", "must be an array")),
            },
            Ok(Value::Object(obj)) => vec![Value::Object(obj)],
            _ => parse_jsonl(trimmed)?,
        }
    };
    if values.is_empty() {
        return Err(err("records", "the file holds no records"));
    }
    if values.len() > MAX_RECORDS {
        return Err(err(
            "records",
            format!("at most {MAX_RECORDS} records per file"),
        ));
    }
    let mut records = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, v) in values.iter().enumerate() {
        match record_from_value(v, i) {
            Ok(r) => {
                if !seen.insert(r.id.clone()) {
                    errors.push(FieldError {
                        field: format!("records[{i}].id"),
                        message: format!("duplicate id \"{}\"", r.id),
                    });
                }
                records.push(r);
            }
            Err(mut e) => errors.append(&mut e.0),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(LoadError(errors))
    }
}

fn parse_jsonl(text: &str) -> Result<Vec<Value>, LoadError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            err(
                format!("line {}", n + 1),
                format!("invalid JSON at column {}: {e}", e.column()),
            )
        })?;
        out.push(v);
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"form_info":{"form_type":"Constituency","province":"กรุงเทพมหานคร"},
        "ballot_statistics":{"good_ballots":439},"vote_results":[{"number":1,"vote_count":8}]}"#;

    #[test]
    fn reads_the_original_projects_file() {
        let text = format!(
            r#"{{"metadata":{{"name":"vote-extraction-bangbamru-1-10","version":"v1-llm-generated"}},
            "records":[{{"id":"บางบำหรุ1","input":{{"form_set_name":"บางบำหรุ1",
              "image_paths":["a/บางบำหรุ1_page1.jpg"],"num_pages":6}},
              "ground_truth":{REPORT},"extraction_metadata":{{"needs_review":true}}}}]}}"#
        );
        let recs = parse_dataset(&text).expect("parse");
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].input.image_paths.len(), 1);
        assert_eq!(
            recs[0].expected_output.0[0].ballot_statistics.good_ballots,
            Some(439)
        );
        assert!(recs[0].metadata.contains_key("extraction_metadata"));
    }

    #[test]
    fn reads_array_and_jsonl() {
        let rec = format!(
            r#"{{"id":"a","input":{{"text":"แบบ ส.ส. 5/18"}},"expected_output":[{REPORT}]}}"#
        );
        assert_eq!(parse_dataset(&format!("[{rec}]")).expect("array").len(), 1);
        let rec2 = rec.replace("\"a\"", "\"b\"").replace('\n', " ");
        let jsonl = format!("{}\n\n{}\n", rec.replace('\n', " "), rec2);
        assert_eq!(parse_dataset(&jsonl).expect("jsonl").len(), 2);
    }

    #[test]
    fn reports_every_bad_record_with_its_field() {
        let text = format!(
            r#"[{{"id":"a","input":{{"text":"x"}},"expected_output":{REPORT}}},
               {{"id":"a","input":{{"text":"x"}},"expected_output":{REPORT}}},
               {{"id":"c","input":{{}},"expected_output":{REPORT}}},
               {{"id":"d","input":"x","expected_output":{{"ballot_statistics":{{"good_ballots":"many"}}}}}}]"#
        );
        let e = parse_dataset(&text).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "records[1].id",
                "records[2].input",
                "records[3].expected_output.ballot_statistics.good_ballots"
            ]
        );
    }

    #[test]
    fn bad_files_are_clear_errors() {
        assert!(parse_dataset("").is_err());
        assert!(parse_dataset("[]").is_err());
        assert!(parse_dataset("[1,")
            .unwrap_err()
            .to_string()
            .contains("line 1"));
        assert!(parse_dataset("{\"a\":1}\nnot json")
            .unwrap_err()
            .to_string()
            .contains("line 2"));
    }
}
