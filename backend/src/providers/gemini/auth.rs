//! Vertex AI access tokens from the credentials people have (Application Default
//! Credentials, see [`find_credentials`]): a service-account key (jwt-bearer grant), a
//! user's gcloud login (refresh-token grant) or the metadata server of Cloud Run and GCE.
//! Each token is cached until a minute before it expires; concurrent calls share one
//! refresh.
//!
//! Token requests go through the shared reqwest client, so they get the same TLS stack and
//! timeouts as model calls, and token-endpoint errors (`invalid_grant: …`) reach the
//! record's error message.

mod adc;
mod authorized_user;
mod metadata;
mod service_account;

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::time::Instant;

pub use adc::{find_credentials, FoundCredentials};
pub use authorized_user::AuthorizedUserTokens;
pub use metadata::MetadataServerTokens;
pub use service_account::ServiceAccountTokens;

use crate::config::Secret;
use crate::providers::http::short;
use crate::providers::ProviderError;

/// The OAuth scope requested for Vertex AI.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// A cached token is replaced this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const TOKEN_ATTEMPTS: u32 = 3;

/// Where Vertex AI bearer tokens come from.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A valid access token (cached while it lasts).
    async fn token(&self) -> Result<Secret, ProviderError>;
    /// Drops the cached token (the API answered 401), so the next call fetches a new one.
    fn invalidate(&self);
    /// The project billed for quota (`x-goog-user-project`): user credentials name one.
    fn quota_project(&self) -> Option<&str> {
        None
    }
}

/// Credentials that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Vertex AI credentials: {0}")]
pub struct CredentialsError(pub String);

/// A credentials file that does not parse, described without quoting its values.
fn file_error(what: &str, e: &serde_json::Error) -> CredentialsError {
    // serde's message may quote values; keep only what cannot leak a secret.
    let detail = if e.to_string().contains("missing field") {
        e.to_string()
    } else {
        format!("{:?} error", e.classify())
    };
    CredentialsError(format!(
        "{what} ({detail} at line {} column {})",
        e.line(),
        e.column()
    ))
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// One token while it lasts, refreshed by one caller at a time.
#[derive(Default)]
struct TokenCache {
    cached: Mutex<Option<Cached>>,
    /// Serialises refreshes so concurrent calls share one token request.
    refresh: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache")
    }
}

impl TokenCache {
    /// The cached token, or a new one from `fetch`.
    async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, ProviderError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Cached, ProviderError>>,
    {
        if let Some(t) = self.current() {
            return Ok(t);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(t) = self.current() {
            return Ok(t); // another call refreshed it meanwhile
        }
        let fresh = fetch().await?;
        let token = fresh.token.clone();
        if let Ok(mut c) = self.cached.lock() {
            *c = Some(fresh);
        }
        Ok(token)
    }

    fn current(&self) -> Option<Secret> {
        let c = self.cached.lock().ok()?;
        c.as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.token.clone())
    }

    fn invalidate(&self) {
        if let Ok(mut c) = self.cached.lock() {
            *c = None;
        }
    }
}

/// One OAuth token request (a form POST), retried on transport errors and 5xx.
async fn exchange(
    client: &reqwest::Client,
    token_uri: &str,
    form: &[(&str, &str)],
) -> Result<Cached, ProviderError> {
    let fail = |m: String| ProviderError::Call(format!("vertex auth: {m}"));
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .post(token_uri)
            .timeout(TOKEN_REQUEST_TIMEOUT)
            .form(form)
            .send()
            .await;
        let (status, body) = match sent {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) if attempt < TOKEN_ATTEMPTS => {
                tracing::debug!(error = %e.without_url(), "token request failed; retrying");
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                continue;
            }
            Err(e) => return Err(fail(format!("token request failed: {}", e.without_url()))),
        };
        if status >= 500 && attempt < TOKEN_ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
            continue;
        }
        return token_from_response(status, &body).map_err(fail);
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

/// A token endpoint's answer: the token and when to refresh it, or what went wrong.
fn token_from_response(status: u16, body: &str) -> Result<Cached, String> {
    if !(200..300).contains(&status) {
        return Err(describe_token_error(status, body));
    }
    let ok: TokenResponse = serde_json::from_str(body)
        .map_err(|_| format!("token endpoint answered HTTP {status} without an access_token"))?;
    let lifetime = Duration::from_secs(ok.expires_in.unwrap_or(3600));
    let margin = REFRESH_MARGIN.min(lifetime / 2);
    Ok(Cached {
        token: Secret::new(ok.access_token),
        refresh_at: Instant::now() + lifetime - margin,
    })
}

/// "token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature."
fn describe_token_error(status: u16, body: &str) -> String {
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_str::<OAuthError>(body) {
        Ok(e) => format!(
            "token endpoint answered HTTP {status}: {}{}",
            e.error,
            e.error_description
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ),
        Err(_) => format!("token endpoint answered HTTP {status}: {}", short(body)),
    }
}
