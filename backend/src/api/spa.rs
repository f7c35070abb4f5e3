//! The web app's static files with a fallback to index.html for deep links, and JSON 404s
//! for unknown API paths.

use actix_web::http::Method;
use actix_web::{guard, web, HttpRequest, HttpResponse};

use super::error::ApiError;
use super::routes::RouteTable;
use super::state::AppState;

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Paths actix-files would refuse with a plain-text 400 (an encoded `/`, a `..` or hidden
/// segment): they go to [`not_found_or_spa`] instead, like any name that is not a file.
fn outside_files(path: &str) -> bool {
    path.to_ascii_lowercase().contains("%2f")
        || path
            .split('/')
            .any(|segment| segment.starts_with('.') || segment.starts_with("%2e"))
}

/// Serves a file of the built web app, if there is one: GET and HEAD only, never an /api
/// path (those are JSON, answered by the routes or [`not_found_or_spa`]).
pub fn static_files(state: &AppState) -> Option<actix_files::Files> {
    let dir = state.settings.static_dir.as_ref()?;
    Some(
        actix_files::Files::new("/", dir)
            .index_file("index.html")
            .prefer_utf8(true)
            .guard(guard::fn_guard(|ctx| {
                let head = ctx.head();
                let path = head.uri.path();
                !is_api(path)
                    && !outside_files(path)
                    && matches!(head.method, Method::GET | Method::HEAD)
            })),
    )
}

/// Unknown API paths get a JSON 404, known ones asked with another method a 405 with
/// `Allow`; any other GET gets the web app (deep links).
pub async fn not_found_or_spa(
    req: HttpRequest,
    state: web::Data<AppState>,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if is_api(path) {
        let allow = routes.methods_of(path);
        if !allow.is_empty() {
            return Err(ApiError::MethodNotAllowed(allow));
        }
        return Err(ApiError::NotFound(format!(
            "no endpoint {} {path}",
            req.method()
        )));
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::MethodNotAllowed(vec![
            "GET".into(),
            "HEAD".into(),
        ]));
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
