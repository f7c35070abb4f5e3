//! Parsing a model's raw text into vote reports.
//!
//! Lenient where it is safe — JSON inside a code fence or prose, the original API's
//! `{success, data}` envelope, a single report instead of a list, counts as strings, Thai
//! digits, thousands separators, Thai number words — and exact about what failed where it is
//! not: every error names the JSON path of the offending value.

mod fast;
mod lenient;

use serde_json::Value;
use shared::ReportSet;

pub use lenient::report_from_value;

/// Why a model's output is not a vote report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("output is empty")]
    Empty,
    #[error("no JSON found in output: {0}")]
    NoJson(String),
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    BadJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Field { path: String, message: String },
}

/// Parses a model's raw text output into the reports it holds (output already in the
/// schema's shape takes a typed path that answers the same).
pub fn parse_output(raw: &str) -> Result<ReportSet, ParseError> {
    read_output(raw, true)
}

/// [`parse_output`] without the typed path: what the typed path must agree with (and what
/// the benchmark compares it to).
pub fn parse_leniently(raw: &str) -> Result<ReportSet, ParseError> {
    read_output(raw, false)
}

/// What the typed path alone reads from `raw` (where [`parse_output`] would try it).
pub(crate) fn parse_exact_only(raw: &str) -> Option<ReportSet> {
    let trimmed = raw.trim();
    if trimmed.starts_with(['{', '[']) {
        if let Some(set) = fast::parse_exact(trimmed) {
            return Some(set);
        }
        if serde_json::from_str::<Value>(trimmed).is_ok() {
            return None;
        }
    }
    fast::parse_exact(extract_json_text(trimmed).ok()?)
}

fn read_output(raw: &str, typed: bool) -> Result<ReportSet, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }
    // Text that is JSON as a whole is read as such: a fence or a brace inside one of its
    // strings must not be taken for where the JSON starts (found by fuzzing).
    if trimmed.starts_with(['{', '[']) {
        if let Some(set) = typed.then(|| fast::parse_exact(trimmed)).flatten() {
            return Ok(set);
        }
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return parse_value(&value);
        }
    }
    let json = extract_json_text(trimmed)?;
    if let Some(set) = typed.then(|| fast::parse_exact(json)).flatten() {
        return Ok(set);
    }
    let value: Value = serde_json::from_str(json).map_err(|e| ParseError::BadJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    parse_value(&value)
}

/// Parses an already-decoded JSON value (an array, a report, or an envelope).
pub fn parse_value(value: &Value) -> Result<ReportSet, ParseError> {
    let (items, base) = unwrap_envelope(value)?;
    let single = items.len() == 1 && items[0].is_object() && !value.is_array() && base.is_empty();
    let mut reports = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = if single {
            base.clone()
        } else {
            format!("{base}[{i}]")
        };
        reports.push(report_from_value(item, &path)?);
    }
    if reports.is_empty() {
        return Err(ParseError::Field {
            path: base,
            message: "holds no report".into(),
        });
    }
    Ok(ReportSet(reports))
}

fn unwrap_envelope(value: &Value) -> Result<(Vec<&Value>, String), ParseError> {
    match value {
        Value::Array(items) => Ok((items.iter().collect(), String::new())),
        Value::Object(map) => {
            for key in ["data", "reports", "results", "output"] {
                if let Some(inner) = map.get(key) {
                    if inner.is_array() || inner.get("form_info").is_some() {
                        let (items, base) = unwrap_envelope(inner)?;
                        return Ok((items, format!("{key}{base}")));
                    }
                }
            }
            if let Some(err) = map.get("error").filter(|e| !e.is_null()) {
                return Err(ParseError::Field {
                    path: "error".into(),
                    message: format!("output reports an error: {err}"),
                });
            }
            Ok((vec![value], String::new()))
        }
        other => Err(ParseError::Field {
            path: "$".into(),
            message: format!(
                "expected a report or a list of reports, got {}",
                kind_of(other)
            ),
        }),
    }
}

/// Finds the JSON in a model's text: a fenced block if there is one, else the span from the
/// first `{`/`[` to the last matching bracket.
pub(crate) fn extract_json_text(text: &str) -> Result<&str, ParseError> {
    if let Some(start) = text.find("```") {
        let after = &text[start + 3..];
        let body_start = after.find('\n').map_or(0, |i| i + 1);
        let body = &after[body_start..];
        let end = body.find("```").unwrap_or(body.len());
        let inner = body[..end].trim();
        if inner.starts_with('{') || inner.starts_with('[') {
            return Ok(inner);
        }
    }
    let open = text
        .find(['{', '['])
        .ok_or_else(|| ParseError::NoJson(text.chars().take(80).collect::<String>()))?;
    let close_char = if text[open..].starts_with('{') {
        '}'
    } else {
        ']'
    };
    let close = text
        .rfind(close_char)
        .filter(|&c| c > open)
        .ok_or_else(|| {
            ParseError::NoJson(format!("unclosed {} at byte {open}", &text[open..=open]))
        })?;
    Ok(&text[open..=close])
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
