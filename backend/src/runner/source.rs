//! Where a run's records come from: a page at a time, so a 100,000-record run holds a page
//! or two of records (and those its trials are working on), never the dataset.

use std::sync::Arc;

use async_trait::async_trait;
use shared::DatasetRecord;
use tokio::task::JoinHandle;

/// Records a run reads by position.
#[async_trait]
pub trait RecordSource: Send + Sync {
    /// How many records the run takes (positions `0..len`).
    fn len(&self) -> usize;
    /// Whether the run takes no record.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The records at positions `from..from + limit` (fewer at the end), in order; an error
    /// says why they cannot be read.
    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String>;
    /// The same page as shared records, what the runner reads. A source read by several
    /// experiments at once may hand each the same records instead of reading them again.
    async fn shared_page(
        &self,
        from: usize,
        limit: usize,
    ) -> Result<Vec<Arc<DatasetRecord>>, String> {
        Ok(self
            .page(from, limit)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect())
    }
}

/// Records held in memory (small datasets, tests, the offline CLI's loaded files).
pub struct InMemory(pub Vec<DatasetRecord>);

#[async_trait]
impl RecordSource for InMemory {
    fn len(&self) -> usize {
        self.0.len()
    }

    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String> {
        let from = from.min(self.0.len());
        let to = from.saturating_add(limit).min(self.0.len());
        Ok(self.0[from..to].to_vec())
    }
}

/// A source over records held in memory.
pub fn in_memory(records: impl Into<Vec<DatasetRecord>>) -> Arc<dyn RecordSource> {
    Arc::new(InMemory(records.into()))
}

/// Records read per page (a generated national-scale record is ~20 KB parsed, so a page
/// is a few MB; a run holds about two a experiment).
pub const PAGE: usize = 64;

/// A page being read.
type PageRead = JoinHandle<Result<Vec<Arc<DatasetRecord>>, String>>;

/// Reads a source's pages in order, the next one fetched while the current one is used.
pub(super) struct Pages {
    source: Arc<dyn RecordSource>,
    next_from: usize,
    /// The page being read ahead: its first position, how many, and the read.
    ahead: Option<(usize, usize, PageRead)>,
}

impl Pages {
    pub(super) fn new(source: Arc<dyn RecordSource>) -> Self {
        let mut pages = Pages {
            source,
            next_from: 0,
            ahead: None,
        };
        pages.read_ahead();
        pages
    }

    fn read_ahead(&mut self) {
        let len = self.source.len();
        if self.next_from >= len {
            return;
        }
        let (source, from) = (self.source.clone(), self.next_from);
        let limit = PAGE.min(len - from);
        self.next_from += limit;
        let read = tokio::spawn(async move { source.shared_page(from, limit).await });
        self.ahead = Some((from, limit, read));
    }

    /// The next page with the position of its first record; `None` after the last.
    pub(super) async fn next(
        &mut self,
    ) -> Option<Result<(usize, Vec<Arc<DatasetRecord>>), String>> {
        let (from, limit, read) = self.ahead.take()?;
        let page = match read.await {
            Ok(Ok(records)) if records.len() == limit => records,
            Ok(Ok(records)) => {
                return Some(Err(format!(
                    "records {from}..{} could not be read: {} of {limit} came back",
                    from + limit,
                    records.len()
                )))
            }
            Ok(Err(e)) => return Some(Err(e)),
            Err(e) => return Some(Err(format!("reading records failed: {e}"))),
        };
        self.read_ahead();
        Some(Ok((from, page)))
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        if let Some((_, _, read)) = self.ahead.take() {
            read.abort();
        }
    }
}
