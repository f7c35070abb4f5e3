//! The experiment history: lists, one experiment, and its trials page by page.

use std::collections::HashMap;

use shared::{ExperimentDetail, ExperimentListItem, Page, RecordResult};

use super::views::{list_item, record_result};
use super::{Service, ServiceError, ServiceResult};
use crate::store::{ExperimentFilter, TrialFilter};

/// Most items per page.
pub const MAX_LIMIT: u64 = 500;

/// A page size: 1–500, `default` when absent.
pub fn page_limit(v: Option<u64>, default: u64) -> ServiceResult<u64> {
    match v {
        None => Ok(default),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(_) => Err(ServiceError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A page offset: 0 up to the largest 64-bit signed integer (what the store can page to).
pub fn page_offset(v: Option<u64>) -> ServiceResult<u64> {
    match v {
        None => Ok(0),
        Some(o) if i64::try_from(o).is_ok() => Ok(o),
        Some(_) => Err(ServiceError::field(
            "offset",
            format!("must be between 0 and {}", i64::MAX),
        )),
    }
}

impl Service {
    /// One page of the history, filtered and ordered.
    pub async fn list_experiments(
        &self,
        filter: ExperimentFilter,
    ) -> ServiceResult<Page<ExperimentListItem>> {
        let (rows, total) = self.store.list_experiments(&filter).await?;
        Ok(Page {
            items: rows.iter().map(list_item).collect(),
            total,
            offset: filter.offset,
            limit: filter.limit,
        })
    }

    /// The values the history's project, dataset and model filters can take.
    pub async fn experiment_facets(&self) -> ServiceResult<crate::store::ExperimentFacets> {
        Ok(self.store.experiment_facets().await?)
    }

    /// One experiment with its config, metrics and intervals.
    pub async fn experiment(&self, id: &str) -> ServiceResult<ExperimentDetail> {
        let row = self.store.get_experiment(id).await?;
        let mut detail = self.experiment_detail(&row);
        detail.datadog_export = self.export_view(id).await?;
        Ok(detail)
    }

    /// One page of an experiment's trials, each with its record's label and input.
    pub async fn records_page(
        &self,
        id: &str,
        offset: u64,
        limit: u64,
        filter: &TrialFilter,
    ) -> ServiceResult<Page<RecordResult>> {
        let row = self.store.get_experiment(id).await?;
        let (outcomes, total) = self.store.outcomes_page(id, offset, limit, filter).await?;
        // Only this page's records: a page never reads the whole dataset version.
        let ids: Vec<&str> = outcomes.iter().map(|o| o.record_id.as_str()).collect();
        let records = self
            .store
            .dataset_records_by_id(&row.dataset_name, row.dataset_version, &ids)
            .await?;
        let by_id: HashMap<&str, &shared::DatasetRecord> =
            records.iter().map(|r| (r.id.as_str(), r)).collect();
        let items = outcomes
            .into_iter()
            .map(|o| {
                let rec = by_id.get(o.record_id.as_str()).copied();
                record_result(o, rec)
            })
            .collect();
        Ok(Page {
            items,
            total,
            offset,
            limit,
        })
    }
}

impl Service {
    /// How many runs there are in each status (metrics).
    pub async fn run_counts(&self) -> ServiceResult<Vec<(shared::RunStatus, u64)>> {
        Ok(self.store.run_counts().await?)
    }

    /// Answers when the store can be reached (readiness).
    pub async fn store_ping(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }
}
