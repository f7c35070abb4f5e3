//! Application Default Credentials, found in Google's order: the file
//! `GOOGLE_APPLICATION_CREDENTIALS` names, then gcloud's well-known file
//! (`application_default_credentials.json` in `$CLOUDSDK_CONFIG` or `~/.config/gcloud`),
//! then the metadata server when one answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::metadata::{probe, DEFAULT_METADATA_HOST};
use super::{
    AuthorizedUserTokens, CredentialsError, MetadataServerTokens, ServiceAccountTokens, TokenSource,
};

/// How long the metadata server has to answer the start-up probe.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// Credentials found, with the project they name (if any) and where they came from.
pub struct FoundCredentials {
    pub tokens: Arc<dyn TokenSource>,
    /// The key's `project_id`, the user file's `quota_project_id` or the metadata server's
    /// project: a default for `GOOGLE_CLOUD_PROJECT`.
    pub project: Option<String>,
    /// Where they came from and what they are, for logs and `/api/v1/models`.
    pub origin: String,
}

/// Finds credentials in Google's order. `env` reads the environment; the metadata server
/// is probed only when `probe_metadata` is set or the environment says it may be there
/// (`GCE_METADATA_HOST`, or Cloud Run's `K_SERVICE`), so machines elsewhere do not wait.
/// `Ok(None)`: no credentials anywhere. `Err`: credentials were found and cannot be used.
pub fn find_credentials(
    env: &dyn Fn(&str) -> Option<String>,
    probe_metadata: bool,
    client: &reqwest::Client,
) -> Result<Option<FoundCredentials>, CredentialsError> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if let Some(path) = set("GOOGLE_APPLICATION_CREDENTIALS") {
        return load_file(
            Path::new(path.trim()),
            "GOOGLE_APPLICATION_CREDENTIALS",
            client,
        )
        .map(Some);
    }
    let gcloud_dir = set("CLOUDSDK_CONFIG")
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|h| Path::new(&h).join(".config").join("gcloud")));
    if let Some(file) = gcloud_dir.map(|d| d.join("application_default_credentials.json")) {
        if file.is_file() {
            return load_file(&file, "gcloud's application default credentials", client).map(Some);
        }
    }
    let host = set("GCE_METADATA_HOST");
    if probe_metadata || host.is_some() || set("K_SERVICE").is_some() {
        let host = host.unwrap_or_else(|| DEFAULT_METADATA_HOST.into());
        if let Some(project) = probe(&host, PROBE_TIMEOUT) {
            return Ok(Some(FoundCredentials {
                tokens: Arc::new(MetadataServerTokens::new(&host, client.clone())),
                project: Some(project),
                origin: format!("the metadata server at {host}"),
            }));
        }
    }
    Ok(None)
}

#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: Option<String>,
    quota_project_id: Option<String>,
}

/// A credentials file of a supported type.
fn load_file(
    path: &Path,
    named_by: &str,
    client: &reqwest::Client,
) -> Result<FoundCredentials, CredentialsError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CredentialsError(format!("{named_by}: cannot read {}: {e}", path.display()))
    })?;
    let kind: Kind = serde_json::from_str(&text).map_err(|e| {
        CredentialsError(format!(
            "{named_by}: {} is not a credentials file (line {} column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let within = |e: CredentialsError| CredentialsError(format!("{named_by}: {}", e.0));
    match kind.kind.as_deref() {
        Some("service_account") => {
            let tokens = ServiceAccountTokens::from_json(&text, client.clone()).map_err(within)?;
            Ok(FoundCredentials {
                project: tokens.project_id().map(str::to_string),
                origin: format!("{named_by} (service account {})", tokens.client_email()),
                tokens: Arc::new(tokens),
            })
        }
        Some("authorized_user") => {
            let tokens = AuthorizedUserTokens::from_json(&text, client.clone()).map_err(within)?;
            Ok(FoundCredentials {
                project: kind.quota_project_id,
                origin: format!("{named_by} (authorized_user)"),
                tokens: Arc::new(tokens),
            })
        }
        other => Err(CredentialsError(format!(
            "{named_by}: credentials of type {} are not supported; use a service-account key \
             or `gcloud auth application-default login`",
            other.map_or_else(|| "(none)".to_string(), |k| format!("\"{k}\""))
        ))),
    }
}
