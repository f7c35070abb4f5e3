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
        let records = self.records_page(id, 0, u64::MAX >> 1, false).await?.items;
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
            r.record_id.clone(),
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
            r.error.clone().unwrap_or_default(),
        ]);
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner()
        .map_err(|e| ServiceError::Internal(format!("csv: {e}")))
}
