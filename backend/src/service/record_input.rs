//! One dataset record as the experiment page shows it beside a trial: its input text and
//! label, and its images, read under `IMAGE_ROOT` (or from the record itself) with the
//! limits a run uses. Remote images are never fetched for this: the server makes no request
//! a key holder could aim at an address of its choosing.

use base64::Engine;
use shared::{DatasetRecord, DatasetRecordView};

use super::{Service, ServiceError, ServiceResult};
use crate::eval::audit_label;
use crate::providers::images::sniff_mime;

impl Service {
    /// Record `record_id` of dataset `name` at `version` (default latest), with its audit.
    pub async fn dataset_record(
        &self,
        name: &str,
        version: Option<u32>,
        record_id: &str,
    ) -> ServiceResult<DatasetRecordView> {
        let record = self.find_record(name, version, record_id).await?;
        Ok(DatasetRecordView {
            label_flags: audit_label(&record.expected_output),
            record,
        })
    }

    /// Image `index` of a record: its local images (`image_paths`) first, then the inline
    /// ones, as (mime type, bytes). Remote images are not served.
    pub async fn record_image(
        &self,
        name: &str,
        version: Option<u32>,
        record_id: &str,
        index: usize,
    ) -> ServiceResult<(&'static str, Vec<u8>)> {
        let record = self.find_record(name, version, record_id).await?;
        let input = &record.input;
        let unavailable = |why: String| ServiceError::field("index", why);
        let bytes = if let Some(p) = input.image_paths.get(index) {
            let path = self
                .images
                .local_path(p)
                .map_err(|e| unavailable(e.to_string()))?;
            let size = tokio::fs::metadata(&path)
                .await
                .map_err(|e| unavailable(format!("cannot read image {p}: {e}")))?
                .len();
            if size > self.images.max_bytes as u64 {
                return Err(unavailable(format!(
                    "{p} is {size} bytes, over the limit of {}",
                    self.images.max_bytes
                )));
            }
            tokio::fs::read(&path)
                .await
                .map_err(|e| unavailable(format!("cannot read image {p}: {e}")))?
        } else if let Some(img) = input.inline_images.get(index - input.image_paths.len()) {
            base64::engine::general_purpose::STANDARD
                .decode(img.data.trim())
                .map_err(|e| unavailable(format!("the inline image is not base64: {e}")))?
        } else {
            let served = input.image_paths.len() + input.inline_images.len();
            return Err(ServiceError::NotFound(format!(
                "record \"{record_id}\" has {served} image(s) to show (remote images are not served); no image {index}"
            )));
        };
        let mime = sniff_mime(&bytes)
            .ok_or_else(|| unavailable("the file is not a JPEG, PNG, WebP, GIF or PDF".into()))?;
        Ok((mime, bytes))
    }

    async fn find_record(
        &self,
        name: &str,
        version: Option<u32>,
        record_id: &str,
    ) -> ServiceResult<DatasetRecord> {
        let (_, info, _) = self.store.dataset_records(name, version, 0, 0).await?;
        self.store
            .dataset_records_by_id(name, info.version, &[record_id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "dataset \"{name}\" version {} has no record \"{record_id}\"",
                    info.version
                ))
            })
    }
}
