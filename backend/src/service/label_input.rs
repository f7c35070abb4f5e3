//! A label sent to be checked (`POST /labels/audit`), read as its schema documents it:
//! every section an object (serde's derive would also take a list for one), vote rows a list
//! of objects, counts within the documented 0..=2^63−1.

use serde_json::Value;
use shared::ReportSet;

use super::{ServiceError, ServiceResult};

/// The sections of a report that are objects.
const OBJECTS: [&str; 3] = ["form_info", "voter_statistics", "ballot_statistics"];

/// The `expected_output` of a request body, checked and read.
pub fn read_label(body: &Value) -> ServiceResult<ReportSet> {
    let expected = body
        .get("expected_output")
        .ok_or_else(|| ServiceError::field("expected_output", "is required"))?;
    let reports: Vec<&Value> = match expected {
        Value::Array(items) => items.iter().collect(),
        _ => {
            return Err(ServiceError::field(
                "expected_output",
                "must be a list of reports",
            ))
        }
    };
    if reports.is_empty() {
        return Err(ServiceError::field(
            "expected_output",
            "must hold at least one form's report",
        ));
    }
    for (i, report) in reports.iter().enumerate() {
        let at = |f: &str| format!("expected_output[{i}]{f}");
        let obj = report
            .as_object()
            .ok_or_else(|| ServiceError::field(&at(""), "must be an object"))?;
        for section in OBJECTS {
            match obj.get(section) {
                None | Some(Value::Null | Value::Object(_)) => {}
                Some(_) => {
                    return Err(ServiceError::field(
                        &at(&format!(".{section}")),
                        "must be an object",
                    ))
                }
            }
        }
        match obj.get("vote_results") {
            None | Some(Value::Null) => {}
            Some(Value::Array(rows)) => {
                if let Some(r) = rows.iter().position(|r| !r.is_object()) {
                    return Err(ServiceError::field(
                        &at(&format!(".vote_results[{r}]")),
                        "must be an object",
                    ));
                }
            }
            Some(_) => return Err(ServiceError::field(&at(".vote_results"), "must be a list")),
        }
    }
    let label: ReportSet = serde_path_to_error::deserialize(expected).map_err(|e| {
        let path = e.path().to_string();
        let sep = if path.starts_with('[') { "" } else { "." };
        ServiceError::field(
            &format!("expected_output{sep}{path}"),
            e.inner().to_string(),
        )
    })?;
    for (i, report) in label.0.iter().enumerate() {
        let voters = report.voter_statistics.fields().into_iter();
        let ballots = report.ballot_statistics.fields().into_iter();
        let counts = voters
            .map(|(name, v)| (format!("voter_statistics.{name}"), v))
            .chain(ballots.map(|(name, v)| (format!("ballot_statistics.{name}"), v)))
            .chain(
                report
                    .vote_results
                    .iter()
                    .enumerate()
                    .map(|(r, row)| (format!("vote_results[{r}].vote_count"), row.vote_count)),
            );
        for (name, value) in counts {
            if value.is_some_and(|v| i64::try_from(v).is_err()) {
                return Err(ServiceError::field(
                    &format!("expected_output[{i}].{name}"),
                    "must be at most 9223372036854775807",
                ));
            }
        }
    }
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(body: Value) -> String {
        match read_label(&body) {
            Err(ServiceError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shapes_and_counts_are_those_documented() {
        assert_eq!(
            read_label(&json!({"expected_output": [{}]}))
                .unwrap()
                .0
                .len(),
            1
        );
        assert_eq!(
            field_of(json!({"expected_output": [{"voter_statistics": [null, null]}]})),
            "expected_output[0].voter_statistics"
        );
        assert_eq!(
            field_of(json!({"expected_output": [{"vote_results": [1]}]})),
            "expected_output[0].vote_results[0]"
        );
        assert_eq!(
            field_of(
                json!({"expected_output": [{"voter_statistics": {"voters_present": 9223372036854775808u64}}]})
            ),
            "expected_output[0].voter_statistics.voters_present"
        );
        assert_eq!(field_of(json!({"expected_output": []})), "expected_output");
        assert_eq!(field_of(json!({})), "expected_output");
        assert_eq!(field_of(json!({"expected_output": {}})), "expected_output");
    }
}
