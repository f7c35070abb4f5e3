//! Tokens for a service account: an RS256-signed JWT exchanged at the key's `token_uri`
//! (RFC 7523 jwt-bearer grant). Signed with `ring` (already in the build through rustls).

use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Deserialize;

use super::{
    exchange, file_error, CredentialsError, TokenCache, TokenSource, CLOUD_PLATFORM_SCOPE,
    DEFAULT_TOKEN_URI,
};
use crate::config::Secret;
use crate::providers::ProviderError;

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// `iat` is backdated this much against clock skew.
const CLOCK_SKEW_SECS: u64 = 10;

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

/// Tokens for one service account. `Debug` shows only the account.
pub struct ServiceAccountTokens {
    client: reqwest::Client,
    client_email: String,
    key_id: Option<String>,
    token_uri: String,
    project_id: Option<String>,
    key: RsaKeyPair,
    cache: TokenCache,
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
        let file: KeyFile =
            serde_json::from_str(json).map_err(|e| file_error("not a service-account key", &e))?;
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
            cache: TokenCache::default(),
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
}

#[async_trait]
impl TokenSource for ServiceAccountTokens {
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.cache
            .get(|| async {
                let assertion = self.assertion()?;
                exchange(
                    &self.client,
                    &self.token_uri,
                    &[("grant_type", GRANT_TYPE), ("assertion", &assertion)],
                )
                .await
            })
            .await
    }

    fn invalidate(&self) {
        self.cache.invalidate();
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
