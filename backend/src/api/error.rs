//! The one error type of the HTTP API: every error is JSON with a kind, a message and the
//! offending field, and nothing a client sends can produce a 500.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::{ErrorBody, ErrorKind, FieldError};

use crate::service::ServiceError;

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
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("request body is larger than {0} bytes")]
    TooLarge(usize),
    /// A known path asked with another method; the methods it answers to.
    #[error("this path answers only to {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    /// What the service answered.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ApiError {
    /// A 422 about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Service(ServiceError::field(field, message))
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ApiError::BadJson(_) => ErrorKind::BadJson,
            ApiError::BadRequest { .. } => ErrorKind::BadRequest,
            ApiError::Unauthorized(_) => ErrorKind::Unauthorized,
            ApiError::NotFound(_) => ErrorKind::NotFound,
            ApiError::TooLarge(_) => ErrorKind::PayloadTooLarge,
            ApiError::MethodNotAllowed(_) => ErrorKind::MethodNotAllowed,
            ApiError::Service(e) => e.kind(),
        }
    }
}

/// The HTTP status of each error kind.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadJson | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.kind())
    }

    fn error_response(&self) -> HttpResponse {
        let (message, field, errors): (String, Option<String>, Vec<FieldError>) = match self {
            ApiError::Service(ServiceError::Validation(errors)) => (
                self.to_string(),
                errors.first().map(|e| e.field.clone()),
                errors.clone(),
            ),
            ApiError::BadRequest { message, field } => (message.clone(), field.clone(), Vec::new()),
            ApiError::Service(ServiceError::Internal(detail)) => {
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
        if let ApiError::MethodNotAllowed(allow) = self {
            response.insert_header(("Allow", allow.join(", ")));
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header(("WWW-Authenticate", "ApiKey header=\"X-API-Key\""));
        }
        match self.kind() {
            ErrorKind::Unavailable => {
                response.insert_header(("Retry-After", "1"));
            }
            ErrorKind::TooManyRequests => {
                response.insert_header(("Retry-After", "10"));
            }
            _ => {}
        }
        response.json(ErrorBody {
            kind: self.kind(),
            detail: message.clone(),
            message,
            field,
            errors,
        })
    }
}
