//! The service's one error type. The HTTP layer turns it into an error body; the command
//! line prints it.

use shared::{ErrorKind, FieldError};

use crate::providers::ModelLookupError;
use crate::store::StoreError;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Fields that break the rules, every one of them.
    #[error("invalid request: {}", list(.0))]
    Validation(Vec<FieldError>),
    /// No such dataset, version, experiment or task.
    #[error("{0}")]
    NotFound(String),
    /// The resource is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    /// Too many runs are queued or running; the message says how many are allowed.
    #[error("{0}")]
    TooManyRuns(String),
    /// The store is busy with other writes; the same request will likely work in a moment.
    #[error("the server is busy; retry in a moment ({0})")]
    Busy(String),
    /// The store cannot be written (disk full, a file-size limit, a disk error).
    #[error("the server cannot store data: {0}; free disk space, then retry")]
    Unwritable(String),
    /// A service tallylab relies on (Datadog) failed or refused; the message says which
    /// call and why.
    #[error("{0}")]
    Upstream(String),
    /// A fault of the server (storage, a crashed run): the detail belongs in the log.
    #[error("internal error: {0}")]
    Internal(String),
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    /// A validation error about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The error kind clients see.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::Validation(_) => ErrorKind::Validation,
            ServiceError::NotFound(_) => ErrorKind::NotFound,
            ServiceError::Conflict(_) => ErrorKind::Conflict,
            ServiceError::Busy(_) | ServiceError::Unwritable(_) => ErrorKind::Unavailable,
            ServiceError::TooManyRuns(_) => ErrorKind::TooManyRequests,
            ServiceError::Upstream(_) => ErrorKind::Upstream,
            ServiceError::Internal(_) => ErrorKind::Internal,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ServiceError::NotFound(m),
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::Busy(m) => ServiceError::Busy(m),
            StoreError::Unwritable(m) => ServiceError::Unwritable(m),
            StoreError::Unstorable(m) => ServiceError::field(
                "body",
                format!("holds a value the database cannot store: {m}"),
            ),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// A model a request names that cannot run, as the field error clients see.
pub fn model_error(field: String, e: ModelLookupError) -> FieldError {
    let message = match e {
        ModelLookupError::Unknown { model, available } => format!(
            "unknown model \"{model}\"; available models: {}",
            available.join(", ")
        ),
        unavailable => unavailable.to_string(),
    };
    FieldError { field, message }
}

/// Result of service calls.
pub type ServiceResult<T> = Result<T, ServiceError>;
