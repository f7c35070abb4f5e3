//! Refuses a request whose path or query carries a NUL character (`%00`) with a 400 that
//! names where it was. No name, id or search term holds one, and PostgreSQL cannot even
//! compare text with one (it fails the statement), so it is refused before any handler runs,
//! the same on both stores.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;

use crate::api::error::ApiError;

/// The middleware (see the module's documentation).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let place = if has_nul(uri.path()) {
        Some("path")
    } else if uri.query().is_some_and(has_nul) {
        Some("query")
    } else {
        None
    };
    if let Some(field) = place {
        let error = ApiError::BadRequest {
            message: format!("the {field} holds a NUL character (%00), which no value may hold"),
            field: Some(field.into()),
        };
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether percent-encoded text decodes to a NUL somewhere.
fn has_nul(raw: &str) -> bool {
    raw.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn finds_an_encoded_nul_and_nothing_else() {
        assert!(has_nul("/api/v1/datasets/x%00"));
        assert!(has_nul("q=a%00b"));
        assert!(!has_nul("/api/v1/datasets/x%2500"));
        assert!(!has_nul("q=100%25"));
        assert!(!has_nul("q=a%20b"));
    }
}
