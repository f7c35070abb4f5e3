//! Typed fetch layer: one function per endpoint, every body a `shared` type, every request
//! with the `X-API-Key` header. A 401 opens the API-key prompt.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::{
    AsyncRunAccepted, ComparisonResponse, CostEstimate, DatasetDetail, DatasetInfo,
    DatasetRecordView, DatasetVersionCreated, ExperimentDetail, ExperimentListItem,
    ExperimentRunRequest, ExperimentRunResponse, LabelCorrection, ModelAvailability, Page, Preset,
    RecordResult, TaskStatus,
};

use crate::auth;
use crate::format::encode;

mod error;
pub mod events;
mod queries;

pub use error::ApiError;
pub use queries::{DatasetRecordsFilter, HistoryQuery, RecordsQuery};

/// Prefix of every API path; the app is served by the API server (or proxied by `trunk serve`).
const API: &str = "/api/v1";

fn with_key(builder: RequestBuilder) -> RequestBuilder {
    match auth::stored_key() {
        Some(key) => builder.header("X-API-Key", &key),
        None => builder,
    }
}

fn get(path: &str) -> RequestBuilder {
    with_key(Request::get(&format!("{API}{path}")))
}

fn post(path: &str) -> RequestBuilder {
    with_key(Request::post(&format!("{API}{path}")))
}

/// The body of a 2xx answer; any other answer becomes an [`ApiError`] (a 401 also opens the
/// key prompt). Not generic, so it is compiled once.
async fn body_text(sent: Result<Response, gloo_net::Error>) -> Result<String, ApiError> {
    body_text_asking(sent, true).await
}

/// [`body_text`], opening the key prompt on a 401 only when `ask_key` (background polls do
/// not: a stored wrong key would reopen it every few seconds).
async fn body_text_asking(
    sent: Result<Response, gloo_net::Error>,
    ask_key: bool,
) -> Result<String, ApiError> {
    let resp = sent.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let err = ApiError::from_response(status, &text);
    if ask_key && matches!(err, ApiError::Unauthorized(_)) {
        auth::request_key();
    }
    Err(err)
}

/// A GET made in the background (polls): a 401 is returned, not asked about.
async fn get_json_quietly<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&body_text_asking(get(path).send().await, false).await?)
}

/// [`task`] for polls: a 401 does not open the key prompt.
pub async fn task_quietly(id: &str) -> Result<TaskStatus, ApiError> {
    get_json_quietly(&format!("/experiments/tasks/{}", encode(id))).await
}

/// [`experiments`] for polls: a 401 does not open the key prompt.
pub async fn experiments_quietly(q: &HistoryQuery) -> Result<Page<ExperimentListItem>, ApiError> {
    get_json_quietly(&format!("/experiments?{}", q.to_query())).await
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
}

async fn get_text(path: &str) -> Result<String, ApiError> {
    body_text(get(path).send().await).await
}

async fn post_text(
    path: &str,
    body: Result<String, serde_json::Error>,
) -> Result<String, ApiError> {
    let body = body.map_err(|e| ApiError::Decode(e.to_string()))?;
    let req = post(path)
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    body_text(req.send().await).await
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&get_text(path).await?)
}

async fn post_json<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(&post_text(path, serde_json::to_string(body)).await?)
}

/// `POST /experiments/{id}/datadog-export/retry`: the export, due now.
pub async fn retry_export(id: &str) -> Result<shared::DatadogExport, ApiError> {
    post_json(
        &format!("/experiments/{}/datadog-export/retry", encode(id)),
        &serde_json::json!({}),
    )
    .await
}

/// `POST /datasets/{name}/datadog`: pushes a version to Datadog.
pub async fn push_to_datadog(
    name: &str,
    version: Option<u32>,
) -> Result<shared::DatadogDatasetPushed, ApiError> {
    let body = shared::DatadogPushRequest {
        version,
        ..Default::default()
    };
    post_json(&format!("/datasets/{}/datadog", encode(name)), &body).await
}

/// `GET /datasets/{name}/records/{id}?version=`: one record with its input and audit.
pub async fn dataset_record(
    name: &str,
    version: u32,
    id: &str,
) -> Result<DatasetRecordView, ApiError> {
    get_json(&format!(
        "/datasets/{}/records/{}?version={version}",
        encode(name),
        encode(id)
    ))
    .await
}

/// A file the API serves (an export) as an object URL and its file name, fetched with the
/// key (a plain link cannot send it). The body goes from the response to a Blob without
/// passing through the app's memory.
pub async fn download(path: &str) -> Result<(String, String), ApiError> {
    use wasm_bindgen::JsCast;
    let resp = get(path)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !(200..300).contains(&resp.status()) {
        return Err(body_text(Ok(resp))
            .await
            .err()
            .unwrap_or_else(|| ApiError::Network("the download failed".into())));
    }
    let name = resp
        .headers()
        .get("Content-Disposition")
        .and_then(|d| file_name(&d))
        .unwrap_or_else(|| "export".into());
    let raw: web_sys::Response = resp.into();
    let promise = raw
        .blob()
        .map_err(|e| ApiError::Network(format!("{e:?}")))?;
    let blob = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| ApiError::Network(format!("{e:?}")))?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| ApiError::Network("the download is not a file".into()))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| ApiError::Network(format!("{e:?}")))?;
    Ok((url, name))
}

/// The `filename="…"` of a Content-Disposition header.
fn file_name(disposition: &str) -> Option<String> {
    let start = disposition.find("filename=\"")? + "filename=\"".len();
    let rest = &disposition[start..];
    Some(rest[..rest.find('"')?].to_string()).filter(|n| !n.is_empty())
}

