//! Pushing a local dataset version to Datadog as a new version of the dataset of the same
//! name: what an experiment on a local dataset is registered against, and what the dataset
//! page's push button does.

use std::collections::HashSet;

use serde_json::{json, Value};
use shared::{DatadogDatasetPushed, DatadogPushRequest, DatadogSite, DatasetRecord};

use super::datadog_events::input_value;
use super::{Service, ServiceError, ServiceResult};
use crate::datadog::{Client, DatadogError, PUSH_BATCH_BYTES, PUSH_BATCH_RECORDS};
use crate::dataset::load::MAX_RECORDS;
use crate::store::{DatadogLink, DatadogOrigin, LinkDirection};

/// Local records read per page while pushing.
const PUSH_READ_PAGE: u64 = 500;
/// Pages of Datadog's current records listed before a push gives up.
const MAX_LIST_PAGES: usize = 100_000;

/// Why a push stopped: Datadog's answer (which says whether to try again) or ours.
pub(super) enum PushError {
    Datadog(DatadogError),
    Local(ServiceError),
}

impl From<DatadogError> for PushError {
    fn from(e: DatadogError) -> Self {
        PushError::Datadog(e)
    }
}

impl From<ServiceError> for PushError {
    fn from(e: ServiceError) -> Self {
        PushError::Local(e)
    }
}

impl From<crate::store::StoreError> for PushError {
    fn from(e: crate::store::StoreError) -> Self {
        PushError::Local(e.into())
    }
}

impl From<PushError> for ServiceError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Datadog(e) => ServiceError::Upstream(e.to_string()),
            PushError::Local(e) => e,
        }
    }
}

/// A record as a Datadog dataset record; our id goes in its metadata and tags. Inline
/// image bytes stay here (their count goes as `inline_image_count`).
fn remote_record(r: &DatasetRecord) -> Value {
    let mut metadata = r.metadata.clone();
    metadata.insert("record_id".into(), json!(r.id));
    let mut input = input_value(&r.input);
    if let Some(count) = input
        .as_object_mut()
        .and_then(|i| i.remove("inline_images"))
    {
        input["inline_image_count"] = count;
    }
    json!({"id": uuid::Uuid::new_v4().simple().to_string(), "input": input,
        "expected_output": r.expected_output, "metadata": metadata,
        "tags": [format!("record_id:{}", r.id)]})
}

/// Where a push is: what the next `batch_update` sends.
struct Batches<'a> {
    client: &'a Client,
    project_id: &'a str,
    dataset_id: &'a str,
    records: Vec<Value>,
    bytes: usize,
    /// Ids of the records Datadog's current version holds, still to delete.
    delete: Vec<String>,
    /// No batch sent yet: the next one makes the new version.
    first: bool,
    version: Option<u32>,
}

impl Batches<'_> {
    async fn send(&mut self) -> Result<(), DatadogError> {
        let take = self.delete.len().min(PUSH_BATCH_RECORDS);
        let delete: Vec<String> = self.delete.drain(..take).collect();
        let reported = self
            .client
            .batch_update(
                self.project_id,
                self.dataset_id,
                std::mem::take(&mut self.records),
                delete,
                self.first,
            )
            .await?;
        self.first = false;
        self.version = reported.or(self.version);
        self.bytes = 0;
        Ok(())
    }

    async fn add(&mut self, record: Value, id: &str) -> Result<(), PushError> {
        let size = record.to_string().len();
        if size > PUSH_BATCH_BYTES {
            return Err(PushError::Local(ServiceError::field(
                "version",
                format!("record {id} is {size} bytes: more than Datadog takes in one call"),
            )));
        }
        if !self.records.is_empty()
            && (self.records.len() >= PUSH_BATCH_RECORDS || self.bytes + size > PUSH_BATCH_BYTES)
        {
            self.send().await?;
        }
        self.bytes += size;
        self.records.push(record);
        Ok(())
    }
}

impl Service {
    /// Pushes a local dataset version to Datadog as the API asks (see
    /// [`Service::push_dataset`]).
    pub async fn push_to_datadog(
        &self,
        name: &str,
        request: &DatadogPushRequest,
    ) -> ServiceResult<DatadogDatasetPushed> {
        let project = request
            .project_name
            .as_deref()
            .unwrap_or(shared::DEFAULT_PROJECT);
        if project.trim().is_empty()
            || project.chars().count() > 200
            || project.chars().any(char::is_control)
        {
            return Err(ServiceError::field(
                "project_name",
                "1–200 characters, no control characters",
            ));
        }
        let site = match request.site.as_deref() {
            None => self.datadog.site,
            Some(s) => DatadogSite::parse(s).ok_or_else(|| {
                ServiceError::field(
                    "site",
                    format!(
                        "is not a Datadog site (expected one of {})",
                        DatadogSite::listed()
                    ),
                )
            })?,
        };
        let Some(client) = self.datadog_client_for(site) else {
            return Err(ServiceError::Conflict(
                "Datadog is not configured: set DD_API_KEY and DD_APP_KEY".into(),
            ));
        };
        // The version is checked before anything is sent.
        let (_, local, _) = self
            .store
            .dataset_records(name, request.version, 0, 0)
            .await?;
        let project_id = client
            .project_id(project)
            .await
            .map_err(|e| ServiceError::Upstream(e.to_string()))?;
        let origin = self
            .push_dataset(&client, site, &project_id, name, local.version)
            .await?;
        Ok(DatadogDatasetPushed {
            name: name.to_string(),
            version: local.version,
            dataset_url: site.dataset_url(&origin.dataset_id),
            datadog_dataset_id: origin.dataset_id,
            datadog_version: origin.version,
        })
    }

