//! The web app's static files with a fallback to index.html for deep links, and JSON 404s
//! for unknown API paths.

use actix_web::{web, HttpRequest, HttpResponse};

use super::error::ApiError;
use super::state::AppState;

/// Serves a file of the built web app, if there is one.
pub fn static_files(state: &AppState) -> Option<actix_files::Files> {
    let dir = state.settings.static_dir.as_ref()?;
    Some(
        actix_files::Files::new("/", dir)
            .index_file("index.html")
            .prefer_utf8(true),
    )
}

/// Unknown API paths get a JSON 404; any other path gets the web app (deep links).
pub async fn not_found_or_spa(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        return Err(ApiError::NotFound(format!(
            "no endpoint {} {path}",
            req.method()
        )));
    }
    if let Some(index) = state
        .settings
        .static_dir
        .as_ref()
        .map(|d| d.join("index.html"))
    {
        if let Ok(html) = tokio::fs::read_to_string(&index).await {
            return Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            "<!doctype html><meta charset=utf-8><title>tallylab</title><h1>tallylab</h1>\
         <p>The API is running. The web app is not built on this server yet; see \
         <a href=\"/docs\">/docs</a> for the API.</p>",
        ))
}
