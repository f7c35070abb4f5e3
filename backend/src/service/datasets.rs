//! Datasets: listing, records with their label audit, uploads, and label corrections that
//! save a new version.

use shared::{
    DatasetDetail, DatasetInfo, DatasetRecord, DatasetRecordView, DatasetVersionCreated,
    LabelAuditEntry, LabelCorrection, Page,
};

use super::{Service, ServiceError, ServiceResult};
use crate::dataset::load;
use crate::eval::audit_label;
use crate::store::{timestamp, LabelEdit};

/// Longest dataset name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// Where an upload comes from and how to describe it.
pub struct Upload<'a> {
    pub name: &'a str,
    /// JSON array, JSON Lines, or the original project's `{metadata, records}` file.
    pub text: &'a str,
    pub description: Option<&'a str>,
    pub note: Option<&'a str>,
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
        offset: u64,
        limit: u64,
    ) -> ServiceResult<Page<DatasetRecordView>> {
        let (_, info, records) = self
            .store
            .dataset_records(name, version, offset, limit)
            .await?;
        let total = info.record_count;
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

    /// Stores an upload as the next version of its dataset; every record is validated.
    pub async fn upload(&self, upload: Upload<'_>) -> ServiceResult<DatasetVersionCreated> {
        check_name(upload.name)?;
        let records =
            load::parse_dataset(upload.text).map_err(|e| ServiceError::Validation(e.0))?;
        let label_audit = audit(&records);
        let version = self
            .store
            .create_dataset_version(
                upload.name,
                upload.description.unwrap_or(""),
                upload.note.unwrap_or("uploaded"),
                &records,
                label_audit.len() as u64,
            )
            .await?;
        tracing::info!(
            dataset = upload.name,
            version = version.version,
            records = records.len(),
            "dataset version stored"
        );
        Ok(DatasetVersionCreated {
            name: upload.name.to_string(),
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
