//! `tallylab experiment run`: an experiment on a server (`--server`), followed to its end,
//! or in this process with no server; either way with the same request flags, gates and
//! reports, and exit codes a CI job can act on (see [`gates`](super::gates)).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use shared::{ExperimentRunRequest, ModelConfig, Preset};

use super::dataset::SourceArgs;
use super::gates::GateArgs;

/// Experiment commands.
#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Run one experiment per model over a dataset, print metrics with 95% intervals and
    /// check the gates. Exit code 0: every gate passed; 1: a gate failed (an experiment
    /// failed, a floor was missed, or a significant regression against --baseline);
    /// 2: the run could not be made (usage, network, authentication, server error).
    Run(RunArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Arguments of `experiment run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A tallylab server to run on (e.g. https://tallylab.example.org); without it the run
    /// is made in this process, offline.
    #[arg(long, env = "TALLYLAB_URL", value_name = "URL", conflicts_with_all = ["dataset_file", "generate"])]
    pub server: Option<String>,
    /// The server's API key.
    #[arg(
        long,
        env = "TALLYLAB_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// A JSON request file (the body of POST /api/v1/experiments/run); flags given as well
    /// override its fields.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// Run the models of a preset (by id or name; see GET /api/v1/presets).
    #[arg(long, conflicts_with = "models")]
    pub preset: Option<String>,
    /// Model to run, optionally with its temperature as `NAME@TEMP`; repeat for several
    /// experiments (each compared pairwise against the first). Default: rules-v1.
    #[arg(long = "model", value_name = "MODEL")]
    pub models: Vec<String>,
    /// Sampling temperature for every --model without its own.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Run only the first N records.
    #[arg(long)]
    pub sample_size: Option<u32>,
    /// Concurrent trials per experiment (default 4, or the request's or preset's).
    #[arg(long)]
    pub jobs: Option<u32>,
    /// Runs per record (default 1).
    #[arg(long)]
    pub repetitions: Option<u32>,
    /// Stop an experiment at its first error (the original's raise_errors).
    #[arg(long)]
    pub raise_errors: bool,
    /// Also score every output with an LLM judge: a Gemini or OpenAI-compatible model of
    /// the registry (its tokens and cost are reported apart).
    #[arg(long, value_name = "MODEL")]
    pub judge: Option<String>,
    /// Stop as soon as the verdict is decided (with --server, two or more models): the
    /// smallest difference of interest in points, e.g. 3 (configs within ±3 points of
    /// each other are declared equivalent).
    #[arg(long, value_name = "POINTS")]
    pub stop_when_decided: Option<f64>,
    /// The metric --stop-when-decided decides on.
    #[arg(long, value_name = "METRIC", default_value = shared::DEFAULT_PLAN_METRIC, requires = "stop_when_decided")]
    pub decide_on: String,
    /// The seed of the record order of --stop-when-decided (default: the server picks one
    /// and records it).
    #[arg(long, value_name = "SEED", requires = "stop_when_decided")]
    pub decide_seed: Option<u64>,
    /// The run's project name (with --server).
    #[arg(long)]
    pub project: Option<String>,
    /// A version of the dataset (with --server); default the latest.
    #[arg(long)]
    pub dataset_version: Option<u32>,
    #[command(flatten)]
    pub gates: GateArgs,
    /// With --server: give up (exit 2) and cancel the run when it has not ended after this
    /// many minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 360)]
    pub timeout_minutes: u64,
    /// Write the run's result with its gates as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Append a Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `NAME` or `NAME@TEMP` as a model config.
fn model_config(spec: &str, default_temperature: f64) -> anyhow::Result<ModelConfig> {
    match spec.rsplit_once('@') {
        Some((name, t)) => {
            let t: f64 = t
                .parse()
                .map_err(|_| anyhow::anyhow!("invalid temperature in --model {spec}"))?;
            Ok(ModelConfig::new(name, t, None))
        }
        None => Ok(ModelConfig::new(spec, default_temperature, None)),
    }
}

impl RunArgs {
    /// The request the flags describe: the request file's, else the defaults; then the
    /// preset's models (found by `presets`), then every flag given.
    pub fn request(&self, presets: &[Preset]) -> anyhow::Result<ExperimentRunRequest> {
        let mut request = match &self.request {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let de = &mut serde_json::Deserializer::from_str(&text);
                serde_path_to_error::deserialize(de)
                    .with_context(|| format!("{} is not a run request", path.display()))?
            }
            None => ExperimentRunRequest {
                dataset_name: self.source.dataset_name().to_string(),
                raise_errors: self.raise_errors,
                ..Default::default()
            },
        };
        if let Some(wanted) = &self.preset {
            let preset = presets
                .iter()
                .find(|p| &p.id == wanted || &p.name == wanted)
                .with_context(|| {
                    let known: Vec<_> = presets.iter().map(|p| p.id.as_str()).collect();
                    format!("no preset {wanted:?}; the presets are {}", known.join(", "))
                })?;
            request.model_configs.clone_from(&preset.model_configs);
            request.sample_size = preset.sample_size;
            request.jobs = preset.jobs;
        }
        if !self.models.is_empty() || (self.request.is_none() && self.preset.is_none()) {
            let models = if self.models.is_empty() {
                vec!["rules-v1".to_string()]
            } else {
                self.models.clone()
            };
            request.model_configs = models
                .iter()
                .map(|m| model_config(m, self.temperature))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(name) = &self.source.dataset {
            request.dataset_name.clone_from(name);
        }
        if self.request.is_none() && self.preset.is_none() {
            request.jobs = 4;
        }
        if let Some(n) = self.sample_size {
            request.sample_size = Some(n);
        }
        if let Some(jobs) = self.jobs {
            request.jobs = jobs;
        }
        if let Some(r) = self.repetitions {
            request.repetitions = Some(r);
        }
        if self.raise_errors {
            request.raise_errors = true;
        }
        if let Some(project) = &self.project {
            request.project_name.clone_from(project);
        }
        if let Some(v) = self.dataset_version {
            request.dataset_version = Some(v);
        }
        if let Some(points) = self.stop_when_decided {
            request.stop_when_decided = Some(shared::StopWhenDecided {
                metric: self.decide_on.clone(),
                min_difference: points / 100.0,
                alpha: shared::DEFAULT_ALPHA,
                seed: self.decide_seed,
            });
        }
        if let Some(model) = &self.judge {
            request.evaluators = Some(shared::EvaluatorOptions {
                llm_judge: Some(shared::JudgeOptions {
                    model: model.clone(),
                    temperature: None,
                }),
            });
        }
        Ok(request)
    }

    /// Prints what is wrong with `request` and answers false, or checks the gate flags and
    /// answers true.
    pub fn checked(&self, request: &ExperimentRunRequest) -> anyhow::Result<bool> {
        let problems = request.validate();
        for p in &problems {
            eprintln!("invalid {}: {}", p.field, p.message);
        }
        self.gates.validate()?;
        Ok(problems.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn args(flags: &[&str]) -> RunArgs {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            run: RunArgs,
        }
        let mut argv = vec!["run"];
        argv.extend_from_slice(flags);
        Cli::try_parse_from(argv).expect("flags parse").run
    }

    #[test]
    fn flags_override_a_request_file_and_presets_give_models() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.json");
        std::fs::write(
            &file,
            r#"{"dataset_name":"ds","model_configs":[{"model":"gemini-2.5-flash","temperature":0.0}],"jobs":8,"sample_size":50,"raise_errors":false}"#,
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let r = args(&["--request", path, "--sample-size", "4"])
            .request(&[])
            .unwrap();
        assert_eq!(
            (r.dataset_name.as_str(), r.jobs, r.sample_size),
            ("ds", 8, Some(4))
        );
        assert_eq!(r.model_configs[0].model, "gemini-2.5-flash");
        assert!(!r.raise_errors);

        let presets = crate::service::catalog::presets();
        let first = &presets[0];
        let r = args(&["--preset", &first.id]).request(&presets).unwrap();
        assert_eq!(r.model_configs, first.model_configs);
        assert!(args(&["--preset", "nope"]).request(&presets).is_err());

        let r = args(&["--model", "rules-v1@0.5", "--project", "p"])
            .request(&[])
            .unwrap();
        assert_eq!((r.model_configs[0].temperature, r.jobs), (0.5, 4));
        assert_eq!(r.project_name, "p");
        assert_eq!(
            r.dataset_name,
            crate::dataset::builtin::BUILTIN_DATASET_NAME
        );
    }
}
