//! Server configuration: environment variables, an optional `.env` file in the working
//! directory, and an optional settings file named by `CONFIG_FILE` (same `KEY=value` format).
//! Real environment variables win over `.env`, which wins over the settings file.

mod datadog;

use std::fmt;
use std::path::{Path, PathBuf};

pub use datadog::DatadogSettings;

/// A secret value: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself; call only where it is sent or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Every setting of the server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `API_KEY`: the key clients send as `X-API-Key`. When unset, a key is generated on
    /// first start and kept in `DATA_DIR/api-key` (mode 0600).
    pub api_key: Option<Secret>,
    /// `PORT` (default 8000).
    pub port: u16,
    /// `BIND_ADDRESS` (default 127.0.0.1).
    pub bind_address: String,
    /// `DATA_DIR` (default ./data).
    pub data_dir: PathBuf,
    /// `DATABASE_URL` (default `sqlite://DATA_DIR/tallylab.db`; `postgres://…` for
    /// PostgreSQL). Secret: a PostgreSQL URL may carry a password.
    pub database_url: Secret,
    /// `PUBLIC_BASE_URL`: how users reach the server (default http://BIND_ADDRESS:PORT);
    /// links in responses are built from it.
    pub public_base_url: String,
    /// `LOG_FORMAT=json` for JSON logs.
    pub log_json: bool,
    /// `STATIC_DIR`: the built web app (default frontend/dist when it exists).
    pub static_dir: Option<PathBuf>,
    /// `MAX_BODY_BYTES` (default 32 MiB): larger request bodies get 413.
    pub max_body_bytes: usize,
    /// `MAX_UPLOAD_BYTES` (default 4 GiB): the limit for dataset uploads, which are parsed
    /// and stored as they arrive (it bounds disk use, not memory).
    pub max_upload_bytes: usize,
    /// How much work one key holder may ask for.
    pub limits: WorkLimits,
    /// `REPLICA_ID`: this replica's name in the runs' leases; default the host name and
    /// the data directory, so a restarted replica reclaims its own runs at once.
    pub replica_id: Option<String>,
    /// `RUN_LEASE_SECONDS` (default 30): how long a replica that stopped renewing keeps
    /// its async runs before another replica takes them over.
    pub run_lease_seconds: u64,
    /// Datadog: `DD_API_KEY`, `DD_APP_KEY`, `DD_SITE` (default datadoghq.com),
    /// `DD_LLMOBS_OVERRIDE_ORIGIN`, `DD_ENV`, `DD_SERVICE`.
    pub datadog: DatadogSettings,
    /// `GOOGLE_CLOUD_PROJECT`.
    pub google_cloud_project: Option<String>,
    /// `VERTEX_AI_LOCATION` (default us-central1).
    pub vertex_ai_location: String,
    /// Model providers and image sources.
    pub providers: ProviderSettings,
}

/// Bounds on the work requests may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkLimits {
    /// `MAX_TRIALS_PER_RUN` (default 5,000,000): records × repetitions × model configs of
    /// one request; a national election's two forms × 95,000 units × 20 configs fit.
    pub max_trials_per_run: u64,
    /// `MAX_ACTIVE_RUNS` (default 8): runs queued or running at once, sync and async.
    pub max_active_runs: usize,
}

impl Default for WorkLimits {
    fn default() -> Self {
        WorkLimits {
            max_trials_per_run: 5_000_000,
            max_active_runs: 8,
        }
    }
}

