//! Datasets: listing, records with their label audit, uploads, and label corrections that
//! save a new version.

use shared::{
    DatasetDetail, DatasetInfo, DatasetRecord, DatasetRecordView, DatasetVersionCreated,
    LabelAuditEntry, LabelCorrection, Page,
};

use super::{Service, ServiceError, ServiceResult};
use crate::dataset::stream::{read_records, RecordSink, StreamError};
use crate::eval::audit_label;
use crate::store::{timestamp, LabelEdit, RecordSelection};

/// Records stored per transaction of an upload.
const UPLOAD_BATCH: usize = 500;

/// How an upload is described (its body is read as a stream: JSON array, JSON Lines, or the
/// original project's `{metadata, records}` file).
pub struct UploadMeta<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// Hands parsed records to the storing side in batches.
struct BatchSink {
    batch: Vec<DatasetRecord>,
    tx: tokio::sync::mpsc::Sender<Vec<DatasetRecord>>,
}

impl BatchSink {
    fn flush(&mut self) -> Result<(), StreamError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        self.tx
            .blocking_send(batch)
            .map_err(|_| StreamError::Stopped("the upload could not be stored".into()))
    }
}

impl RecordSink for BatchSink {
    fn record(&mut self, _index: usize, record: DatasetRecord) -> Result<(), String> {
        self.batch.push(record);
        if self.batch.len() >= UPLOAD_BATCH {
            self.flush()
                .map_err(|_| "the upload could not be stored".to_string())?;
        }
        Ok(())
    }
}

/// Discards a pending version unless disarmed before it drops.
pub(super) struct DiscardGuard {
    store: Option<std::sync::Arc<dyn crate::store::Store>>,
    pending: crate::store::PendingVersion,
}

impl DiscardGuard {
    /// Guards `pending`: it is discarded unless [`DiscardGuard::disarm`] is called.
    pub(super) fn new(
        store: std::sync::Arc<dyn crate::store::Store>,
        pending: crate::store::PendingVersion,
    ) -> Self {
        DiscardGuard {
            store: Some(store),
            pending,
        }
    }

    /// Keeps the version: it was completed.
    pub(super) fn disarm(&mut self) {
        self.store = None;
    }
}

impl Drop for DiscardGuard {
    fn drop(&mut self) {
        if let (Some(store), Ok(runtime)) =
            (self.store.take(), tokio::runtime::Handle::try_current())
        {
            let pending = self.pending.clone();
            runtime.spawn(async move { store.discard_version(&pending).await });
        }
    }
}

/// Longest dataset name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// How many of `records` have a label that breaks an identity.
pub(super) fn audit_count(records: &[DatasetRecord]) -> u64 {
    records
        .iter()
        .filter(|r| !audit_label(&r.expected_output).is_empty())
        .count() as u64
}

fn audit(records: &[DatasetRecord]) -> Vec<LabelAuditEntry> {
    records
        .iter()
        .filter_map(|r| {
            let flags = audit_label(&r.expected_output);
            (!flags.is_empty()).then(|| LabelAuditEntry {
                record_id: r.id.clone(),
                flags,
            })
        })
        .collect()
}

/// A dataset name: a plain ASCII slug of 1–200 characters — letters, digits, '-', '_' and
/// '.', starting with a letter or digit (so no ".", "..", hidden names or look-alike
/// Unicode).
pub fn check_name(name: &str) -> ServiceResult<()> {
    let ok = name.len() <= MAX_NAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ServiceError::field(
            "name",
            "1–200 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit",
        ))
    }
}

impl Service {
    /// Every dataset with its newest version.
    pub async fn datasets(&self) -> ServiceResult<Vec<DatasetInfo>> {
        Ok(self.store.list_datasets().await?)
    }

    /// One dataset with all its versions.
    pub async fn dataset(&self, name: &str) -> ServiceResult<DatasetDetail> {
        Ok(self.store.dataset_detail(name).await?)
    }

    /// One page of a version's records, each with its label audit.
    pub async fn dataset_records(
        &self,
        name: &str,
        version: Option<u32>,
        only: &RecordSelection,
        offset: u64,
        limit: u64,
    ) -> ServiceResult<Page<DatasetRecordView>> {
        let (records, total) = if only.is_everything() {
            let (_, info, records) = self
                .store
                .dataset_records(name, version, offset, limit)
                .await?;
            (records, info.record_count)
        } else {
            let (dataset, info, _) = self.store.dataset_records(name, version, 0, 0).await?;
            self.store
                .dataset_records_where(&dataset.dataset_id, info.version, only, offset, limit)
                .await?
        };
        let items = records
            .into_iter()
            .map(|record| DatasetRecordView {
                label_flags: audit_label(&record.expected_output),
                record,
            })
            .collect();
        Ok(Page {
            items,
            total,
            offset,
            limit,
        })
    }

