//! Datasets: list, versions, records with the label audit, upload, label correction.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::{
    DatasetDetail, DatasetInfo, DatasetRecordView, DatasetVersionCreated, LabelAuditEntry,
    LabelCorrection, Page,
};

use crate::dataset::load;
use crate::eval::audit_label;
use crate::server::error::ApiError;
use crate::server::extract::{read_body, Authenticated, JsonBody};
use crate::server::state::AppState;

type State = web::Data<AppState>;

/// Every dataset with its newest version.
#[utoipa::path(get, path = "/api/v1/datasets", tag = "datasets",
    responses((status = 200, body = Vec<DatasetInfo>)), security(("api_key" = [])))]
#[get("/api/v1/datasets")]
pub async fn list_datasets(state: State, _auth: Authenticated) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.list_datasets().await?))
}

/// One dataset with all its versions.
#[utoipa::path(get, path = "/api/v1/datasets/{name}", tag = "datasets", params(("name" = String, Path)),
    responses((status = 200, body = DatasetDetail), (status = 404, body = shared::ErrorBody)), security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}")]
pub async fn get_dataset(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.dataset_detail(&name).await?))
}

/// Version and paging of a dataset's records.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    pub version: Option<u32>,
    pub offset: Option<u64>,
    /// 1–500, default 50.
    pub limit: Option<u64>,
}

/// Records of a version, each with its label audit.
#[utoipa::path(get, path = "/api/v1/datasets/{name}/records", tag = "datasets",
    params(("name" = String, Path), RecordsQuery),
    responses((status = 200, body = Page<DatasetRecordView>), (status = 404, body = shared::ErrorBody)), security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}/records")]
pub async fn list_dataset_records(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
    q: web::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = crate::api::history::page_limit(q.limit, 50)?;
    let offset = q.offset.unwrap_or(0);
    let (_, _, records) = state.store.dataset_records(&name, q.version).await?;
    let total = records.len() as u64;
    let items: Vec<DatasetRecordView> = records
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|record| DatasetRecordView {
            label_flags: audit_label(&record.expected_output),
            record,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        offset,
        limit,
    }))
}

/// Upload options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    pub description: Option<String>,
    pub note: Option<String>,
}

fn audit(records: &[shared::DatasetRecord]) -> Vec<LabelAuditEntry> {
    records
        .iter()
        .filter_map(|r| {
            let flags = audit_label(&r.expected_output);
            (!flags.is_empty()).then(|| LabelAuditEntry {
                record_id: r.id.clone(),
                flags,
            })
        })
        .collect()
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 200
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "name",
            "1–200 letters, digits, '-', '_' or '.'",
        ))
    }
}

/// Uploads a new version: the body is a JSON array of records, JSON Lines, or the original
/// project's `{metadata, records}` file. Every record is validated.
#[utoipa::path(post, path = "/api/v1/datasets/{name}/versions", tag = "datasets",
    params(("name" = String, Path), UploadQuery), request_body(content = String, description = "JSON array, JSONL or {metadata, records}"),
    responses((status = 201, body = DatasetVersionCreated), (status = 400, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/datasets/{name}/versions")]
pub async fn upload_version(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
    q: web::Query<UploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_name(&name)?;
    let body = read_body(payload, state.settings.max_upload_bytes).await?;
    let text = std::str::from_utf8(&body).map_err(|e| ApiError::BadRequest {
        message: format!("body is not UTF-8: {e}"),
        field: None,
    })?;
    let records = load::parse_dataset(text).map_err(|e| ApiError::Validation(e.0))?;
    let note = q.note.clone().unwrap_or_else(|| "uploaded".into());
    let version = state
        .store
        .create_dataset_version(
            &name,
            q.description.as_deref().unwrap_or(""),
            &note,
            &records,
        )
        .await?;
    Ok(HttpResponse::Created().json(DatasetVersionCreated {
        name: name.into_inner(),
        version,
        label_audit: audit(&records),
    }))
}

/// Corrects one record's label: saves a new version in which that record is marked as
/// reviewed (who, when, from which version).
#[utoipa::path(post, path = "/api/v1/datasets/{name}/records/{record_id}/label", tag = "datasets",
    params(("name" = String, Path), ("record_id" = String, Path)), request_body = LabelCorrection,
    responses((status = 201, body = DatasetVersionCreated), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/datasets/{name}/records/{record_id}/label")]
pub async fn correct_label(
    state: State,
    _auth: Authenticated,
    path: web::Path<(String, String)>,
    body: JsonBody<LabelCorrection>,
) -> Result<HttpResponse, ApiError> {
    let (name, record_id) = path.into_inner();
    let c = body.0;
    if c.reviewed_by.trim().is_empty() || c.reviewed_by.chars().count() > 200 {
        return Err(ApiError::field("reviewed_by", "must be 1–200 characters"));
    }
    if c.expected_output.0.is_empty() {
        return Err(ApiError::field(
            "expected_output",
            "must hold at least one report",
        ));
    }
    let (_, base, mut records) = state.store.dataset_records(&name, c.base_version).await?;
    let Some(record) = records.iter_mut().find(|r| r.id == record_id) else {
        return Err(ApiError::NotFound(format!(
            "record \"{record_id}\" not found in {name} version {}",
            base.version
        )));
    };
    record.expected_output = c.expected_output;
    record.metadata.insert(
        "review".into(),
        serde_json::json!({
            "reviewed_by": c.reviewed_by.trim(),
            "reviewed_at": crate::store::timestamp(),
            "from_version": base.version,
            "note": c.note,
        }),
    );
    let note = format!("label of {record_id} corrected by {}", c.reviewed_by.trim());
    let version = state
        .store
        .create_dataset_version(&name, "", &note, &records)
        .await?;
    Ok(HttpResponse::Created().json(DatasetVersionCreated {
        name,
        version,
        label_audit: audit(&records),
    }))
}
