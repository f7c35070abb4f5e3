//! Exporting an experiment: JSON (detail and every trial) or CSV (one row per trial, one
//! column per evaluator of the registry).

use shared::RecordResult;

use super::{Service, ServiceError, ServiceResult};
use crate::eval::EVALUATORS;

/// A file to download.
pub struct Export {
    pub filename: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Export {
    /// The `Content-Disposition` value (RFC 6266): an ASCII `filename` fallback with
    /// anything but letters, digits, '.', '-' and '_' replaced, and the exact name as
    /// UTF-8 in `filename*`. No quote, line break or `;` of a name reaches the header.
    pub fn content_disposition(&self) -> String {
        let ascii: String = self
            .filename
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut encoded = String::new();
        for b in self.filename.bytes() {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                encoded.push(char::from(b));
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
    }
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(ExportFormat::Json),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(ServiceError::field("format", "must be json or csv")),
        }
    }
}

impl Service {
    /// The whole experiment as a file.
    pub async fn export(&self, id: &str, format: ExportFormat) -> ServiceResult<Export> {
        let row = self.store.get_experiment(id).await?;
        let records = self
            .records_page(id, 0, u64::MAX >> 1, &crate::store::TrialFilter::default())
            .await?
            .items;
        let (ext, content_type, body) = match format {
            ExportFormat::Json => {
                let doc = serde_json::json!({
                    "experiment": self.experiment_detail(&row),
                    "records": records,
                });
                let body = serde_json::to_vec(&doc)
                    .map_err(|e| ServiceError::Internal(format!("json: {e}")))?;
                ("json", "application/json", body)
            }
            ExportFormat::Csv => ("csv", "text/csv; charset=utf-8", csv(&records)?),
        };
        Ok(Export {
            filename: format!("{}-{}.{ext}", row.name, row.id),
            content_type,
            body,
        })
    }
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (a formula to Excel, LibreOffice and Sheets) gets a leading `'`.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One row per trial; an evaluator the trial lacks (stored before it existed) is empty.
pub fn csv(records: &[RecordResult]) -> ServiceResult<Vec<u8>> {
    let csv_err = |e: csv::Error| ServiceError::Internal(format!("csv: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["record_id", "repetition", "status"];
    header.extend(EVALUATORS.iter().map(|e| e.name));
    header.extend([
        "overall",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "error",
    ]);
    w.write_record(&header).map_err(csv_err)?;
    for r in records {
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut row = vec![
            text_cell(&r.record_id),
            r.repetition.to_string(),
            r.status.to_string(),
        ];
        row.extend(EVALUATORS.iter().map(|e| {
            r.scores
                .get(e.name)
                .map_or_else(String::new, |s| match s.value {
                    shared::ScoreValue::Bool(b) => b.to_string(),
                    shared::ScoreValue::Number(n) => format!("{n:.4}"),
                })
        }));
        row.extend([
            format!("{:.4}", r.scores.overall),
            format!("{:.1}", r.latency_ms),
            opt(r.input_tokens),
            opt(r.output_tokens),
            text_cell(r.error.as_deref().unwrap_or_default()),
        ]);
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner()
        .map_err(|e| ServiceError::Internal(format!("csv: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_break_out_of_the_header() {
        let export = Export {
            filename: "vote-extraction-x\"; filename=evil.sh\r\nX: 1-ศรี.csv".into(),
            content_type: "text/csv",
            body: Vec::new(),
        };
        let header = export.content_disposition();
        assert_eq!(header.matches("filename=").count(), 1, "{header}");
        assert!(!header.contains(['\r', '\n']), "{header}");
        assert!(header.starts_with(
            "attachment; filename=\"vote-extraction-x___filename_evil.sh__X__1-___.csv\"; filename*=UTF-8''vote-extraction-x%22%3B%20filename%3Devil.sh%0D%0AX%3A%201-%E0%B8%A8"
        ), "{header}");
        assert!(actix_web::http::header::HeaderValue::from_str(&header).is_ok());
    }

    #[test]
    fn formula_cells_are_defused() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("บางบำหรุ1", "บางบำหรุ1"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(text_cell(cell), want);
        }
    }
}
