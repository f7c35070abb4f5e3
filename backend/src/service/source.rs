//! A run's records as the runner reads them: pages of the stored dataset version.

use std::sync::Arc;

use async_trait::async_trait;
use shared::DatasetRecord;

use crate::runner::RecordSource;
use crate::store::{RunRow, Store};

/// The first `len` records of a stored dataset version.
pub(super) struct StoredRecords {
    pub store: Arc<dyn Store>,
    pub dataset_id: String,
    pub version: u32,
    pub len: usize,
}

impl StoredRecords {
    /// The sample a run takes.
    pub fn of(store: Arc<dyn Store>, run: &RunRow) -> Self {
        StoredRecords {
            store,
            dataset_id: run.dataset_id.clone(),
            version: run.dataset_version,
            len: usize::try_from(run.dataset_size).unwrap_or(usize::MAX),
        }
    }
}

#[async_trait]
impl RecordSource for StoredRecords {
    fn len(&self) -> usize {
        self.len
    }

    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String> {
        self.store
            .dataset_records_at(&self.dataset_id, self.version, from as u64, limit as u64)
            .await
            .map_err(|e| e.to_string())
    }
}
