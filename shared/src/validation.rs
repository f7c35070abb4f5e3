//! Validation of requests, shared by the server (422 bodies) and the web app (field errors
//! shown before sending).

use crate::api::{ExperimentRunRequest, ModelConfig};
use crate::error::FieldError;

/// Most model configs in one run.
pub const MAX_MODEL_CONFIGS: usize = 20;
/// Highest temperature accepted.
pub const MAX_TEMPERATURE: f64 = 2.0;
/// Bounds of `jobs`.
pub const MAX_JOBS: u32 = 64;
/// Longest name (ml_app, project, dataset, model, suffix), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Largest metadata object, serialised as JSON.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
/// Most repetitions per record.
pub const MAX_REPETITIONS: u32 = 20;

fn check_name(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool) {
    if value.chars().any(char::is_control) {
        // Names end up in file names, headers and logs: no line breaks, tabs or escapes.
        errors.push(FieldError {
            field: field.into(),
            message: "must not contain control characters (line breaks, tabs, escapes)".into(),
        });
    } else if required && value.trim().is_empty() {
        errors.push(FieldError {
            field: field.into(),
            message: "must not be empty".into(),
        });
    } else if value.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError {
            field: field.into(),
            message: format!("must be at most {MAX_NAME_CHARS} characters"),
        });
    }
}

/// Checks one model config; `prefix` is its path, e.g. "model_configs[0]".
pub fn validate_model_config(config: &ModelConfig, prefix: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_name(&mut errors, &format!("{prefix}.model"), &config.model, true);
    if !config.temperature.is_finite() || !(0.0..=MAX_TEMPERATURE).contains(&config.temperature) {
        errors.push(FieldError {
            field: format!("{prefix}.temperature"),
            message: format!("must be between 0 and {MAX_TEMPERATURE}"),
        });
    }
    if let Some(suffix) = &config.name_suffix {
        check_name(&mut errors, &format!("{prefix}.name_suffix"), suffix, false);
    }
    if let Some(m) = config.max_output_tokens {
        if !(1..=1_000_000).contains(&m) {
            errors.push(FieldError {
                field: format!("{prefix}.max_output_tokens"),
                message: "must be between 1 and 1000000".into(),
            });
        }
    }
    if let Some(t) = config.thinking_budget {
        if t < -1 {
            errors.push(FieldError {
                field: format!("{prefix}.thinking_budget"),
                message: "must be -1 (dynamic), 0 (off) or a token count".into(),
            });
        }
    }
    let metadata_len = serde_json::to_string(&config.metadata)
        .map(|s| s.len())
        .unwrap_or(0);
    if metadata_len > MAX_METADATA_BYTES {
        errors.push(FieldError {
            field: format!("{prefix}.metadata"),
            message: format!(
                "must be at most {MAX_METADATA_BYTES} bytes as JSON (is {metadata_len})"
            ),
        });
    }
    errors
}

