//! The access log: one line per request with its id, method, path, status and time, inside
//! a `request` span so everything a handler logs carries the same id. The id is the
//! client's `X-Request-Id` when it is a plain token (letters, digits, '-', '_', at most 64),
//! else a new one; it is answered in `X-Request-Id`. Headers are never logged, so the API
//! key never is.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn usable_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| text.to_string())
}

/// Logs and tags one request.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(usable_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let quiet = req.path() == "/health";
    let span = tracing::info_span!("request", request_id = %id);
    let (method, path) = (req.method().clone(), req.path().to_string());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut response = result?;
    let status = response.status().as_u16();
    if !quiet {
        span.in_scope(|| {
            tracing::info!(%method, %path, status, elapsed_ms = format!("{elapsed_ms:.1}"), "request");
        });
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_taken_as_request_ids() {
        let ok = |s: &str| usable_id(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123_X").as_deref(), Some("abc-123_X"));
        assert_eq!(ok("has space"), None);
        assert_eq!(ok("line\tbreak"), None);
        assert_eq!(ok(&"x".repeat(65)), None);
        assert_eq!(ok(""), None);
    }
}
