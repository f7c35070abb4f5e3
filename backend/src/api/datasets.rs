//! Datasets: list, versions, records with the label audit, upload, label correction.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::{
    DatasetDetail, DatasetInfo, DatasetRecordView, DatasetVersionCreated, LabelAudit,
    LabelCorrection, Page,
};

use super::error::ApiError;
use super::request::{Authenticated, JsonBody};
use super::State;
use crate::service::datasets::UploadMeta;
use crate::service::history::{page_limit, page_offset};
use crate::store::RecordSelection;

/// Every dataset with its newest version.
#[utoipa::path(tag = "datasets",
    responses((status = 200, body = Vec<DatasetInfo>)), security(("api_key" = [])))]
#[get("/api/v1/datasets")]
pub async fn list_datasets(state: State, _auth: Authenticated) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.datasets().await?))
}

/// One dataset with all its versions.
#[utoipa::path(tag = "datasets", params(("name" = String, Path)),
    responses((status = 200, body = DatasetDetail), (status = 404, body = shared::ErrorBody)), security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}")]
pub async fn get_dataset(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.dataset(&name).await?))
}

/// Version and paging of a dataset's records.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    pub version: Option<u32>,
    pub offset: Option<u64>,
    /// 1–500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Only records whose label breaks an identity (the label audit's flags).
    pub issues: Option<bool>,
    /// Only records whose id contains this text.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
}

/// Records of a version, each with its label audit.
#[utoipa::path(tag = "datasets",
    params(("name" = String, Path), RecordsQuery),
    responses((status = 200, body = Page<DatasetRecordView>), (status = 404, body = shared::ErrorBody)), security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}/records")]
pub async fn list_dataset_records(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
    q: web::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit, 50)?;
    let page = state
        .service
        .dataset_records(
            &name,
            q.version,
            &RecordSelection {
                flagged: q.issues.unwrap_or(false),
                search: match &q.q {
                    Some(t) if t.is_empty() || t.chars().count() > 200 => {
                        return Err(ApiError::field(
                            "q",
                            "must be 1–200 characters of a record id",
                        ));
                    }
                    other => other.clone(),
                },
            },
            page_offset(q.offset)?,
            limit,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Which version to check.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VersionQuery {
    pub version: Option<u32>,
}

/// Whether a version's images can be read here: every local path resolved under
/// `IMAGE_ROOT` as a run would (absolute paths by their longest trailing part), counted, the
/// first 100 that do not resolve listed with the reason.
#[utoipa::path(tag = "datasets",
    params(("name" = String, Path), VersionQuery),
    responses((status = 200, body = shared::ImageCheck), (status = 404, body = shared::ErrorBody)), security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}/images")]
pub async fn check_images(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
    q: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.check_images(&name, q.version).await?))
}

/// Upload options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    pub description: Option<String>,
    pub note: Option<String>,
}

/// Uploads a new version: the body is a JSON array of records, JSON Lines, or the original
/// project's `{metadata, records}` file. Every record is validated.
#[utoipa::path(tag = "datasets",
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
    // Checked again by the service; here first, so a bad name never reads a large body.
    crate::service::datasets::check_name(&name)?;
    // Parsed and stored while it arrives: memory does not grow with the file.
    let (feed, reader) = super::body_stream::body_stream(state.settings.max_upload_bytes);
    let upload = state.service.upload_stream(
        UploadMeta {
            name: &name,
            description: q.description.as_deref(),
            note: q.note.as_deref(),
        },
        reader,
    );
    let (fed, created) = futures::join!(feed.feed(payload), upload);
    // A body over the limit or broken is the answer, whatever the parser made of it.
    fed?;
    let created = created?;
    Ok(HttpResponse::Created().json(created))
}

/// Corrects one record's label: saves a new version in which that record is marked as
/// reviewed (who, when, from which version).
#[utoipa::path(tag = "datasets",
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
    let created = state
        .service
        .correct_label(&name, &record_id, body.0)
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Checks a label as it is being edited: every identity of every form with what it
/// computes (held, broken, or not checkable), so an editor shows the arithmetic live. Nothing
/// is stored.
#[utoipa::path(tag = "datasets", request_body = shared::LabelAuditRequest,
    responses((status = 200, body = LabelAudit), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/labels/audit")]
pub async fn audit_label(
    state: State,
    _auth: Authenticated,
    // Documented as LabelAuditRequest; read as JSON and checked section by section.
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.audit_label_live(&body.0)?))
}

/// Which version of a dataset (default latest).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordVersionQuery {
    pub version: Option<u32>,
}

/// One record: its input (text and image references), label and label audit.
#[utoipa::path(tag = "datasets",
    params(("name" = String, Path), ("record_id" = String, Path), RecordVersionQuery),
    responses((status = 200, body = DatasetRecordView), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}/records/{record_id}")]
pub async fn get_dataset_record(
    state: State,
    _auth: Authenticated,
    path: web::Path<(String, String)>,
    q: web::Query<RecordVersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (name, record_id) = path.into_inner();
    let view = state
        .service
        .dataset_record(&name, q.version, &record_id)
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Image `index` of a record (its local images, then its inline ones; remote images are not
/// served), with its type.
#[utoipa::path(tag = "datasets",
    params(("name" = String, Path), ("record_id" = String, Path), ("index" = u32, Path), RecordVersionQuery),
    responses((status = 200, description = "The image's bytes (JPEG, PNG, WebP, GIF or PDF)"),
        (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/datasets/{name}/records/{record_id}/images/{index}")]
pub async fn get_record_image(
    state: State,
    _auth: Authenticated,
    path: web::Path<(String, String, u32)>,
    q: web::Query<RecordVersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (name, record_id, index) = path.into_inner();
    let (mime, bytes) = state
        .service
        .record_image(&name, q.version, &record_id, index as usize)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(bytes))
}
