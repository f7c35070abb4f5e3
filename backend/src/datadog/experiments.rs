//! Experiments: create (looked up first when an earlier create's answer was lost), status
//! updates, and result events (metrics with their task spans inline).

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{Call, Client, DatadogError, Idempotency};
use super::{is_plain_id, UNSTABLE, V2};

/// What an experiment is created with (contract §3.6).
#[derive(Debug, Clone)]
pub struct NewExperiment<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub project_id: &'a str,
    pub dataset_id: &'a str,
    pub dataset_version: u32,
    pub config: Value,
    pub tags: Vec<String>,
}

/// An experiment's status as Datadog knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteStatus {
    Running,
    Completed,
    Failed,
    Interrupted,
}

impl RemoteStatus {
    fn as_str(self) -> &'static str {
        match self {
            RemoteStatus::Running => "running",
            RemoteStatus::Completed => "completed",
            RemoteStatus::Failed => "failed",
            RemoteStatus::Interrupted => "interrupted",
        }
    }
}

impl Client {
    /// Creates an experiment; its Datadog id. Never retried once it may have reached
    /// Datadog (each create mints a new experiment).
    pub async fn create_experiment(&self, e: &NewExperiment<'_>) -> Result<String, DatadogError> {
        let body = json!({"data": {"type": "experiments", "attributes": {
            "name": e.name, "description": e.description, "project_id": e.project_id,
            "dataset_id": e.dataset_id, "dataset_version": e.dataset_version,
            "config": e.config, "metadata": {"tags": e.tags},
            "ensure_unique": true, "run_count": 1}}});
        let mut call = Call::new(Method::POST, format!("{UNSTABLE}/experiments"));
        call.body = Some(&body);
        call.idempotency = Idempotency::Create;
        let answer = self.send(call).await?;
        plain_id(answer.pointer("/data/id"), "POST /experiments")
    }

    /// The experiment of project `project_id` tagged `tag` (`key:value`), if there is one:
    /// how a create whose answer was lost is found again.
    pub async fn find_experiment(
        &self,
        project_id: &str,
        tag: &str,
    ) -> Result<Option<String>, DatadogError> {
        let mut call = Call::new(Method::GET, format!("{V2}/experiments"));
        call.query
            .push(("filter[project_id]", project_id.to_string()));
        call.query
            .push(("filter[metadata]", json!({"tags": [tag]}).to_string()));
        let answer = self.send(call).await?;
        let items = answer.get("data").and_then(Value::as_array);
        let tagged = items.into_iter().flatten().find(|item| {
            item.pointer("/attributes/metadata/tags")
                .and_then(Value::as_array)
                .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag)))
        });
        tagged
            .map(|item| plain_id(item.get("id"), "GET /experiments"))
            .transpose()
    }

    /// Sets an experiment's status, with a summary of what went wrong when it failed.
    pub async fn set_status(
        &self,
        experiment_id: &str,
        status: RemoteStatus,
        error: Option<&str>,
    ) -> Result<(), DatadogError> {
        let mut attributes = json!({"status": status.as_str()});
        if let Some(error) = error {
            attributes["error"] = json!(error);
        }
        let body = json!({"data": {"type": "experiments", "attributes": attributes}});
        let mut call = Call::new(
            Method::PATCH,
            format!("{UNSTABLE}/experiments/{experiment_id}"),
        );
        call.body = Some(&body);
        self.send(call).await.map(|_| ())
    }

    /// Sends result events: `metrics` (contract §4.1) and `spans` (§4.2 b), with the
    /// experiment's `tags`.
    pub async fn post_events(
        &self,
        experiment_id: &str,
        metrics: Vec<Value>,
        spans: Vec<Value>,
        tags: &[String],
    ) -> Result<(), DatadogError> {
        let mut attributes = json!({"scope": "experiments", "metrics": metrics, "tags": tags});
        if !spans.is_empty() {
            attributes["spans"] = Value::Array(spans);
        }
        let body = json!({"data": {"type": "experiments", "attributes": attributes}});
        let mut call = Call::new(
            Method::POST,
            format!("{UNSTABLE}/experiments/{experiment_id}/events"),
        );
        call.body = Some(&body);
        call.also_ok = &[202];
        self.send(call).await.map(|_| ())
    }
}

/// An id from an answer, checked to be safe in a URL path.
pub(super) fn plain_id(id: Option<&Value>, call: &str) -> Result<String, DatadogError> {
    match id.and_then(Value::as_str) {
        Some(id) if is_plain_id(id) => Ok(id.to_string()),
        _ => Err(DatadogError::Malformed {
            call: call.to_string(),
            detail: "no plain data.id".into(),
        }),
    }
}