impl ExperimentRunRequest {
    /// Every field-level problem with this request; empty when it is valid.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        check_name(&mut errors, "dataset_name", &self.dataset_name, true);
        check_name(&mut errors, "ml_app", &self.ml_app, false);
        check_name(&mut errors, "project_name", &self.project_name, false);
        let before_site = errors.len();
        check_name(&mut errors, "site", &self.site, false);
        if errors.len() == before_site && crate::DatadogSite::parse(&self.site).is_none() {
            // The site picks the host the Datadog keys go to: only Datadog's own.
            errors.push(FieldError {
                field: "site".into(),
                message: format!(
                    "is not a Datadog site (expected one of {})",
                    crate::DatadogSite::listed()
                ),
            });
        }
        if let Some(key) = &self.api_key {
            let key = key.expose();
            if key.is_empty()
                || key.chars().count() > MAX_NAME_CHARS
                || !key.is_ascii()
                || key.chars().any(|c| c.is_ascii_control() || c == ' ')
            {
                // Not echoed: it is a secret.
                errors.push(FieldError {
                    field: "api_key".into(),
                    message: format!(
                        "must be 1 to {MAX_NAME_CHARS} printable ASCII characters without spaces"
                    ),
                });
            }
        }
        if self.model_configs.is_empty() || self.model_configs.len() > MAX_MODEL_CONFIGS {
            errors.push(FieldError {
                field: "model_configs".into(),
                message: format!(
                    "must hold 1 to {MAX_MODEL_CONFIGS} model configs (has {})",
                    self.model_configs.len()
                ),
            });
        }
        for (i, config) in self.model_configs.iter().enumerate() {
            errors.extend(validate_model_config(
                config,
                &format!("model_configs[{i}]"),
            ));
        }
        let mut names: Vec<String> = self
            .model_configs
            .iter()
            .map(ModelConfig::experiment_name)
            .collect();
        names.sort();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            errors.push(FieldError {
                field: "model_configs".into(),
                message: format!("two configs produce the same experiment name \"{}\"", w[0]),
            });
        }
        if self.sample_size == Some(0) {
            errors.push(FieldError {
                field: "sample_size".into(),
                message: "must be at least 1".into(),
            });
        }
        if !(1..=MAX_JOBS).contains(&self.jobs) {
            errors.push(FieldError {
                field: "jobs".into(),
                message: format!("must be between 1 and {MAX_JOBS}"),
            });
        }
        if let Some(r) = self.repetitions {
            if !(1..=MAX_REPETITIONS).contains(&r) {
                errors.push(FieldError {
                    field: "repetitions".into(),
                    message: format!("must be between 1 and {MAX_REPETITIONS}"),
                });
            }
        }
        if let Some(evaluators) = &self.evaluators {
            errors.extend(evaluators.validate());
        }
        if let Some(stop) = &self.stop_when_decided {
            errors.extend(stop.validate(self.model_configs.len(), self.repetitions));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ExperimentRunRequest {
        ExperimentRunRequest {
            dataset_name: "d".into(),
            model_configs: vec![ModelConfig::new("rules-v1", 0.0, None)],
            ..Default::default()
        }
    }

    fn fields(req: &ExperimentRunRequest) -> Vec<String> {
        req.validate().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_request_has_no_errors() {
        assert!(valid().validate().is_empty());
    }

    /// The site decides where the Datadog keys go: a host of the caller's is refused.
    #[test]
    fn the_site_must_be_one_of_datadogs() {
        let mut req = valid();
        req.site = "dd.example.internal".into();
        let errors = req.validate();
        assert_eq!(fields(&req), vec!["site"]);
        assert!(
            errors[0].message.contains("datadoghq.eu"),
            "{}",
            errors[0].message
        );
        req.site = "EU1".into();
        assert!(req.validate().is_empty());
        req.site = "datadoghq.com\n".into();
        assert_eq!(fields(&req), vec!["site"]);
    }

    #[test]
    fn every_bound_is_reported_with_its_field() {
        let mut req = valid();
        req.dataset_name = " ".into();
        req.jobs = 0;
        req.sample_size = Some(0);
        req.model_configs[0].temperature = 2.5;
        req.model_configs[0].name_suffix = Some("x".repeat(201));
        req.model_configs.push(ModelConfig::new("", f64::NAN, None));
        assert_eq!(
            fields(&req),
            vec![
                "dataset_name",
                "model_configs[0].temperature",
                "model_configs[0].name_suffix",
                "model_configs[1].model",
                "model_configs[1].temperature",
                "sample_size",
                "jobs"
            ]
        );
    }

    #[test]
    fn each_problem_is_reported_once() {
        let mut req = valid();
        req.repetitions = Some(0);
        req.evaluators = Some(crate::EvaluatorOptions {
            llm_judge: Some(crate::JudgeOptions {
                model: String::new(),
                temperature: None,
            }),
        });
        assert_eq!(
            fields(&req),
            vec!["repetitions", "evaluators.llm_judge.model"]
        );
    }

    #[test]
    fn bounds_are_inclusive() {
        let mut req = valid();
        req.jobs = 64;
        req.model_configs[0].temperature = 2.0;
        req.model_configs[0].name_suffix = Some("x".repeat(200));
        assert!(req.validate().is_empty());
        req.jobs = 65;
        assert_eq!(fields(&req), vec!["jobs"]);
    }

    #[test]
    fn config_count_and_metadata_size() {
        let mut req = valid();
        req.model_configs.clear();
        assert_eq!(fields(&req), vec!["model_configs"]);
        req.model_configs = (0..21)
            .map(|i| ModelConfig::new("rules-v1", 0.0, Some(&format!("s{i}"))))
            .collect();
        assert_eq!(fields(&req), vec!["model_configs"]);
        let mut req = valid();
        req.model_configs[0]
            .metadata
            .insert("big".into(), serde_json::Value::String("x".repeat(17_000)));
        assert_eq!(fields(&req), vec!["model_configs[0].metadata"]);
    }

    #[test]
    fn duplicate_experiment_names_are_rejected() {
        let mut req = valid();
        req.model_configs
            .push(ModelConfig::new("rules-v1", 0.0, None));
        assert_eq!(fields(&req), vec!["model_configs"]);
    }

    #[test]
    fn names_carry_no_control_characters() {
        let mut c = ModelConfig::new("rules-v1", 0.0, Some("a\r\nX-Injected: 1"));
        let errors = validate_model_config(&c, "model_configs[0]");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "model_configs[0].name_suffix");
        c.name_suffix = Some("ศรีสะเกษ \"quoted\"".into());
        assert!(
            validate_model_config(&c, "m").is_empty(),
            "printable text, any script, is fine"
        );
    }
}
