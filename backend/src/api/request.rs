//! Request extractors: API-key authentication and JSON bodies parsed with exact error
//! positions and field paths.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::state::AppState;
use crate::service::ServiceError;

/// Proof that the request carried the right `X-API-Key`.
pub struct Authenticated;

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(check_key(req))
    }
}

fn check_key(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let Some(given) = req.headers().get("X-API-Key") else {
        return Err(ApiError::Unauthorized("missing X-API-Key header"));
    };
    compare_key(req, given.as_bytes())
}

fn compare_key(req: &HttpRequest, given: &[u8]) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ServiceError::Internal("no application state".into()))?;
    let expected = state.api_key.expose().as_bytes();
    // Constant-time comparison: the time taken must not reveal how much of the key matched.
    if given.ct_eq(expected).into() {
        Ok(Authenticated)
    } else {
        Err(ApiError::Unauthorized("invalid API key"))
    }
}

/// Proof that a scrape carried the key, as `X-API-Key` or as `Authorization: Bearer` (what
/// Prometheus's `authorization` scrape setting sends).
pub struct ScrapeAuthenticated;

impl FromRequest for ScrapeAuthenticated {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The scheme is case-insensitive (RFC 9110).
        let bearer = req.headers().get("Authorization").and_then(|v| {
            let v = v.as_bytes();
            (v.len() > 7 && v[..7].eq_ignore_ascii_case(b"bearer ")).then(|| &v[7..])
        });
        std::future::ready(match bearer {
            Some(token) if req.headers().get("X-API-Key").is_none() => {
                compare_key(req, token).map(|_| ScrapeAuthenticated)
            }
            _ => check_key(req).map(|_| ScrapeAuthenticated),
        })
    }
}

/// A JSON body, accepted whatever the Content-Type (the original's curl examples send none).
/// Syntax errors answer 400 with line and column; type errors answer 422 with the path of
/// the offending field; bodies over the limit answer 413.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1024 * 1024, |s| s.settings.max_body_bytes);
        let payload = payload.take();
        Box::pin(async move {
            let bytes = read_body(payload, limit).await?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// Reads a whole body, answering 413 (as JSON) once it passes `limit` bytes.
pub async fn read_body<S, E>(mut payload: S, limit: usize) -> Result<web::Bytes, ApiError>
where
    S: futures::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use futures::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            message: format!("cannot read body: {e}"),
            field: None,
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses JSON with serde_path_to_error, mapping errors as [`JsonBody`] documents.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // A UTF-8 byte-order mark (Windows tools write one) is not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadJson(
            "request body is empty; expected a JSON object".into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            ApiError::field(&field, strip_position(&inner.to_string()))
        } else {
            ApiError::BadJson(format!(
                "malformed JSON at line {}, column {}: {}",
                inner.line(),
                inner.column(),
                strip_position(&inner.to_string())
            ))
        }
    })
}

fn strip_position(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}