/// Keys, endpoints and image sources of the model providers.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// `GEMINI_API_KEY` (or `GOOGLE_API_KEY`): the Gemini Developer API.
    pub gemini_api_key: Option<Secret>,
    /// `GEMINI_BASE_URL`: Developer API endpoint override (proxies, tests).
    pub gemini_base_url: Option<String>,
    /// `VERTEX_AI_BASE_URL`: Vertex AI endpoint override.
    pub vertex_base_url: Option<String>,
    /// `GOOGLE_APPLICATION_CREDENTIALS`: the credentials file Vertex AI uses first
    /// (service account or authorized user; see `providers::gemini::find_credentials`).
    pub google_credentials_file: Option<PathBuf>,
    /// `OPENAI_API_KEY`.
    pub openai_api_key: Option<Secret>,
    /// `OPENAI_BASE_URL` (default https://api.openai.com/v1).
    pub openai_base_url: Option<String>,
    /// `MODELS_FILE`: JSON `{"models": [...]}` adding or overriding registry entries.
    pub models_file: Option<PathBuf>,
    /// `IMAGE_ROOT`: local image paths resolve under it.
    pub image_root: Option<PathBuf>,
    /// `IMAGE_URL_ALLOWLIST`: comma-separated hosts remote images may come from.
    pub image_url_allowlist: Vec<String>,
    /// `MAX_IMAGE_BYTES` (default 20 MiB).
    pub max_image_bytes: Option<usize>,
    /// `MAX_IMAGES_PER_RECORD` (default 16).
    pub max_images_per_record: Option<usize>,
    /// `MAX_IMAGE_BYTES_PER_RECORD` (default 64 MiB): all images of one call together.
    pub max_image_bytes_per_record: Option<usize>,
    /// `IMAGE_ALLOW_PRIVATE_NETWORKS=true`: allow-listed image hosts may be on loopback or
    /// private addresses (an internal image server). Link-local and cloud metadata
    /// addresses are refused regardless.
    pub image_allow_private_networks: bool,
    /// `GCS_BUCKET_ALLOWLIST`: comma-separated buckets whose `gs://` images Vertex AI may
    /// read; empty refuses `gs://` images.
    pub gcs_bucket_allowlist: Vec<String>,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Settings {
    /// Reads `.env`, then `CONFIG_FILE`, then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        if let Ok(path) = std::env::var("CONFIG_FILE") {
            dotenvy::from_path(Path::new(&path)).map_err(|e| ConfigError {
                name: "CONFIG_FILE",
                message: format!("cannot read {path}: {e}"),
            })?;
        }
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds settings from a lookup function (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let port = match get("PORT") {
            Some(p) => p.parse().map_err(|_| ConfigError {
                name: "PORT",
                message: format!("\"{p}\" is not a port number"),
            })?,
            None => 8000,
        };
        let bind_address = get("BIND_ADDRESS").unwrap_or_else(|| "127.0.0.1".into());
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tallylab.db").display()));
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| database_url.starts_with(scheme))
        {
            return Err(ConfigError {
                name: "DATABASE_URL",
                message: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }
        let database_url = Secret::new(database_url);
        let public_base_url = get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind_address}:{port}"))
            .trim_end_matches('/')
            .to_string();
        let max_body_bytes = match get("MAX_BODY_BYTES") {
            Some(v) => v.parse().map_err(|_| ConfigError {
                name: "MAX_BODY_BYTES",
                message: format!("\"{v}\" is not a byte count"),
            })?,
            None => 32 * 1024 * 1024,
        };
        let max_upload_bytes = match get("MAX_UPLOAD_BYTES") {
            Some(v) => v.parse().map_err(|_| ConfigError {
                name: "MAX_UPLOAD_BYTES",
                message: format!("\"{v}\" is not a byte count"),
            })?,
            None => 4 << 30,
        };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(ConfigError {
                        name,
                        message: format!("\"{v}\" is not a positive whole number"),
                    }),
                },
                None => Ok(default),
            }
        };
        let optional_number = |name: &'static str| -> Result<Option<usize>, ConfigError> {
            get(name)
                .map(|_| number(name, 0).map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
                .transpose()
        };
        let list = |name: &str| -> Vec<String> {
            get(name)
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().to_string())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let defaults = WorkLimits::default();
        let limits = WorkLimits {
            max_trials_per_run: number("MAX_TRIALS_PER_RUN", defaults.max_trials_per_run)?,
            max_active_runs: usize::try_from(number(
                "MAX_ACTIVE_RUNS",
                defaults.max_active_runs as u64,
            )?)
            .unwrap_or(usize::MAX),
        };
        let static_dir = get("STATIC_DIR").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from("frontend/dist");
            default.join("index.html").exists().then_some(default)
        });
        Ok(Settings {
            api_key: get("API_KEY").map(Secret::new),
            port,
            bind_address,
            data_dir,
            database_url,
            public_base_url,
            log_json: get("LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json")),
            static_dir,
            max_body_bytes,
            max_upload_bytes,
            limits,
            replica_id: get("REPLICA_ID"),
            run_lease_seconds: number("RUN_LEASE_SECONDS", 30)?,
            datadog: DatadogSettings::from_lookup(get)?,
            google_cloud_project: get("GOOGLE_CLOUD_PROJECT"),
            vertex_ai_location: get("VERTEX_AI_LOCATION").unwrap_or_else(|| "us-central1".into()),
            providers: ProviderSettings {
                gemini_api_key: get("GEMINI_API_KEY")
                    .or_else(|| get("GOOGLE_API_KEY"))
                    .map(Secret::new),
                gemini_base_url: get("GEMINI_BASE_URL"),
                vertex_base_url: get("VERTEX_AI_BASE_URL"),
                google_credentials_file: get("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from),
                openai_api_key: get("OPENAI_API_KEY").map(Secret::new),
                openai_base_url: get("OPENAI_BASE_URL"),
                models_file: get("MODELS_FILE").map(PathBuf::from),
                image_root: get("IMAGE_ROOT").map(PathBuf::from),
                image_url_allowlist: list("IMAGE_URL_ALLOWLIST"),
                max_image_bytes: optional_number("MAX_IMAGE_BYTES")?,
                max_images_per_record: optional_number("MAX_IMAGES_PER_RECORD")?,
                max_image_bytes_per_record: optional_number("MAX_IMAGE_BYTES_PER_RECORD")?,
                image_allow_private_networks: get("IMAGE_ALLOW_PRIVATE_NETWORKS").is_some_and(
                    |v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"),
                ),
                gcs_bucket_allowlist: list("GCS_BUCKET_ALLOWLIST"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_readme() {
        let s = settings(&[]).expect("defaults");
        assert_eq!((s.port, s.bind_address.as_str()), (8000, "127.0.0.1"));
        assert_eq!(s.database_url.expose(), "sqlite://./data/tallylab.db");
        assert_eq!(s.public_base_url, "http://127.0.0.1:8000");
        assert!(s.api_key.is_none() && !s.datadog.configured());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = settings(&[("API_KEY", "hunter2"), ("DD_API_KEY", "ddsecret")]).expect("ok");
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("ddsecret"),
            "{dbg}"
        );
        assert!(!s.datadog.configured(), "an API key alone is not enough");
    }

    #[test]
    fn bad_port_is_a_clear_error() {
        let e = settings(&[("PORT", "eighty")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting PORT: \"eighty\" is not a port number"
        );
        let s = settings(&[("PUBLIC_BASE_URL", "https://lab.example.org/")]).expect("ok");
        assert_eq!(s.public_base_url, "https://lab.example.org");
    }
}