/// `GET /models`: every model and whether it can run now.
pub async fn models() -> Result<Vec<ModelAvailability>, ApiError> {
    get_json("/models").await
}

/// `GET /presets`: the quick presets.
pub async fn presets() -> Result<Vec<Preset>, ApiError> {
    get_json("/presets").await
}

/// `GET /datasets`.
pub async fn datasets() -> Result<Vec<DatasetInfo>, ApiError> {
    get_json("/datasets").await
}

/// `GET /datasets/{name}`: the dataset with every version.
pub async fn dataset(name: &str) -> Result<DatasetDetail, ApiError> {
    get_json(&format!("/datasets/{}", encode(name))).await
}

/// Whether a dataset version's images resolve on the server.
pub async fn image_check(name: &str, version: Option<u32>) -> Result<shared::ImageCheck, ApiError> {
    let version = version.map(|v| format!("?version={v}")).unwrap_or_default();
    get_json(&format!("/datasets/{}/images{version}", encode(name))).await
}

/// `GET /datasets/{name}/records`: one page of a version's records with their label audit.
pub async fn dataset_records(
    name: &str,
    version: Option<u32>,
    only: &DatasetRecordsFilter,
    offset: u64,
    limit: u64,
) -> Result<Page<DatasetRecordView>, ApiError> {
    let mut extra = version.map(|v| format!("&version={v}")).unwrap_or_default();
    if only.issues {
        extra.push_str("&issues=true");
    }
    if !only.search.trim().is_empty() {
        extra.push_str(&format!("&q={}", encode(only.search.trim())));
    }
    get_json(&format!(
        "/datasets/{}/records?offset={offset}&limit={limit}{extra}",
        encode(name)
    ))
    .await
}

/// `POST /datasets/{name}/versions`: uploads a version as raw text (JSON array, JSONL or
/// `{metadata, records}`).
pub async fn upload_version(name: &str, text: String) -> Result<DatasetVersionCreated, ApiError> {
    let req = post(&format!("/datasets/{}/versions", encode(name)))
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(text)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    decode(&body_text(req.send().await).await?)
}

/// `POST /labels/audit`: every identity of a label being edited, with what it computes.
pub async fn audit_label(expected: &shared::ReportSet) -> Result<shared::LabelAudit, ApiError> {
    post_json(
        "/labels/audit",
        &shared::LabelAuditRequest {
            expected_output: expected.clone(),
        },
    )
    .await
}

/// `POST /datasets/{name}/records/{id}/label`: corrects one label into a new version.
pub async fn correct_label(
    name: &str,
    record_id: &str,
    body: &LabelCorrection,
) -> Result<DatasetVersionCreated, ApiError> {
    post_json(
        &format!(
            "/datasets/{}/records/{}/label",
            encode(name),
            encode(record_id)
        ),
        body,
    )
    .await
}

/// `POST /experiments/run`: runs and waits for the result.
pub async fn run_sync(req: &ExperimentRunRequest) -> Result<ExperimentRunResponse, ApiError> {
    post_json("/experiments/run", req).await
}

/// `POST /experiments/estimate`: tokens and cost of a run before running it.
pub async fn estimate(req: &ExperimentRunRequest) -> Result<CostEstimate, ApiError> {
    post_json("/experiments/estimate", req).await
}

/// `POST /experiments/plan`: the records a comparison of the run's configs needs to tell a
/// difference, and what they cost.
pub async fn plan(req: &shared::PlanRequest) -> Result<shared::SamplePlan, ApiError> {
    post_json("/experiments/plan", req).await
}

/// `POST /experiments/run-async`: starts a task.
pub async fn run_async(req: &ExperimentRunRequest) -> Result<AsyncRunAccepted, ApiError> {
    post_json("/experiments/run-async", req).await
}

/// `GET /experiments/tasks/{id}`: progress and, once finished, the result.
pub async fn task(id: &str) -> Result<TaskStatus, ApiError> {
    get_json(&format!("/experiments/tasks/{}", encode(id))).await
}

/// `POST /experiments/tasks/{id}/cancel`.
pub async fn cancel_task(id: &str) -> Result<TaskStatus, ApiError> {
    post_json(&format!("/experiments/tasks/{}/cancel", encode(id)), &()).await
}

/// `GET /experiments`: the history, newest first.
pub async fn experiments(q: &HistoryQuery) -> Result<Page<ExperimentListItem>, ApiError> {
    get_json(&format!("/experiments?{}", q.to_query())).await
}

/// `GET /experiments/facets`: the projects, datasets and models of the history.
pub async fn experiment_facets() -> Result<shared::ExperimentFacets, ApiError> {
    get_json("/experiments/facets").await
}

/// `GET /experiments/{id}`.
pub async fn experiment(id: &str) -> Result<ExperimentDetail, ApiError> {
    get_json(&format!("/experiments/{}", encode(id))).await
}

/// `GET /experiments/{id}/records`: one page of per-record results.
pub async fn experiment_records(
    id: &str,
    query: &RecordsQuery,
) -> Result<Page<RecordResult>, ApiError> {
    get_json(&format!(
        "/experiments/{}/records?{}",
        encode(id),
        query.query_string()
    ))
    .await
}

/// `GET /compare?ids=a,b`: side by side with paired verdicts.
pub async fn compare(ids: &[String]) -> Result<ComparisonResponse, ApiError> {
    let ids: Vec<String> = ids.iter().map(|i| encode(i)).collect();
    get_json(&format!("/compare?ids={}", ids.join(","))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_comes_from_content_disposition() {
        assert_eq!(
            file_name("attachment; filename=\"exp_1.csv\"").as_deref(),
            Some("exp_1.csv")
        );
        assert_eq!(file_name("attachment"), None);
        assert_eq!(file_name("attachment; filename=\"\""), None);
    }
}
