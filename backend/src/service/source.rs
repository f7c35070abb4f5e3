//! A run's records as the runner reads them: pages of the stored dataset version.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use shared::DatasetRecord;
use tokio::sync::OnceCell;

use crate::runner::RecordSource;
use crate::store::{RunRow, Store};

/// Pages kept for the run's other experiments: they run side by side, so each page is
/// wanted by all of them within moments (reading and parsing a page once instead of once
/// an experiment was ~9 % of a two-config run's CPU).
const SHARED_PAGES: usize = 2;

/// A page read once for every experiment of the run that asks for it.
type SharedRead = Arc<OnceCell<Result<Vec<Arc<DatasetRecord>>, String>>>;

/// The first `len` records of a stored dataset version.
pub(super) struct StoredRecords {
    pub store: Arc<dyn Store>,
    pub dataset_id: String,
    pub version: u32,
    pub len: usize,
    /// The latest pages asked for, by (first position, length), newest last.
    recent: Mutex<VecDeque<((usize, usize), SharedRead)>>,
}

impl StoredRecords {
    /// The sample a run takes.
    pub fn of(store: Arc<dyn Store>, run: &RunRow) -> Self {
        StoredRecords {
            store,
            dataset_id: run.dataset_id.clone(),
            version: run.dataset_version,
            len: usize::try_from(run.dataset_size).unwrap_or(usize::MAX),
            recent: Mutex::new(VecDeque::with_capacity(SHARED_PAGES + 1)),
        }
    }

    /// The shared read of a page: the one already asked for, or a new one.
    fn read_of(&self, from: usize, limit: usize) -> SharedRead {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, read)) = recent.iter().find(|(at, _)| *at == (from, limit)) {
            return read.clone();
        }
        let read = SharedRead::default();
        recent.push_back(((from, limit), read.clone()));
        if recent.len() > SHARED_PAGES {
            recent.pop_front();
        }
        read
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

    async fn shared_page(
        &self,
        from: usize,
        limit: usize,
    ) -> Result<Vec<Arc<DatasetRecord>>, String> {
        self.read_of(from, limit)
            .get_or_init(|| async {
                let page = self.page(from, limit).await?;
                Ok(page.into_iter().map(Arc::new).collect())
            })
            .await
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::generate::{generate, GeneratorConfig};
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn experiments_asking_for_the_same_page_share_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
        let records: Vec<_> = generate(&GeneratorConfig {
            seed: 1,
            records: 10,
            ..Default::default()
        })
        .collect();
        let pending = store.begin_version("d", "", "").await.unwrap();
        store.append_records(&pending, 0, &records).await.unwrap();
        store.complete_version(&pending, 10, 0).await.unwrap();
        let source = Arc::new(StoredRecords {
            store,
            dataset_id: pending.dataset_id.clone(),
            version: pending.version,
            len: 10,
            recent: Mutex::default(),
        });

        // Two experiments at once: one read, the same records.
        let (a, b) = tokio::join!(source.shared_page(0, 4), source.shared_page(0, 4));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len(), 4);
        assert_eq!(a[3].id, records[3].id);
        assert!(a.iter().zip(&b).all(|(x, y)| Arc::ptr_eq(x, y)));

        // Only the latest pages are kept: an old one is read again, as equal records.
        for from in [4, 8] {
            source.shared_page(from, 2).await.unwrap();
        }
        let again = source.shared_page(0, 4).await.unwrap();
        assert!(!Arc::ptr_eq(&again[0], &a[0]));
        assert_eq!(*again[0], *a[0]);
        assert!(source.recent.lock().unwrap().len() <= SHARED_PAGES);
    }
}
