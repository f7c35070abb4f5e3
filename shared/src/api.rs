//! Request bodies of the experiments API (the responses are in `response`).
//!
//! The original contract (`POST /api/v1/experiments/run`, `run-async`, `health`) is kept field
//! for field; fields we add are additive and documented as such.

use serde::{Deserialize, Deserializer, Serialize};

/// Default `ml_app` when omitted.
pub const DEFAULT_ML_APP: &str = "vote-extractor";
/// Default Datadog site when omitted.
pub const DEFAULT_SITE: &str = "datadoghq.com";
/// Default project when omitted.
pub const DEFAULT_PROJECT: &str = "vote-extraction-project";
/// Default number of concurrent trials per experiment.
pub const DEFAULT_JOBS: u32 = 2;
/// Experiment names are `{EXPERIMENT_PREFIX}-{name_suffix}`, as in the original.
pub const EXPERIMENT_PREFIX: &str = "vote-extraction";

fn default_ml_app() -> String {
    DEFAULT_ML_APP.to_string()
}
/// The `site` field's schema: the sites' domains and region names (any case is accepted
/// too, as are `app.`/`api.` prefixes; the schema lists the canonical spellings).
#[cfg(feature = "openapi")]
pub(crate) fn site_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let values: Vec<&str> = crate::DatadogSite::ALL
        .iter()
        .flat_map(|s| [s.domain(), s.region()])
        .collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values))
        .default(Some(serde_json::json!(DEFAULT_SITE)))
        .build()
}

fn default_site() -> String {
    DEFAULT_SITE.to_string()
}
fn default_project() -> String {
    DEFAULT_PROJECT.to_string()
}
fn default_jobs() -> u32 {
    DEFAULT_JOBS
}
fn default_true() -> bool {
    true
}

/// One model configuration to run as its own experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelConfig {
    /// Model name from the registry, e.g. "gemini-2.5-flash" or "rules-v1".
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 200)
    )]
    pub model: String,
    /// Sampling temperature, 0–2. Default 0.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 2.0))]
    pub temperature: f64,
    /// Experiment name suffix: the experiment is named `vote-extraction-{name_suffix}`.
    /// When absent the name is built from model and temperature.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")
    )]
    pub name_suffix: Option<String>,
    /// Free-form tags, at most 16 KiB as JSON; `null` is the same as `{}`.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Addition: cap on output tokens (thinking included); default from the model registry.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000))]
    pub max_output_tokens: Option<u32>,
    /// Addition: Gemini 2.5 thinking budget in tokens (0 off, -1 dynamic).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = -1))]
    pub thinking_budget: Option<i32>,
}

impl ModelConfig {
    /// A config with default temperature, no suffix and no metadata.
    pub fn new(model: &str, temperature: f64, name_suffix: Option<&str>) -> Self {
        ModelConfig {
            model: model.to_string(),
            temperature,
            name_suffix: name_suffix.map(str::to_string),
            metadata: Default::default(),
            max_output_tokens: None,
            thinking_budget: None,
        }
    }

    /// The experiment name this config produces.
    pub fn experiment_name(&self) -> String {
        match self.name_suffix.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => format!("{EXPERIMENT_PREFIX}-{s}"),
            _ => format!(
                "{EXPERIMENT_PREFIX}-{}-t{}",
                self.model,
                python_float(self.temperature)
            ),
        }
    }
}

/// A float as Python's `str` writes it (`0.0`, `0.7`, `1.0`): the original named
/// experiments with it, and names must line up with their Datadog history.
fn python_float(v: f64) -> String {
    let s = v.to_string();
    if s.contains(['.', 'e', 'E', 'N', 'n']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// `null` as an empty map (Python clients send `metadata=None`).
fn null_as_empty<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

crate::status::wire_enum! {
    /// Where a run's dataset is read from.
    DatasetSource {
        /// A local dataset by that name; else Datadog's, when Datadog is configured.
        Auto => "auto",
        /// Only a local dataset.
        Local => "local",
        /// Datadog's dataset of that name in `project_name` (pulled, then reused).
        Datadog => "datadog",
    }
}

/// Body of `POST /api/v1/experiments/run` and `run-async`.
///
/// Every field but `dataset_name` and `model_configs` may be omitted; defaults are the
/// original's: ml_app "vote-extractor", site "datadoghq.com", agentless_enabled true,
/// project_name "vote-extraction-project", dataset_version latest, sample_size all records,
/// jobs 2, raise_errors true (the seed's example, the original's model and page),
/// repetitions 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentRunRequest {
    #[serde(default = "default_ml_app")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")
    )]
    pub ml_app: String,
    /// The Datadog site: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu,
    /// ap1.datadoghq.com or ap2.datadoghq.com (or its region name, US1…AP2). Any other value
    /// is refused: the site decides where the Datadog keys are sent.
    #[serde(default = "default_site")]
    #[cfg_attr(feature = "openapi", schema(schema_with = site_schema))]
    pub site: String,
    #[serde(default = "default_true")]
    pub agentless_enabled: bool,
    /// A Datadog API key for this run only (the app key stays `DD_APP_KEY`'s): used for
    /// its pull and its export while the server runs, never stored, logged or answered.
    /// An export still unfinished at a restart then waits, failed, for the server's key.
    #[serde(default, skip_serializing)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, write_only, min_length = 1, max_length = 200, pattern = r"^[!-~]+$")
    )]
    pub api_key: Option<crate::RequestKey>,
    #[serde(default = "default_project")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")
    )]
    pub project_name: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub dataset_name: String,
    /// Addition: where the dataset comes from. `auto` (the default): a local dataset by
    /// that name, else Datadog's when Datadog is configured (pulled into a local version
    /// and reused while Datadog's version is unchanged); `local` or `datadog` forces one
    /// side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_source: Option<DatasetSource>,
    /// A version number; null or absent means the latest. Numeric strings are accepted.
    #[serde(default, deserialize_with = "lenient_version")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub dataset_version: Option<u32>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 1, max_items = 20)
    )]
    pub model_configs: Vec<ModelConfig>,
    /// Take the first N records of the dataset version; absent means all.
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub sample_size: Option<u32>,
    /// Concurrent trials per experiment, 1–64.
    #[serde(default = "default_jobs", deserialize_with = "crate::whole::number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 64))]
    pub jobs: u32,
    /// As the original's runner: every record still runs, and an experiment in which any
    /// record failed ends `failed` with the first error; an error that dooms every later
    /// call (credentials refused, daily quota exhausted) stops it at once. Other configs
    /// go on either way. Default true.
    #[serde(default = "default_true")]
    pub raise_errors: bool,
    /// Addition: run each record this many times per config (1–20, default 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20))]
    pub repetitions: Option<u32>,
    /// Addition: false bypasses the response cache (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_cache: Option<bool>,
    /// Addition: optional evaluators, e.g. `{"llm_judge": {"model": "gemini-2.5-pro"}}`
    /// (off by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluators: Option<crate::evaluators::EvaluatorOptions>,
    /// Addition: stop as soon as the verdict is decided (two or more configs, repetitions
    /// 1): records in a seeded random order, every config in step, an always-valid
    /// confidence sequence after each record. Absent: every record runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_when_decided: Option<crate::sequential::StopWhenDecided>,
}

