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
    /// The dataset position of the record at `order` in this source's order (the same
    /// unless the source reorders the records).
    fn position(&self, order: usize) -> usize {
        order
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

/// Another source's records in a seeded random order (a sequential run's: an ordered
/// dataset, by district or by date, must not bias its early looks). `page(from, limit)`
/// gives the records at order positions `from..from + limit`, read one by one.
pub struct Shuffled {
    inner: Arc<dyn RecordSource>,
    /// Dataset position of each order position (4 bytes a record).
    order: Vec<u32>,
}

impl Shuffled {
    /// `inner`'s records shuffled by `seed` (the same seed, the same order).
    pub fn new(inner: Arc<dyn RecordSource>, seed: u64) -> Self {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let len = u32::try_from(inner.len()).unwrap_or(u32::MAX);
        let mut order: Vec<u32> = (0..len).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        Shuffled { inner, order }
    }

    /// Dataset positions in the run's order.
    pub fn order(&self) -> &[u32] {
        &self.order
    }
}

#[async_trait]
impl RecordSource for Shuffled {
    fn len(&self) -> usize {
        self.order.len()
    }

    fn position(&self, order: usize) -> usize {
        self.order.get(order).map_or(order, |&p| p as usize)
    }

    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String> {
        let to = from.saturating_add(limit).min(self.order.len());
        let mut out = Vec::with_capacity(to.saturating_sub(from));
        for &position in self.order.get(from..to).unwrap_or_default() {
            let mut one = self.inner.page(position as usize, 1).await?;
            out.push(
                one.pop()
                    .ok_or_else(|| format!("record {position} could not be read"))?,
            );
        }
        Ok(out)
    }
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
