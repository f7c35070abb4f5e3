//! Tokens for a user's gcloud credentials (`gcloud auth application-default login` writes an
//! `authorized_user` file): the OAuth refresh-token grant at Google's token endpoint.

use std::fmt;

use async_trait::async_trait;
use serde::Deserialize;

use super::{exchange, file_error, CredentialsError, TokenCache, TokenSource, DEFAULT_TOKEN_URI};
use crate::config::Secret;
use crate::providers::ProviderError;

#[derive(Deserialize)]
struct UserFile {
    client_id: String,
    client_secret: String,
    refresh_token: String,
    quota_project_id: Option<String>,
    token_uri: Option<String>,
}

/// Tokens refreshed with a user's refresh token. `Debug` shows no secret.
pub struct AuthorizedUserTokens {
    client: reqwest::Client,
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
    quota_project_id: Option<String>,
    token_uri: String,
    cache: TokenCache,
}

impl fmt::Debug for AuthorizedUserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizedUserTokens")
            .field("client_id", &self.client_id)
            .field("quota_project_id", &self.quota_project_id)
            .finish_non_exhaustive()
    }
}

impl AuthorizedUserTokens {
    /// From the text of an `authorized_user` credentials file. The token endpoint is the
    /// file's `token_uri` when it has one (Google's libraries read it too), else Google's.
    pub fn from_json(json: &str, client: reqwest::Client) -> Result<Self, CredentialsError> {
        let file: UserFile = serde_json::from_str(json)
            .map_err(|e| file_error("not an authorized_user credentials file", &e))?;
        Ok(AuthorizedUserTokens {
            client,
            client_id: file.client_id,
            client_secret: Secret::new(file.client_secret),
            refresh_token: Secret::new(file.refresh_token),
            quota_project_id: file.quota_project_id,
            token_uri: file.token_uri.unwrap_or_else(|| DEFAULT_TOKEN_URI.into()),
            cache: TokenCache::default(),
        })
    }
}

#[async_trait]
impl TokenSource for AuthorizedUserTokens {
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.cache
            .get(|| async {
                let form = [
                    ("grant_type", "refresh_token"),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.client_secret.expose()),
                    ("refresh_token", self.refresh_token.expose()),
                ];
                exchange(&self.client, &self.token_uri, &form).await
            })
            .await
    }

    fn invalidate(&self) {
        self.cache.invalidate();
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project_id.as_deref()
    }
}
