//! The error of a failed request, built from the server's JSON error body.

use shared::{ErrorBody, FieldError};

/// Why a request failed. Cloneable so views can keep and show it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401: no key or the wrong key.
    #[error("API key missing or wrong: {0}")]
    Unauthorized(String),
    /// 400/422 with field paths such as `model_configs[0].temperature`.
    #[error("{message}")]
    Invalid {
        status: u16,
        message: String,
        errors: Vec<FieldError>,
    },
    /// Any other non-2xx answer.
    #[error("server answered {status} ({kind}): {message}")]
    Server {
        status: u16,
        kind: String,
        message: String,
    },
    /// The request never got an answer.
    #[error("network error: {0}")]
    Network(String),
    /// A 2xx answer whose body is not what the API documents.
    #[error("unexpected response: {0}")]
    Decode(String),
}

impl ApiError {
    /// Builds the error of a failed response from its status and body text.
    pub fn from_response(status: u16, text: &str) -> Self {
        let body: Option<ErrorBody> = serde_json::from_str(text).ok();
        let (kind, message) = match &body {
            Some(b) => (b.kind.to_string(), b.message.clone()),
            None if text.trim().is_empty() => ("unknown".into(), format!("HTTP {status}")),
            None => ("unknown".into(), text.chars().take(300).collect()),
        };
        match (status, body) {
            (401, _) => ApiError::Unauthorized(message),
            (400 | 422, Some(b)) if b.field.is_some() || !b.errors.is_empty() => {
                let mut errors = b.errors;
                if errors.is_empty() {
                    if let Some(field) = b.field {
                        errors.push(FieldError {
                            field,
                            message: message.clone(),
                        });
                    }
                }
                ApiError::Invalid {
                    status,
                    message,
                    errors,
                }
            }
            _ => ApiError::Server {
                status,
                kind,
                message,
            },
        }
    }

    /// The field errors carried by a validation failure (empty otherwise).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ApiError::Invalid { errors, .. } => errors.clone(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_keep_their_field_paths() {
        let body = r#"{"kind":"validation","message":"invalid request","field":"model_configs[0].temperature",
            "errors":[{"field":"model_configs[0].temperature","message":"must be between 0 and 2"}]}"#;
        let err = ApiError::from_response(422, body);
        assert_eq!(err.field_errors()[0].field, "model_configs[0].temperature");
    }

    #[test]
    fn single_field_becomes_a_field_error() {
        let err = ApiError::from_response(
            422,
            r#"{"kind":"validation","message":"bad","field":"limit"}"#,
        );
        assert_eq!(err.field_errors().len(), 1);
    }

    #[test]
    fn other_statuses_keep_kind_and_message() {
        assert!(matches!(
            ApiError::from_response(401, ""),
            ApiError::Unauthorized(_)
        ));
        let err = ApiError::from_response(502, "<html>bad gateway</html>");
        assert_eq!(
            err.to_string(),
            "server answered 502 (unknown): <html>bad gateway</html>"
        );
    }
}
