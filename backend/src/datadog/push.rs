//! Pushing records as a new version of a Datadog dataset (ddtrace's `batch_update`): the
//! dataset is created by name if needed, the records of its current version are deleted in
//! the first batch, and the records are inserted in batches of at most 1,000 records and
//! about 4 MB.

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{Call, Client, DatadogError, Idempotency};
use super::datasets::RemoteDataset;
use super::experiments::plain_id;
use super::{UNSTABLE, V2};

/// Records per `batch_update` call, as ddtrace.
pub const PUSH_BATCH_RECORDS: usize = 1000;
/// Bytes of records per call (ddtrace: about 5 MB).
pub const PUSH_BATCH_BYTES: usize = 4 << 20;

impl Client {
    /// The dataset named `name` in the project, created when there is none (Datadog answers
    /// an existing one unchanged).
    pub async fn ensure_dataset(
        &self,
        project_id: &str,
        name: &str,
        description: &str,
    ) -> Result<RemoteDataset, DatadogError> {
        let body = json!({"data": {"type": "datasets",
            "attributes": {"name": name, "description": description}}});
        let mut call = Call::new(Method::POST, format!("{UNSTABLE}/{project_id}/datasets"));
        call.body = Some(&body);
        let answer = self.send(call).await?;
        let id = plain_id(answer.pointer("/data/id"), "POST /datasets")?;
        let current_version = answer
            .pointer("/data/attributes/current_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        Ok(RemoteDataset {
            id,
            name: name.to_string(),
            description: description.to_string(),
            current_version,
        })
    }

    /// One `batch_update`: inserts `records` (`{id, input, expected_output, metadata,
    /// tags}`), deletes `delete` (record ids); `new_version` on the first batch of a push.
    /// The dataset version Datadog reports after it, when it reports one.
    pub async fn batch_update(
        &self,
        project_id: &str,
        dataset_id: &str,
        records: Vec<Value>,
        delete: Vec<String>,
        new_version: bool,
    ) -> Result<Option<u32>, DatadogError> {
        let body = json!({"data": {"type": "datasets", "id": dataset_id, "attributes": {
            "insert_records": records, "update_records": [], "delete_records": delete,
            "deduplicate": true, "create_new_version": new_version}}});
        let mut call = Call::new(
            Method::POST,
            format!("{V2}/{project_id}/datasets/{dataset_id}/batch_update"),
        );
        call.body = Some(&body);
        call.timeout = std::time::Duration::from_secs(60);
        // A repeated batch would insert its records twice into a new version.
        call.idempotency = Idempotency::Create;
        let answer = self.send(call).await?;
        Ok(answer
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.pointer("/attributes/version").and_then(Value::as_u64))
            .max()
            .and_then(|v| u32::try_from(v).ok()))
    }
}