    /// The Datadog dataset version that local version `version` of `name` is the same as in
    /// project `project_id` of `site`, pushing it first when it is none yet.
    pub(super) async fn push_dataset(
        &self,
        client: &Client,
        site: DatadogSite,
        project_id: &str,
        name: &str,
        version: u32,
    ) -> Result<DatadogOrigin, PushError> {
        let lock = self.dataset_lock(name);
        let _one_at_a_time = lock.lock().await;
        let (info, local, _) = self
            .store
            .dataset_records(name, Some(version), 0, 0)
            .await?;
        let link = DatadogLink {
            site: site.domain(),
            project_id,
        };
        if let Some(origin) = self
            .store
            .datadog_link(&info.dataset_id, local.version, &link)
            .await?
        {
            return Ok(origin);
        }
        let remote = client
            .ensure_dataset(project_id, name, &info.description)
            .await?;
        let delete = self
            .current_record_ids(client, &link, name, &remote)
            .await?;
        let mut batches = Batches {
            client,
            project_id,
            dataset_id: &remote.id,
            records: Vec::new(),
            bytes: 0,
            delete,
            first: true,
            version: None,
        };
        let mut from = 0;
        while from < local.record_count {
            let page = self
                .store
                .dataset_records_at(&info.dataset_id, local.version, from, PUSH_READ_PAGE)
                .await?;
            if page.is_empty() {
                break;
            }
            from += page.len() as u64;
            for record in &page {
                batches.add(remote_record(record), &record.id).await?;
            }
        }
        while batches.first || !batches.records.is_empty() || !batches.delete.is_empty() {
            batches.send().await?;
        }
        let origin = DatadogOrigin {
            dataset_id: remote.id.clone(),
            version: batches.version.unwrap_or(remote.current_version + 1),
        };
        self.store
            .set_datadog_link(
                &info.dataset_id,
                local.version,
                &link,
                &origin,
                LinkDirection::Pushed,
            )
            .await?;
        tracing::info!(dataset = %name, version = local.version, datadog_version = origin.version,
            records = local.record_count, "pushed to Datadog");
        Ok(origin)
    }

    /// The ids of the records Datadog's current version of `remote` holds (deleted by the
    /// push). When we pushed or pulled that version, the listing must hold as many records
    /// as ours did: Datadog's reads lag its writes, and a short listing would leave old
    /// records in the new version, so it is an error to try again later.
    async fn current_record_ids(
        &self,
        client: &Client,
        link: &DatadogLink<'_>,
        name: &str,
        remote: &crate::datadog::RemoteDataset,
    ) -> Result<Vec<String>, PushError> {
        if remote.current_version == 0 {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        let (mut cursor, mut seen) = (None::<String>, HashSet::new());
        for _ in 0..MAX_LIST_PAGES {
            let page = client
                .records_page(
                    link.project_id,
                    &remote.id,
                    remote.current_version,
                    cursor.as_deref(),
                )
                .await?;
            ids.extend(
                page.records
                    .iter()
                    .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string)),
            );
            if ids.len() > MAX_RECORDS {
                return Err(PushError::Local(ServiceError::Conflict(format!(
                    "Datadog's dataset \"{name}\" holds more than {MAX_RECORDS} records"
                ))));
            }
            match page.after {
                Some(next) if seen.insert(next.clone()) => cursor = Some(next),
                Some(_) => return Err(unreadable(name, "a page cursor came back twice")),
                None => break,
            }
        }
        let ours = match self
            .store
            .linked_version(
                name,
                LinkDirection::Pushed,
                Some(link),
                Some(&remote.id),
                Some(remote.current_version),
            )
            .await?
        {
            Some(v) => Some(v),
            None => {
                self.store
                    .linked_version(
                        name,
                        LinkDirection::Pulled,
                        Some(link),
                        Some(&remote.id),
                        Some(remote.current_version),
                    )
                    .await?
            }
        };
        if let Some(v) = ours {
            let (_, version, _) = self.store.dataset_records(name, Some(v), 0, 0).await?;
            if (ids.len() as u64) < version.record_count {
                return Err(unreadable(
                    name,
                    &format!(
                        "its version {} lists {} of its {} records (Datadog's reads lag its writes)",
                        remote.current_version,
                        ids.len(),
                        version.record_count
                    ),
                ));
            }
        }
        Ok(ids)
    }
}

/// Datadog's listing of a dataset cannot be trusted yet: worth trying again later.
fn unreadable(name: &str, why: &str) -> PushError {
    PushError::Datadog(DatadogError::Unreachable {
        call: format!("listing Datadog's dataset \"{name}\""),
        detail: why.to_string(),
    })
}
