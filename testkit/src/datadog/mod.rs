//! [`FakeDatadog`]: a real HTTP server (wiremock) speaking Datadog LLM Observability's
//! datasets and experiments contract as ddtrace 4.16 calls it, with the keys it expects,
//! failures it can be told to answer, and every request kept for the test to compare.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod experiments;

pub use experiments::FakeExperiment;

/// The keys the fake accepts.
pub const DD_API_KEY: &str = "dd-api-key-for-tests-0123456789";
/// The application key the fake accepts.
pub const DD_APP_KEY: &str = "dd-app-key-for-tests-9876543210";

/// A dataset the fake holds: its records per version (Datadog record items' attributes).
#[derive(Debug, Clone)]
pub struct FakeDataset {
    pub id: String,
    pub name: String,
    /// Records of each version, from version 1; the last is the current version.
    pub versions: Vec<Vec<Value>>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) projects: BTreeMap<String, String>,
    pub(crate) datasets: BTreeMap<String, Vec<FakeDataset>>,
    pub(crate) experiments: Vec<FakeExperiment>,
    page_size: usize,
    /// Statuses to answer to the next requests, whatever they ask.
    failures: Vec<u16>,
    /// Statuses to answer to the next requests whose path contains the text.
    failures_on: Vec<(String, u16)>,
}

/// A local Datadog: projects, datasets and their records over pages.
pub struct FakeDatadog {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl State {
    /// The id of project `name`, created if needed (as Datadog's get-or-create).
    fn project_id(&mut self, name: &str) -> String {
        let next = format!("0000000{}-0000-4000-8000-000000000000", self.projects.len());
        self.projects
            .entry(name.to_string())
            .or_insert(next)
            .clone()
    }
}

struct Answer(Arc<Mutex<State>>);

pub(crate) fn errors(status: u16, title: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"errors": [{"title": title, "detail": detail}]}))
}

pub(crate) fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Respond for Answer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        if header("DD-API-KEY") != Some(DD_API_KEY)
            || header("DD-APPLICATION-KEY") != Some(DD_APP_KEY)
        {
            return errors(403, "Forbidden", "API key or application key is not valid");
        }
        if !state.failures.is_empty() {
            let status = state.failures.remove(0);
            return errors(status, "Unavailable", "try again later");
        }
        let path = request.url.path().to_string();
        if let Some(at) = state
            .failures_on
            .iter()
            .position(|(p, _)| path.contains(p.as_str()))
        {
            let (_, status) = state.failures_on.remove(at);
            return errors(status, "Unavailable", "try again later");
        }
        let segments: Vec<&str> = request.url.path().trim_matches('/').split('/').collect();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["api", "unstable", "llm-obs", "v1", "projects"]) => {
                let Some(name) = body
                    .pointer("/data/attributes/name")
                    .and_then(Value::as_str)
                else {
                    return errors(400, "Bad Request", "data.attributes.name is required");
                };
                let id = state.project_id(name);
                ResponseTemplate::new(200).set_body_json(
                    json!({"data": {"id": id, "type": "projects", "attributes": {"name": name}}}),
                )
            }
            ("GET", ["api", "v2", "llm-obs", "v1", project, "datasets"]) => {
                let filter = query(request, "filter[name]");
                let listed: Vec<Value> = state
                    .datasets
                    .get(*project)
                    .into_iter()
                    .flatten()
                    // Like a search box: a filter matches names that contain it.
                    .filter(|d| filter.as_deref().is_none_or(|f| d.name.contains(f)))
                    .map(|d| {
                        json!({"id": d.id, "type": "datasets", "attributes": {
                            "name": d.name, "description": format!("{} from Datadog", d.name),
                            "current_version": d.versions.len(), "metadata": {}}})
                    })
                    .collect();
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": listed, "meta": {"after": ""}}))
            }
            ("GET", ["api", "v2", "llm-obs", "v1", project, "datasets", dataset, "records"]) => {
                let Some(d) = state
                    .datasets
                    .get(*project)
                    .and_then(|all| all.iter().find(|d| d.id == *dataset))
                else {
                    return errors(404, "Not Found", "no such dataset");
                };
                let version = query(request, "filter[version]")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(d.versions.len());
                let Some(records) = version.checked_sub(1).and_then(|v| d.versions.get(v)) else {
                    return errors(404, "Not Found", "no such version");
                };
                let from = query(request, "page[cursor]")
                    .and_then(|c| c.strip_prefix("after-").and_then(|n| n.parse().ok()))
                    .unwrap_or(0usize);
                let to = (from + state.page_size.max(1)).min(records.len());
                let items: Vec<Value> = records[from.min(to)..to]
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut attributes = r.clone();
                        attributes["dataset_id"] = json!(d.id);
                        let id = r["id"]
                            .as_str()
                            .map_or(format!("rec-{}", from + i + 1), str::to_string);
                        json!({"id": id, "type": "records", "attributes": attributes})
                    })
                    .collect();
                let after = if to < records.len() {
                    format!("after-{to}")
                } else {
                    String::new()
                };
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": items, "meta": {"after": after}}))
            }
            _ => experiments::respond(&mut state, request, &segments, &body),
        }
    }
}

impl FakeDatadog {
    /// Starts the server, with pages of `page_size` records.
    pub async fn start(page_size: usize) -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            page_size,
            ..State::default()
        }));
        Mock::given(wiremock::matchers::any())
            .respond_with(Answer(state.clone()))
            .mount(&server)
            .await;
        FakeDatadog { server, state }
    }

    /// The origin to set as `DD_LLMOBS_OVERRIDE_ORIGIN`.
    pub fn origin(&self) -> String {
        self.server.uri()
    }

    /// The environment that points tallylab at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DD_API_KEY", DD_API_KEY.to_string()),
            ("DD_APP_KEY", DD_APP_KEY.to_string()),
            ("DD_LLMOBS_OVERRIDE_ORIGIN", self.origin()),
        ]
    }

    /// Creates project `project` (if needed) and a dataset in it.
    pub fn add_dataset(&self, project: &str, dataset: FakeDataset) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let project_id = state.project_id(project);
        let datasets = state.datasets.entry(project_id).or_default();
        datasets.retain(|d| d.id != dataset.id);
        datasets.push(dataset);
    }

    /// Answers `status` to each of the next `times` requests.
    pub fn fail_next(&self, status: u16, times: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.failures.extend(std::iter::repeat_n(status, times));
    }

    /// Answers `status` to each of the next `times` requests whose path contains `path`.
    pub fn fail_next_on(&self, path: &str, status: u16, times: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .failures_on
            .extend(std::iter::repeat_n((path.to_string(), status), times));
    }

    /// Stops every failure asked for.
    pub fn clear_failures(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.failures.clear();
        state.failures_on.clear();
    }

    /// The experiments created so far, with what each received.
    pub fn experiments(&self) -> Vec<FakeExperiment> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .experiments
            .clone()
    }

    /// The datasets of a project, as pushed or added.
    pub fn datasets(&self, project: &str) -> Vec<FakeDataset> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .projects
            .get(project)
            .and_then(|id| state.datasets.get(id))
            .cloned()
            .unwrap_or_default()
    }

    /// Every request received so far: method, path with query, body.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}