impl Default for ExperimentRunRequest {
    fn default() -> Self {
        ExperimentRunRequest {
            ml_app: default_ml_app(),
            site: default_site(),
            agentless_enabled: true,
            api_key: None,
            project_name: default_project(),
            dataset_name: String::new(),
            dataset_source: None,
            dataset_version: None,
            model_configs: Vec::new(),
            sample_size: None,
            jobs: DEFAULT_JOBS,
            raise_errors: true,
            repetitions: None,
            use_cache: None,
            evaluators: None,
            stop_when_decided: None,
        }
    }
}

fn lenient_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom("dataset_version must be a positive integer")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .trim_start_matches(['v', 'V'])
            .parse::<u32>()
            .map(Some)
            .map_err(|_| D::Error::custom("dataset_version must be a positive integer")),
        Some(_) => Err(D::Error::custom(
            "dataset_version must be a positive integer",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_body_gets_the_original_defaults() {
        let body = r#"{"dataset_name":"vote-extraction-bangbamru-1-10",
            "model_configs":[{"model":"gemini-2.5-flash","temperature":0.0}],
            "sample_size":2,"jobs":1}"#;
        let req: ExperimentRunRequest = serde_json::from_str(body).expect("parse");
        assert_eq!(req.ml_app, "vote-extractor");
        assert_eq!(req.site, "datadoghq.com");
        assert!(req.agentless_enabled);
        assert_eq!(req.project_name, "vote-extraction-project");
        assert_eq!(req.dataset_version, None);
        assert!(
            req.raise_errors,
            "the seed's example and the original's model say true"
        );
        assert_eq!(req.model_configs[0].name_suffix, None);
    }

    #[test]
    fn version_accepts_number_string_and_null() {
        for (body, want) in [
            (r#"{"dataset_version":3}"#, Some(3)),
            (r#"{"dataset_version":"2"}"#, Some(2)),
            (r#"{"dataset_version":"v4"}"#, Some(4)),
            (r#"{"dataset_version":null}"#, None),
        ] {
            let req: ExperimentRunRequest = serde_json::from_str(body).expect(body);
            assert_eq!(req.dataset_version, want, "{body}");
        }
        assert!(serde_json::from_str::<ExperimentRunRequest>(r#"{"dataset_version":-1}"#).is_err());
    }

    #[test]
    fn experiment_name_follows_the_original() {
        assert_eq!(
            ModelConfig::new("gemini-2.5-flash", 0.0, Some("baseline")).experiment_name(),
            "vote-extraction-baseline"
        );
        assert_eq!(
            ModelConfig::new("rules-v1", 0.2, None).experiment_name(),
            "vote-extraction-rules-v1-t0.2"
        );
        // Python's str(0.0) is "0.0": names line up with the original's Datadog history.
        for (t, name) in [
            (0.0, "vote-extraction-gemini-2.5-flash-t0.0"),
            (1.0, "vote-extraction-gemini-2.5-flash-t1.0"),
            (0.25, "vote-extraction-gemini-2.5-flash-t0.25"),
        ] {
            assert_eq!(
                ModelConfig::new("gemini-2.5-flash", t, None).experiment_name(),
                name
            );
        }
    }

    #[test]
    fn null_metadata_is_empty_metadata() {
        let c: ModelConfig =
            serde_json::from_str(r#"{"model": "m", "metadata": null}"#).expect("null");
        assert!(c.metadata.is_empty());
        let c: ModelConfig =
            serde_json::from_str(r#"{"model": "m", "metadata": {"purpose": "ci-test"}}"#)
                .expect("object");
        assert_eq!(c.metadata["purpose"], "ci-test");
        assert!(serde_json::from_str::<ModelConfig>(r#"{"model": "m", "metadata": []}"#).is_err());
    }
}
