//! `tallylab experiment run`: an offline experiment with no server.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use shared::{ExperimentRunRequest, ModelConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::dataset::SourceArgs;
use super::print::{self, Ran};
use super::source::AuditedSource;
use crate::providers::images::ImagePolicy;
use crate::providers::setup::build_registry;
use crate::providers::HttpContext;
use crate::runner::{self, ExperimentFacts, ExperimentPlan, RecordSource, SummaryBuilder};
use crate::service::SUMMARY_SEED;

/// Experiment commands.
#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Run one experiment per model over a dataset and print metrics with 95% intervals.
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
    #[command(flatten)]
    pub source: SourceArgs,
    /// Model to run, optionally with its temperature as `NAME@TEMP`; repeat for several
    /// experiments (each compared pairwise against the first).
    #[arg(long = "model", default_value = "rules-v1")]
    pub models: Vec<String>,
    /// Sampling temperature for every model.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Run only the first N records.
    #[arg(long)]
    pub sample_size: Option<u32>,
    /// Concurrent trials per experiment.
    #[arg(long, default_value_t = 4)]
    pub jobs: u32,
    /// Runs per record.
    #[arg(long, default_value_t = 1)]
    pub repetitions: u32,
    /// Stop an experiment at its first error.
    #[arg(long)]
    pub raise_errors: bool,
    /// Also score every output with an LLM judge: a Gemini or OpenAI-compatible model of
    /// the registry (its tokens and cost are reported apart).
    #[arg(long, value_name = "MODEL")]
    pub judge: Option<String>,
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

/// Runs an experiment command.
pub fn run(cmd: ExperimentCommand) -> anyhow::Result<ExitCode> {
    let ExperimentCommand::Run(args) = cmd;
    let request = ExperimentRunRequest {
        dataset_name: "offline".into(),
        model_configs: args
            .models
            .iter()
            .map(|m| model_config(m, args.temperature))
            .collect::<anyhow::Result<_>>()?,
        sample_size: args.sample_size,
        jobs: args.jobs,
        raise_errors: args.raise_errors,
        repetitions: Some(args.repetitions),
        evaluators: args.judge.as_ref().map(|model| shared::EvaluatorOptions {
            llm_judge: Some(shared::JudgeOptions {
                model: model.clone(),
                temperature: None,
            }),
        }),
        ..Default::default()
    };
    let problems = request.validate();
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("invalid {}: {}", p.field, p.message);
        }
        return Ok(ExitCode::from(2));
    }
    // The same registry as the server: real providers when their keys are set.
    let settings = crate::config::Settings::from_env()?;
    let ctx = HttpContext {
        images: Arc::new(ImagePolicy::from_settings(&settings.providers)),
        ..HttpContext::offline()
    };
    let registry = build_registry(&settings, &ctx, &|k| std::env::var(k).ok())?;
    let providers = request
        .model_configs
        .iter()
        .map(|c| registry.get(&c.model))
        .collect::<Result<Vec<_>, _>>()?;
    let judge = runner::Judge::from_request(&registry, request.evaluators.as_ref())?;
    let (name, records) = args.source.records()?;
    let source = AuditedSource::new(records, args.sample_size.map(|n| n as usize));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Each experiment folds its trials into a summary as they finish: nothing holds them.
    let ran: Vec<(Ran, SummaryBuilder)> = runtime.block_on(async {
        let runs = request
            .model_configs
            .iter()
            .zip(providers)
            .map(|(config, provider)| {
                let plan = ExperimentPlan {
                    config: config.clone(),
                    jobs: args.jobs as usize,
                    raise_errors: args.raise_errors,
                    repetitions: args.repetitions,
                    options: crate::providers::CallOptions::default(),
                    judge: judge.clone(),
                };
                let records: Arc<dyn runner::RecordSource> = source.clone();
                async move {
                    let (tx, mut rx) = mpsc::channel(256);
                    let fold = async move {
                        let mut builder = SummaryBuilder::new(true, plan.repetitions);
                        while let Some(o) = rx.recv().await {
                            builder.add(&o);
                        }
                        builder
                    };
                    let started = Instant::now();
                    let done = HashSet::new();
                    let run = runner::run_experiment(
                        provider,
                        records,
                        &plan,
                        &done,
                        tx,
                        CancellationToken::new(),
                    );
                    let (end, builder) = tokio::join!(run, fold);
                    let ran = Ran {
                        config: plan.config,
                        end,
                        seconds: started.elapsed().as_secs_f64(),
                        table: builder.table().clone(),
                    };
                    (ran, builder)
                }
            });
        futures::future::join_all(runs).await
    });
    let audit = source
        .audit
        .lock()
        .map(|a| (a.flagged, a.shown.clone()))
        .unwrap_or_default();
    let (ran, summaries): (Vec<Ran>, Vec<_>) = ran
        .into_iter()
        .enumerate()
        .map(|(i, (r, builder))| {
            let summary = builder.finish(&ExperimentFacts {
                experiment_id: &format!("offline-{}", i + 1),
                experiment_url: None,
                config: &r.config,
                end: &r.end,
                repetitions: args.repetitions,
                label_issues: audit.0,
                seed: SUMMARY_SEED,
                judge_model: judge.as_ref().map(|j| j.model.as_str()),
            });
            (r, summary)
        })
        .unzip();
    match args.format {
        Format::Json => print::json(&name, source.len(), &summaries, &ran)?,
        Format::Text => print::text(&name, source.len(), &audit, &summaries, &ran),
    }
    let any_failed = summaries
        .iter()
        .any(|s| s.status != shared::ExperimentStatus::Success);
    Ok(if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
