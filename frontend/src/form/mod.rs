//! The run form as typed (numbers and JSON still text) and its conversion into a
//! `shared::ExperimentRunRequest`, with the same field paths the server uses in its 422s.

use shared::{ExperimentRunRequest, FieldError, ModelConfig, Preset};

/// One model config as typed in the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDraft {
    pub model: String,
    pub temperature: String,
    pub name_suffix: String,
    /// A JSON object, as text.
    pub metadata: String,
    /// The config this draft came from: fields the editor does not show are kept from it.
    pub base: ModelConfig,
}

impl ConfigDraft {
    /// The editor's text for a config.
    pub fn from_config(c: &ModelConfig) -> Self {
        ConfigDraft {
            model: c.model.clone(),
            temperature: c.temperature.to_string(),
            name_suffix: c.name_suffix.clone().unwrap_or_default(),
            metadata: if c.metadata.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&c.metadata).unwrap_or_default()
            },
            base: c.clone(),
        }
    }

    fn parse(&self, index: usize, errors: &mut Vec<FieldError>) -> ModelConfig {
        let prefix = format!("model_configs[{index}]");
        let temperature =
            parse_num::<f64>(&self.temperature, &format!("{prefix}.temperature"), errors)
                .unwrap_or(0.0);
        let metadata = match self.metadata.trim() {
            "" => Default::default(),
            text => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) => {
                    errors.push(err(
                        &format!("{prefix}.metadata"),
                        "must be a JSON object, e.g. {\"purpose\": \"baseline\"}",
                    ));
                    Default::default()
                }
                Err(e) => {
                    errors.push(err(
                        &format!("{prefix}.metadata"),
                        &format!("not valid JSON: {e}"),
                    ));
                    Default::default()
                }
            },
        };
        let suffix = self.name_suffix.trim();
        let mut config = self.base.clone();
        config.model = self.model.trim().to_string();
        config.temperature = temperature;
        config.name_suffix = (!suffix.is_empty()).then(|| suffix.to_string());
        config.metadata = metadata;
        config
    }
}

/// The whole run form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDraft {
    pub ml_app: String,
    pub site: String,
    pub agentless_enabled: bool,
    pub project_name: String,
    pub dataset_name: String,
    /// Empty = latest.
    pub dataset_version: String,
    /// Empty = every record.
    pub sample_size: String,
    pub jobs: String,
    pub raise_errors: bool,
    pub repetitions: String,
    pub configs: Vec<ConfigDraft>,
    /// The LLM judge's model; empty = no judge.
    pub judge_model: String,
    /// "Stop when decided" and its settings.
    pub stop: crate::plan_form::StopDraft,
}

impl Default for RunDraft {
    fn default() -> Self {
        let d = ExperimentRunRequest::default();
        RunDraft {
            ml_app: d.ml_app,
            site: d.site,
            agentless_enabled: d.agentless_enabled,
            project_name: d.project_name,
            dataset_name: String::new(),
            dataset_version: String::new(),
            // The original page's default.
            sample_size: "10".into(),
            jobs: d.jobs.to_string(),
            raise_errors: d.raise_errors,
            repetitions: "1".into(),
            configs: vec![default_config()],
            judge_model: String::new(),
            stop: Default::default(),
        }
    }
}

/// The config a new row starts with: the offline model, which always runs.
pub fn default_config() -> ConfigDraft {
    ConfigDraft::from_config(&ModelConfig::new("rules-v1", 0.0, Some("baseline")))
}

/// The config "Add" appends: the default model with a suffix no row has yet (`config-N`,
/// as the original page names them), so the run is never refused for a repeated name.
pub fn added_config(existing: &[ConfigDraft]) -> ConfigDraft {
    let taken = |s: &str| existing.iter().any(|c| c.name_suffix.trim() == s);
    let suffix = (existing.len() + 1..)
        .map(|n| format!("config-{n}"))
        .find(|s| !taken(s))
        .unwrap_or_default();
    ConfigDraft::from_config(&ModelConfig::new("rules-v1", 0.0, Some(&suffix)))
}

/// The request as pretty JSON, as the preview shows it and curl sends it.
pub fn request_json(req: &ExperimentRunRequest) -> String {
    serde_json::to_string_pretty(req).unwrap_or_default()
}

/// A curl command that sends `req` to `origin`'s run endpoint. The key is `$API_KEY`,
/// never the real one; the body is single-quoted for a POSIX shell.
pub fn curl_command(origin: &str, req: &ExperimentRunRequest) -> String {
    let body = request_json(req).replace('\'', "'\\''");
    format!(
        "curl -X POST {origin}/api/v1/experiments/run \\\n  -H \"Content-Type: application/json\" \\\n  -H \"X-API-Key: $API_KEY\" \\\n  -d '{body}'"
    )
}

/// "Will run 2 experiments on 10 records": the sample, or the version's count when the
/// sample is larger or absent (`records` unknown until the dataset is read).
pub fn will_run(experiments: usize, sample: Option<u32>, records: Option<u64>) -> String {
    let n = match (sample.map(u64::from), records) {
        (Some(s), Some(r)) => Some(s.min(r)),
        (Some(s), None) => Some(s),
        (None, r) => r,
    };
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match n {
        Some(n) => format!(
            "Will run {} on {}.",
            plural(experiments as u64, "experiment"),
            plural(n, "record")
        ),
        None => format!(
            "Will run {} on every record.",
            plural(experiments as u64, "experiment")
        ),
    }
}

/// What a preset sets: its configs, sample size and jobs.
pub fn preset_parts(p: &Preset) -> (Vec<ConfigDraft>, String, String) {
    (
        p.model_configs
            .iter()
            .map(ConfigDraft::from_config)
            .collect(),
        p.sample_size.map(|s| s.to_string()).unwrap_or_default(),
        p.jobs.to_string(),
    )
}

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn parse_num<T: std::str::FromStr>(
    text: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match text.trim().parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(err(field, "must be a number"));
            None
        }
    }
}

fn parse_opt(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    if text.trim().is_empty() {
        None
    } else {
        parse_num(text, field, errors)
    }
}

impl RunDraft {
    /// The request to send, or every field error (parse errors first, then the shared
    /// validation rules, so each field shows at most one message).
    pub fn to_request(&self) -> Result<ExperimentRunRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let model_configs = self
            .configs
            .iter()
            .enumerate()
            .map(|(i, c)| c.parse(i, &mut errors))
            .collect();
        let req = ExperimentRunRequest {
            ml_app: self.ml_app.trim().into(),
            site: self.site.trim().into(),
            agentless_enabled: self.agentless_enabled,
            api_key: None,
            project_name: self.project_name.trim().into(),
            dataset_name: self.dataset_name.trim().into(),
            dataset_source: None,
            dataset_version: parse_opt(&self.dataset_version, "dataset_version", &mut errors),
            model_configs,
            sample_size: parse_opt(&self.sample_size, "sample_size", &mut errors),
            jobs: parse_num(&self.jobs, "jobs", &mut errors).unwrap_or(1),
            raise_errors: self.raise_errors,
            repetitions: parse_opt(&self.repetitions, "repetitions", &mut errors),
            evaluators: (!self.judge_model.trim().is_empty()).then(|| shared::EvaluatorOptions {
                llm_judge: Some(shared::JudgeOptions {
                    model: self.judge_model.trim().into(),
                    temperature: None,
                }),
            }),
            stop_when_decided: self.stop.parse(&mut errors),
            ..ExperimentRunRequest::default()
        };
        for e in req.validate() {
            if !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(req)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests;
