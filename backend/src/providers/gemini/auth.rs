//! Vertex AI access tokens from a service-account key: an RS256-signed JWT exchanged at the
//! key's `token_uri` (RFC 7523 jwt-bearer grant), cached until a minute before it expires.
//!
//! Signed with `ring` (already in the build through rustls) on the shared reqwest client,
//! so token requests get the same TLS stack and timeouts as model calls, and token-endpoint
//! errors (`invalid_grant: Invalid JWT Signature.`) reach the record's error message.

use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Deserialize;
use tokio::time::Instant;

use crate::config::Secret;
use crate::providers::http::short;
use crate::providers::ProviderError;

/// The OAuth scope requested for Vertex AI.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// `iat` is backdated this much against clock skew.
const CLOCK_SKEW_SECS: u64 = 10;
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
}

/// A key file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service-account credentials: {0}")]
pub struct CredentialsError(pub String);

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: String,
    private_key: String,
    private_key_id: Option<String>,
    token_uri: Option<String>,
    project_id: Option<String>,
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// Tokens for one service account (see the module docs). `Debug` shows only the account.
pub struct ServiceAccountTokens {
    client: reqwest::Client,
    client_email: String,
    key_id: Option<String>,
    token_uri: String,
    project_id: Option<String>,
    key: RsaKeyPair,
    cached: Mutex<Option<Cached>>,
    /// Serialises refreshes so concurrent calls share one token request.
    refresh: tokio::sync::Mutex<()>,
}

impl fmt::Debug for ServiceAccountTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountTokens")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

impl ServiceAccountTokens {
    /// From the text of a service-account key file (JSON).
    pub fn from_json(json: &str, client: reqwest::Client) -> Result<Self, CredentialsError> {
        let file: KeyFile = serde_json::from_str(json).map_err(|e| {
            // serde's message may quote values; keep only what cannot leak the key.
            let what = if e.to_string().contains("missing field") {
                e.to_string()
            } else {
                format!("{:?} error", e.classify())
            };
            CredentialsError(format!(
                "not a service-account key ({what} at line {} column {})",
                e.line(),
                e.column()
            ))
        })?;
        if let Some(kind) = file.kind.as_deref().filter(|k| *k != "service_account") {
            return Err(CredentialsError(format!(
                "credentials of type \"{kind}\" are not a service-account key; create a key for a service account"
            )));
        }
        let key = RsaKeyPair::from_pkcs8(&pem_to_der(&file.private_key)?)
            .map_err(|e| CredentialsError(format!("private_key is not a usable RSA key: {e}")))?;
        Ok(ServiceAccountTokens {
            client,
            client_email: file.client_email,
            key_id: file.private_key_id,
            token_uri: file.token_uri.unwrap_or_else(|| DEFAULT_TOKEN_URI.into()),
            project_id: file.project_id,
            key,
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
        })
    }

    /// From a key file on disk.
    pub fn from_file(path: &Path, client: reqwest::Client) -> Result<Self, CredentialsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CredentialsError(format!("cannot read {}: {e}", path.display())))?;
        Self::from_json(&text, client)
    }

    /// From `GOOGLE_APPLICATION_CREDENTIALS`-style input: the key JSON itself when it starts
    /// with `{`, otherwise a path to the key file.
    pub fn from_path_or_json(
        value: &str,
        client: reqwest::Client,
    ) -> Result<Self, CredentialsError> {
        let v = value.trim();
        if v.starts_with('{') {
            Self::from_json(v, client)
        } else {
            Self::from_file(Path::new(v), client)
        }
    }

    /// The key's `project_id` (a default for `GOOGLE_CLOUD_PROJECT`).
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// The service account's e-mail.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// A signed JWT assertion for the token endpoint.
    fn assertion(&self) -> Result<String, ProviderError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let iat = now.saturating_sub(CLOCK_SKEW_SECS);
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.key_id {
            header["kid"] = kid.as_str().into();
        }
        let claims = serde_json::json!({
            "iss": self.client_email, "scope": CLOUD_PLATFORM_SCOPE, "aud": self.token_uri,
            "iat": iat, "exp": iat + 3600,
        });
        let mut jwt = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                jwt.as_bytes(),
                &mut signature,
            )
            .map_err(|_| ProviderError::Call("vertex auth: cannot sign the JWT".into()))?;
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jwt)
    }

    /// One jwt-bearer exchange, retried on transport errors and 5xx.
    async fn fetch(&self) -> Result<Cached, ProviderError> {
        let fail = |m: String| ProviderError::Call(format!("vertex auth: {m}"));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let assertion = self.assertion()?;
            let sent = self
                .client
                .post(&self.token_uri)
                .timeout(TOKEN_REQUEST_TIMEOUT)
                .form(&[
                    ("grant_type", GRANT_TYPE),
                    ("assertion", assertion.as_str()),
                ])
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
            if !(200..300).contains(&status) {
                return Err(fail(describe_token_error(status, &body)));
            }
            let ok: TokenResponse = serde_json::from_str(&body).map_err(|_| {
                fail(format!(
                    "token endpoint answered HTTP {status} without an access_token"
                ))
            })?;
            let lifetime = Duration::from_secs(ok.expires_in.unwrap_or(3600));
            let margin = REFRESH_MARGIN.min(lifetime / 2);
            return Ok(Cached {
                token: Secret::new(ok.access_token),
                refresh_at: Instant::now() + lifetime - margin,
            });
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
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

#[async_trait]
impl TokenSource for ServiceAccountTokens {
    async fn token(&self) -> Result<Secret, ProviderError> {
        if let Some(t) = self.current() {
            return Ok(t);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(t) = self.current() {
            return Ok(t); // another call refreshed it meanwhile
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        if let Ok(mut c) = self.cached.lock() {
            *c = Some(fresh);
        }
        Ok(token)
    }

    fn invalidate(&self) {
        if let Ok(mut c) = self.cached.lock() {
            *c = None;
        }
    }
}

impl ServiceAccountTokens {
    fn current(&self) -> Option<Secret> {
        let c = self.cached.lock().ok()?;
        c.as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.token.clone())
    }
}

/// The DER bytes of a `-----BEGIN PRIVATE KEY-----` (PKCS#8) PEM block.
fn pem_to_der(pem: &str) -> Result<Vec<u8>, CredentialsError> {
    let bad = |m: &str| CredentialsError(format!("private_key: {m}"));
    let body = pem
        .split_once("-----BEGIN PRIVATE KEY-----")
        .and_then(|(_, rest)| rest.split_once("-----END PRIVATE KEY-----"))
        .map(|(b, _)| b)
        .ok_or_else(|| bad("expected a PKCS#8 PEM block (BEGIN PRIVATE KEY)"))?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(b64)
        .map_err(|_| bad("the PEM block is not valid base64"))
}
