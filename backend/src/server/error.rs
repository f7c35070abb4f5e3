//! The one error type of the HTTP API: every error is JSON with a kind, a message and the
//! offending field, and nothing a client sends can produce a 500.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::{ErrorBody, FieldError};

use crate::store::StoreError;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadJson(String),
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("request validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A 422 about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadJson(_) => "bad_json",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Validation(_) => "validation",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadJson(_) | ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (message, field, errors) = match self {
            ApiError::Validation(errors) => {
                let list: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                (
                    format!("invalid request: {}", list.join("; ")),
                    errors.first().map(|e| e.field.clone()),
                    errors.clone(),
                )
            }
            ApiError::BadRequest { message, field } => (message.clone(), field.clone(), Vec::new()),
            ApiError::Internal(detail) => {
                // The detail may name database internals: log it, answer a generic message.
                tracing::error!(error = %detail, "internal error");
                (
                    "internal error; see the server log".into(),
                    None,
                    Vec::new(),
                )
            }
            other => (other.to_string(), None, Vec::new()),
        };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header(("WWW-Authenticate", "ApiKey header=\"X-API-Key\""));
        }
        response.json(ErrorBody {
            kind: self.kind().into(),
            message,
            field,
            errors,
        })
    }
}