    /// The identities of a label being edited, each with what it computes (nothing stored).
    pub fn audit_label_live(&self, body: &serde_json::Value) -> ServiceResult<shared::LabelAudit> {
        let label = super::label_input::read_label(body)?;
        let checks: Vec<shared::IdentityCheck> = label
            .0
            .iter()
            .flat_map(crate::eval::arithmetic::identity_checks)
            .collect();
        Ok(shared::LabelAudit {
            broken: checks.iter().filter(|c| c.holds == Some(false)).count() as u64,
            checks,
        })
    }

    /// Stores a dataset file read from `reader` as the next version of its dataset while it
    /// is read: records are validated and stored in batches, so memory does not grow with
    /// the file. The version becomes visible only if every record is valid and stored;
    /// otherwise it is discarded and the answer lists the problems.
    pub async fn upload_stream<R: std::io::Read + Send + 'static>(
        &self,
        meta: UploadMeta<'_>,
        reader: R,
    ) -> ServiceResult<DatasetVersionCreated> {
        check_name(meta.name)?;
        let pending = self
            .store
            .begin_version(
                meta.name,
                meta.description.unwrap_or(""),
                meta.note.unwrap_or("uploaded"),
            )
            .await?;
        // Removed if this future is dropped half-way (the client went away).
        let mut guard = DiscardGuard::new(self.store.clone(), pending.clone());
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<DatasetRecord>>(2);
        let parse = tokio::task::spawn_blocking(move || {
            let mut sink = BatchSink {
                batch: Vec::with_capacity(UPLOAD_BATCH),
                tx,
            };
            let read = read_records(reader, &mut sink);
            read.and_then(|n| sink.flush().map(|()| n))
        });
        let (mut stored, mut label_audit, mut failed) = (0u64, Vec::new(), None);
        while let Some(batch) = rx.recv().await {
            label_audit.extend(audit(&batch));
            if let Err(e) = self.store.append_records(&pending, stored, &batch).await {
                failed = Some(ServiceError::from(e));
                break;
            }
            stored += batch.len() as u64;
        }
        drop(rx);
        let parsed = parse
            .await
            .map_err(|e| ServiceError::Internal(format!("reading the upload failed: {e}")));
        let count = match (failed, parsed) {
            (Some(e), _) | (None, Err(e)) => return Err(e),
            (None, Ok(Err(StreamError::Invalid(e)))) => return Err(ServiceError::Validation(e.0)),
            (None, Ok(Err(StreamError::Stopped(e)))) => return Err(ServiceError::Internal(e)),
            (None, Ok(Ok(n))) => n as u64,
        };
        let version = self
            .store
            .complete_version(&pending, count, label_audit.len() as u64)
            .await?;
        guard.disarm();
        tracing::info!(
            dataset = meta.name,
            version = version.version,
            records = count,
            "dataset version stored"
        );
        Ok(DatasetVersionCreated {
            name: meta.name.to_string(),
            version,
            label_audit,
        })
    }

    /// Corrects one record's label: saves a new version in which that record is marked as
    /// reviewed (who, when, from which version).
    pub async fn correct_label(
        &self,
        name: &str,
        record_id: &str,
        c: LabelCorrection,
    ) -> ServiceResult<DatasetVersionCreated> {
        let reviewer = c.reviewed_by.trim();
        if reviewer.is_empty() || reviewer.chars().count() > MAX_NAME_CHARS {
            return Err(ServiceError::field(
                "reviewed_by",
                "must be 1–200 characters",
            ));
        }
        if c.expected_output.0.is_empty() {
            return Err(ServiceError::field(
                "expected_output",
                "must hold at least one report",
            ));
        }
        let note = format!("label of {record_id} corrected by {reviewer}");
        let version = self
            .store
            .correct_label(LabelEdit {
                dataset: name,
                record_id,
                base_version: c.base_version,
                expected_output: &c.expected_output,
                review: serde_json::json!({
                    "reviewed_by": reviewer,
                    "reviewed_at": timestamp(),
                    "note": c.note,
                }),
                note: &note,
            })
            .await?;
        let (info, version_info, _) = self
            .store
            .dataset_records(name, Some(version.version), 0, 0)
            .await?;
        let sample = super::runs::Sample {
            info,
            size: version_info.record_count,
            version: version_info,
        };
        let mut label_audit = Vec::new();
        self.for_each_page(&sample, |page| label_audit.extend(audit(&page)))
            .await?;
        Ok(DatasetVersionCreated {
            name: name.to_string(),
            version,
            label_audit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn dataset_names_are_plain_ascii_slugs() {
        for ok in [
            "vote-extraction-bangbamru-1-10",
            "a",
            "v1.2_x",
            &"a".repeat(200),
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        let too_long = "a".repeat(201);
        for bad in [
            "",
            ".",
            "..",
            "...",
            ".hidden",
            "-x",
            "a b",
            "a/b",
            "ข้อมูล",
            "vоte", // Cyrillic о
            "ａｂｃ",
            too_long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
