//! Whether a dataset version's images can be read here, checked before anything runs: every
//! local path resolved under `IMAGE_ROOT` (the same resolution a run uses), a page of
//! records at a time.

use shared::{DatasetRecord, ImageCheck, ImageProblem};

use super::runs::Sample;
use super::{Service, ServiceError, ServiceResult};
use crate::providers::images::ImagePolicy;
use crate::providers::ProviderError;

/// Unresolved paths listed at most (all are counted).
const MAX_LISTED: usize = 100;

impl Service {
    /// The image check of a dataset version (default latest).
    pub async fn check_images(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> ServiceResult<ImageCheck> {
        let (info, version, _) = self.store.dataset_records(name, version, 0, 0).await?;
        let sample = Sample {
            size: version.record_count,
            info,
            version,
        };
        let mut check = ImageCheck {
            dataset_name: sample.info.name.clone(),
            version: sample.version.version,
            records: sample.size,
            records_with_images: 0,
            records_unresolved: 0,
            resolved: 0,
            unresolved: 0,
            remote: 0,
            inline: 0,
            image_root_set: self.images.root.is_some(),
            problems: Vec::new(),
        };
        let mut from = 0;
        loop {
            let page = self.sample_page(&sample, from).await?;
            if page.is_empty() {
                return Ok(check);
            }
            from += page.len() as u64;
            // Resolving touches the file system: off the async workers.
            let policy = self.images.clone();
            check = tokio::task::spawn_blocking(move || {
                for record in &page {
                    tally(&policy, record, &mut check);
                }
                check
            })
            .await
            .map_err(|e| ServiceError::Internal(format!("checking images failed: {e}")))?;
        }
    }
}

/// Adds one record's images to the check.
fn tally(policy: &ImagePolicy, record: &DatasetRecord, check: &mut ImageCheck) {
    let input = &record.input;
    let images = input.image_paths.len() + input.image_urls.len() + input.inline_images.len();
    if images == 0 {
        return;
    }
    check.records_with_images += 1;
    check.remote += input.image_urls.len() as u64;
    check.inline += input.inline_images.len() as u64;
    let mut unresolved_here = false;
    for path in &input.image_paths {
        match policy.local_path(path) {
            Ok(_) => check.resolved += 1,
            Err(e) => {
                check.unresolved += 1;
                unresolved_here = true;
                if check.problems.len() < MAX_LISTED {
                    let reason = match e {
                        ProviderError::UnsupportedInput(m) => m,
                        other => other.to_string(),
                    };
                    // The path is shown beside the reason.
                    let reason = reason
                        .strip_prefix(&format!("{path}: "))
                        .map_or(reason.clone(), str::to_string);
                    check.problems.push(ImageProblem {
                        record_id: record.id.clone(),
                        image: path.clone(),
                        reason,
                    });
                }
            }
        }
    }
    check.records_unresolved += u64::from(unresolved_here);
}
