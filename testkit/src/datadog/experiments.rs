//! The fake's writes: dataset create and `batch_update`, experiment create, look-up, status
//! and events.

use serde_json::{json, Value};
use wiremock::{Request, ResponseTemplate};

use super::{errors, query, FakeDataset, State};

/// An experiment the fake was asked to create, and what it received since.
#[derive(Debug, Clone)]
pub struct FakeExperiment {
    pub id: String,
    /// The create body's `data.attributes`.
    pub attributes: Value,
    /// Every status PATCH body's `data.attributes`, in order.
    pub statuses: Vec<Value>,
    /// Every events POST body's `data.attributes`, in order.
    pub events: Vec<Value>,
}

impl FakeExperiment {
    /// Every metric received, in order.
    pub fn metrics(&self) -> Vec<Value> {
        self.events
            .iter()
            .flat_map(|e| e["metrics"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// Every span received, in order.
    pub fn spans(&self) -> Vec<Value> {
        self.events
            .iter()
            .flat_map(|e| e["spans"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

pub(super) fn respond(
    state: &mut State,
    request: &Request,
    segments: &[&str],
    body: &Value,
) -> ResponseTemplate {
    let attributes = body
        .pointer("/data/attributes")
        .cloned()
        .unwrap_or(Value::Null);
    match (request.method.as_str(), segments) {
        ("POST", ["api", "unstable", "llm-obs", "v1", project, "datasets"]) => {
            let Some(name) = attributes["name"].as_str() else {
                return errors(400, "Bad Request", "data.attributes.name is required");
            };
            let datasets = state.datasets.entry((*project).to_string()).or_default();
            let at = match datasets.iter().position(|d| d.name == name) {
                Some(at) => at,
                None => {
                    datasets.push(FakeDataset {
                        id: format!("dddddddd-0000-4000-8000-{:012}", datasets.len()),
                        name: name.to_string(),
                        versions: Vec::new(),
                    });
                    datasets.len() - 1
                }
            };
            let d = &datasets[at];
            ResponseTemplate::new(200).set_body_json(json!({"data": {"id": d.id,
                "type": "datasets", "attributes": {"name": d.name,
                "current_version": d.versions.len()}}}))
        }
        ("POST", ["api", "v2", "llm-obs", "v1", project, "datasets", dataset, "batch_update"]) => {
            let Some(d) = state
                .datasets
                .get_mut(*project)
                .and_then(|all| all.iter_mut().find(|d| d.id == *dataset))
            else {
                return errors(404, "Not Found", "no such dataset");
            };
            let mut records = d.versions.last().cloned().unwrap_or_default();
            let delete: Vec<&str> = attributes["delete_records"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            records.retain(|r| !delete.contains(&r["id"].as_str().unwrap_or("")));
            records.extend(
                attributes["insert_records"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            if attributes["create_new_version"] == json!(true) || d.versions.is_empty() {
                d.versions.push(records);
            } else if let Some(last) = d.versions.last_mut() {
                *last = records;
            }
            let version = d.versions.len();
            ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": d.id,
                "type": "records", "attributes": {"version": version}}]}))
        }
        ("POST", ["api", "unstable", "llm-obs", "v1", "experiments"]) => {
            let id = format!("eeeeeeee-0000-4000-8000-{:012}", state.experiments.len());
            state.experiments.push(FakeExperiment {
                id: id.clone(),
                attributes: attributes.clone(),
                statuses: Vec::new(),
                events: Vec::new(),
            });
            ResponseTemplate::new(200).set_body_json(json!({"data": {"id": id,
                "type": "experiments", "attributes": {"name": attributes["name"]}}}))
        }
        ("GET", ["api", "v2", "llm-obs", "v1", "experiments"]) => {
            let project = query(request, "filter[project_id]");
            let wanted: Vec<String> = query(request, "filter[metadata]")
                .and_then(|m| serde_json::from_str::<Value>(&m).ok())
                .and_then(|m| m["tags"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            let listed: Vec<Value> = state
                .experiments
                .iter()
                .filter(|e| {
                    project
                        .as_deref()
                        .is_none_or(|p| e.attributes["project_id"] == p)
                })
                .filter(|e| {
                    let tags = e.attributes["metadata"]["tags"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    wanted
                        .iter()
                        .all(|w| tags.iter().any(|t| t.as_str() == Some(w.as_str())))
                })
                .map(|e| json!({"id": e.id, "type": "experiments", "attributes": e.attributes}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"data": listed, "meta": {"after": ""}}))
        }
        ("PATCH", ["api", "unstable", "llm-obs", "v1", "experiments", id]) => {
            match state.experiments.iter_mut().find(|e| e.id == *id) {
                Some(e) => {
                    e.statuses.push(attributes);
                    ResponseTemplate::new(200).set_body_json(json!({"data": {"id": id,
                        "type": "experiments", "attributes": {}}}))
                }
                None => errors(404, "Not Found", "no such experiment"),
            }
        }
        ("POST", ["api", "unstable", "llm-obs", "v1", "experiments", id, "events"]) => {
            match state.experiments.iter_mut().find(|e| e.id == *id) {
                Some(e) => {
                    e.events.push(attributes);
                    ResponseTemplate::new(202)
                }
                None => errors(404, "Not Found", "no such experiment"),
            }
        }
        _ => errors(404, "Not Found", "no such endpoint"),
    }
}
