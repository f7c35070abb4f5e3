//! Projects and datasets: get-or-create a project by name, find a dataset by its exact
//! name, and read a dataset version's records a page at a time.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{Call, Client, DatadogError};
use super::{is_plain_id, UNSTABLE, V2};

/// A dataset as Datadog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteDataset {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Datadog's current version (0 for a dataset never written to).
    pub current_version: u32,
}

/// One page of a dataset version's records, as our record shape
/// (`{id, input, expected_output, metadata}`), and the cursor of the next page.
#[derive(Debug, Clone)]
pub struct RecordsPage {
    pub records: Vec<Value>,
    pub after: Option<String>,
}

fn malformed(call: &str, detail: impl Into<String>) -> DatadogError {
    DatadogError::Malformed {
        call: call.to_string(),
        detail: detail.into(),
    }
}

/// `data.id` of a JSON:API answer, checked to be an id that is safe in a URL path.
fn data_id(answer: &Value, call: &str) -> Result<String, DatadogError> {
    let id = answer
        .pointer("/data/id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(call, "no data.id"))?;
    if is_plain_id(id) {
        Ok(id.to_string())
    } else {
        Err(malformed(call, "data.id is not a plain id"))
    }
}

fn dataset_of(item: &Value) -> Option<RemoteDataset> {
    let id = item.get("id")?.as_str().filter(|id| is_plain_id(id))?;
    let attributes = item.get("attributes")?;
    let text = |k: &str| {
        attributes
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Some(RemoteDataset {
        id: id.to_string(),
        name: text("name"),
        description: text("description"),
        current_version: attributes
            .get("current_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
    })
}

/// A Datadog record item as our record shape; tags and the canonical id go in metadata.
fn record_of(item: &Value) -> Value {
    let attributes = item.get("attributes").unwrap_or(&Value::Null);
    let mut metadata = match attributes.get("metadata") {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    if let Some(tags) = attributes.get("tags").filter(|t| !t.is_null()) {
        metadata.insert("datadog_tags".into(), tags.clone());
    }
    json!({
        "id": item.get("id").cloned().unwrap_or(Value::Null),
        "input": attributes.get("input").cloned().unwrap_or(Value::Null),
        "expected_output": attributes.get("expected_output").cloned().unwrap_or(Value::Null),
        "metadata": metadata,
    })
}

impl Client {
    /// The id of project `name`, creating it if needed (Datadog answers an existing
    /// project unchanged, so this is safe to repeat).
    pub async fn project_id(&self, name: &str) -> Result<String, DatadogError> {
        let path = format!("{UNSTABLE}/projects");
        let body = json!({"data": {"type": "projects",
            "attributes": {"name": name, "description": ""}}});
        let mut call = Call::new(Method::POST, path);
        call.body = Some(&body);
        let answer = self.send(call).await?;
        data_id(&answer, "POST /projects")
    }

    /// The datasets of a project whose name matches `filter` as Datadog filters (first
    /// page), or every dataset's first page when `filter` is `None`.
    pub async fn datasets(
        &self,
        project_id: &str,
        filter: Option<&str>,
    ) -> Result<Vec<RemoteDataset>, DatadogError> {
        let mut call = Call::new(Method::GET, format!("{V2}/{project_id}/datasets"));
        if let Some(name) = filter {
            call.query.push(("filter[name]", name.to_string()));
        }
        let answer = self.send(call).await?;
        let items = answer
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("GET /datasets", "no data list"))?;
        Ok(items.iter().filter_map(dataset_of).collect())
    }

    /// The dataset named exactly `name` (Datadog's filter may also match others), or the
    /// names the project has when there is none.
    pub async fn find_dataset(
        &self,
        project_id: &str,
        name: &str,
    ) -> Result<Result<RemoteDataset, Vec<String>>, DatadogError> {
        let matches = self.datasets(project_id, Some(name)).await?;
        if let Some(found) = matches.into_iter().find(|d| d.name == name) {
            return Ok(Ok(found));
        }
        let all = self.datasets(project_id, None).await?;
        Ok(Err(all.into_iter().map(|d| d.name).collect()))
    }

    /// One page of dataset `dataset_id`'s records at `version`, from `cursor`.
    pub async fn records_page(
        &self,
        project_id: &str,
        dataset_id: &str,
        version: u32,
        cursor: Option<&str>,
    ) -> Result<RecordsPage, DatadogError> {
        let path = format!("{V2}/{project_id}/datasets/{dataset_id}/records");
        let mut call = Call::new(Method::GET, path);
        call.timeout = Duration::from_secs(20);
        call.query.push(("filter[version]", version.to_string()));
        if let Some(cursor) = cursor {
            call.query.push(("page[cursor]", cursor.to_string()));
        }
        let answer = self.send(call).await?;
        let items = answer
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("GET /records", "no data list"))?;
        let after = answer
            .pointer("/meta/after")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Ok(RecordsPage {
            records: items.iter().map(record_of).collect(),
            after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_item_becomes_our_shape_with_its_tags_kept() {
        let item = json!({"id": "r1", "attributes": {
            "input": {"text": "t"}, "expected_output": {"a": 1},
            "metadata": {"needs_review": true}, "tags": ["k:v"],
            "dataset_id": "d", "created_at": "x"}});
        assert_eq!(
            record_of(&item),
            json!({"id": "r1", "input": {"text": "t"}, "expected_output": {"a": 1},
                   "metadata": {"needs_review": true, "datadog_tags": ["k:v"]}})
        );
    }

    #[test]
    fn ids_that_could_change_the_path_are_refused() {
        for bad in ["../x", "a/b", "a?b", "", "a b"] {
            assert!(dataset_of(&json!({"id": bad, "attributes": {"name": "n"}})).is_none());
        }
        let ok = dataset_of(&json!({"id": "e473e18a-d373", "attributes":
            {"name": "n", "current_version": 3}}))
        .expect("plain id");
        assert_eq!(ok.current_version, 3);
    }
}
