//! The error body every endpoint returns.

use serde::{Deserialize, Serialize};

crate::status::wire_enum! {
    /// What kind of error a response reports; each has one HTTP status.
    ErrorKind {
        /// 400: the body is not JSON (line and column in the message).
        BadJson => "bad_json",
        /// 400: a query, path or body that cannot be read.
        BadRequest => "bad_request",
        /// 422: fields that break the rules; `errors` lists every one.
        Validation => "validation",
        /// 401: missing or wrong `X-API-Key`.
        Unauthorized => "unauthorized",
        /// 404: no such dataset, version, experiment, task or endpoint.
        NotFound => "not_found",
        /// 405: a known path asked with another method; `Allow` lists the methods.
        MethodNotAllowed => "method_not_allowed",
        /// 409: the resource is not in a state that allows this (e.g. cancelling a finished task).
        Conflict => "conflict",
        /// 413: the body is larger than the limit.
        PayloadTooLarge => "payload_too_large",
        /// 429: too many runs are queued or running; retry after `Retry-After` seconds.
        TooManyRequests => "too_many_requests",
        /// 503: the store is busy with other writes; retry after `Retry-After` seconds.
        Unavailable => "unavailable",
        /// 502: a service tallylab relies on (Datadog) failed or refused; the message says
        /// which call and why.
        Upstream => "upstream",
        /// 500: a fault of the server; the detail is in its log, not in the response.
        Internal => "internal",
    }
}

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field, e.g. "model_configs[1].temperature".
    pub field: String,
    pub message: String,
}

/// JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable kind.
    pub kind: ErrorKind,
    pub message: String,
    /// The message again under the original's name (FastAPI answers `{"detail": …}`), so
    /// scripts written against it keep working.
    #[serde(default)]
    pub detail: String,
    /// The first offending field, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every offending field (validation errors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}
