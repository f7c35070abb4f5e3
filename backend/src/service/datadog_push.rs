//! Pushing a local dataset version to Datadog as a new version of the dataset of the same
//! name: what an experiment on a local dataset is registered against, and what the dataset
//! page's push button does.

use serde_json::{json, Value};
use shared::{DatadogDatasetPushed, DatadogPushRequest, DatadogSite, DatasetRecord};

use super::datadog_events::input_value;
use super::{Service, ServiceError, ServiceResult};
use crate::datadog::{Client, DatadogError, PUSH_BATCH_BYTES, PUSH_BATCH_RECORDS};
use crate::dataset::load::MAX_RECORDS;
use crate::store::DatadogOrigin;

/// Local records read per page while pushing.
const PUSH_READ_PAGE: u64 = 500;

/// A record as a Datadog dataset record; our id goes in its metadata and tags.
fn remote_record(r: &DatasetRecord) -> Value {
    let mut metadata = r.metadata.clone();
    metadata.insert("record_id".into(), json!(r.id));
    json!({"id": uuid::Uuid::new_v4().simple().to_string(), "input": input_value(&r.input),
        "expected_output": r.expected_output, "metadata": metadata,
        "tags": [format!("record_id:{}", r.id)]})
}

/// Where a push is: what the next batch sends.
struct Batches<'a> {
    client: &'a Client,
    project_id: &'a str,
    dataset_id: &'a str,
    records: Vec<Value>,
    bytes: usize,
    /// Ids of the records Datadog's current version holds: deleted by the first batch.
    delete: Option<Vec<String>>,
    version: Option<u32>,
}

impl Batches<'_> {
    async fn send(&mut self) -> Result<(), DatadogError> {
        let first = self.delete.is_some();
        let reported = self
            .client
            .batch_update(
                self.project_id,
                self.dataset_id,
                std::mem::take(&mut self.records),
                self.delete.take().unwrap_or_default(),
                first,
            )
            .await?;
        self.version = reported.or(self.version);
        self.bytes = 0;
        Ok(())
    }

    async fn add(&mut self, record: Value) -> Result<(), DatadogError> {
        let size = record.to_string().len();
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

fn upstream(e: DatadogError) -> ServiceError {
    ServiceError::Upstream(e.to_string())
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
        let project_id = client.project_id(project).await.map_err(upstream)?;
        let origin = self
            .push_dataset(&client, &project_id, name, Some(local.version))
            .await?;
        Ok(DatadogDatasetPushed {
            name: name.to_string(),
            version: local.version,
            dataset_url: site.dataset_url(&origin.dataset_id),
            datadog_dataset_id: origin.dataset_id,
            datadog_version: origin.version,
        })
    }

    /// The Datadog dataset version that local version `version` of `name` (the newest when
    /// `None`) is the same as, pushing it to project `project_id` first when it has none.
    pub async fn push_dataset(
        &self,
        client: &Client,
        project_id: &str,
        name: &str,
        version: Option<u32>,
    ) -> ServiceResult<DatadogOrigin> {
        let _one_at_a_time = self.pulls.lock().await;
        let (info, local, _) = self.store.dataset_records(name, version, 0, 0).await?;
        if let Some(origin) = self
            .store
            .version_origin(&info.dataset_id, local.version)
            .await?
        {
            return Ok(origin);
        }
        let remote = client
            .ensure_dataset(project_id, name, &info.description)
            .await
            .map_err(upstream)?;
        let mut delete = Vec::new();
        if remote.current_version > 0 {
            let mut cursor = None;
            loop {
                let page = client
                    .records_page(
                        project_id,
                        &remote.id,
                        remote.current_version,
                        cursor.as_deref(),
                    )
                    .await
                    .map_err(upstream)?;
                delete.extend(
                    page.records
                        .iter()
                        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string)),
                );
                match page.after {
                    Some(next) if delete.len() <= MAX_RECORDS && cursor.as_ref() != Some(&next) => {
                        cursor = Some(next);
                    }
                    _ => break,
                }
            }
        }
        let mut batches = Batches {
            client,
            project_id,
            dataset_id: &remote.id,
            records: Vec::new(),
            bytes: 0,
            delete: Some(delete),
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
                batches.add(remote_record(record)).await.map_err(upstream)?;
            }
        }
        if !batches.records.is_empty() || batches.delete.is_some() {
            batches.send().await.map_err(upstream)?;
        }
        let origin = DatadogOrigin {
            dataset_id: remote.id.clone(),
            version: batches.version.unwrap_or(remote.current_version + 1),
        };
        self.store
            .set_datadog_origin(&info.dataset_id, local.version, &origin)
            .await?;
        tracing::info!(dataset = %name, version = local.version, datadog_version = origin.version,
            records = local.record_count, "pushed to Datadog");
        Ok(origin)
    }
}
