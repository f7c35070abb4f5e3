//! Exporting an experiment: JSON (detail and every trial) or CSV (one row per trial, one
//! column per evaluator of the registry).

use shared::RecordResult;

use super::{Service, ServiceError, ServiceResult};
use crate::eval::EVALUATORS;

/// A file to download, produced a page of trials at a time.
pub struct Export {
    pub filename: String,
    pub content_type: &'static str,
    pub body: ExportBody,
}

/// The bytes of an export as they are produced.
pub type ExportBody = futures::stream::BoxStream<'static, Result<bytes::Bytes, ServiceError>>;

/// Trials read per page of an export.
const EXPORT_PAGE: u64 = 200;

/// Where an export stream is.
enum Part {
    Head,
    Page(u64),
    Done,
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
    /// The whole experiment as a file, streamed: the body reads the trials a page at a time
    /// as it is sent, so an export of 100,000 trials holds one page.
    pub async fn export(
        self: &std::sync::Arc<Self>,
        id: &str,
        format: ExportFormat,
    ) -> ServiceResult<Export> {
        let row = self.store.get_experiment(id).await?;
        let (ext, content_type) = match format {
            ExportFormat::Json => ("json", "application/json"),
            ExportFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        };
        let head = match format {
            ExportFormat::Json => {
                let detail = serde_json::to_string(&self.experiment_detail(&row))
                    .map_err(|e| ServiceError::Internal(format!("json: {e}")))?;
                format!("{{\"experiment\":{detail},\"records\":[").into_bytes()
            }
            ExportFormat::Csv => csv_rows(&[], true)?,
        };
        let (service, id) = (self.clone(), id.to_string());
        let body = futures::stream::unfold(Part::Head, move |part| {
            let (service, id, head) = (service.clone(), id.clone(), head.clone());
            async move {
                let (bytes, next) = match part {
                    Part::Head => (Ok(head), Part::Page(0)),
                    Part::Page(offset) => match service.export_page(&id, offset, format).await {
                        Ok(Some((bytes, n))) => (Ok(bytes), Part::Page(offset + n)),
                        Ok(None) => (Ok(tail(format)), Part::Done),
                        Err(e) => {
                            tracing::warn!(error = %e, "an export stopped half-way");
                            (Err(e), Part::Done)
                        }
                    },
                    Part::Done => return None,
                };
                Some((bytes.map(bytes::Bytes::from), next))
            }
        });
        Ok(Export {
            filename: format!("{}-{}.{ext}", row.name, row.id),
            content_type,
            body: Box::pin(body),
        })
    }

    /// One page of an export from `offset` and how many trials it holds; `None` past the
    /// last trial.
    async fn export_page(
        &self,
        id: &str,
        offset: u64,
        format: ExportFormat,
    ) -> ServiceResult<Option<(Vec<u8>, u64)>> {
        let page = self
            .records_page(
                id,
                offset,
                EXPORT_PAGE,
                &crate::store::TrialFilter::default(),
            )
            .await?;
        if page.items.is_empty() {
            return Ok(None);
        }
        let n = page.items.len() as u64;
        let bytes = match format {
            ExportFormat::Json => {
                let mut out = Vec::new();
                for (i, r) in page.items.iter().enumerate() {
                    if offset > 0 || i > 0 {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut out, r)
                        .map_err(|e| ServiceError::Internal(format!("json: {e}")))?;
                }
                out
            }
            ExportFormat::Csv => csv_rows(&page.items, false)?,
        };
        Ok(Some((bytes, n)))
    }
}

/// What closes an export.
fn tail(format: ExportFormat) -> Vec<u8> {
    match format {
        ExportFormat::Json => b"]}".to_vec(),
        ExportFormat::Csv => Vec::new(),
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

/// One row per trial, after the header row when `header`; an evaluator the trial lacks
/// (stored before it existed) is empty.
pub fn csv_rows(records: &[RecordResult], header: bool) -> ServiceResult<Vec<u8>> {
    let csv_err = |e: csv::Error| ServiceError::Internal(format!("csv: {e}"));
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut columns = vec!["record_id", "repetition", "status"];
    columns.extend(EVALUATORS.iter().map(|e| e.name));
    columns.extend([
        "overall",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "error",
    ]);
    if header {
        w.write_record(&columns).map_err(csv_err)?;
    }
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
            body: Box::pin(futures::stream::empty()),
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
