//! `tallylab experiment run` without a server: the experiments run in this process over a
//! bundled, loaded or generated dataset; nothing is stored. A `--baseline` is read from the
//! local database (the experiments `tallylab serve` stored there).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use shared::{ExperimentRunResponse, ExperimentSummary};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::experiment::{Format, RunArgs};
use super::gates::{GateReport, EXIT_COULD_NOT_RUN};
use super::print::{self, Ran};
use super::source::AuditedSource;
use super::summary::RunReport;
use crate::config::Settings;
use crate::providers::images::ImagePolicy;
use crate::providers::setup::build_registry;
use crate::providers::{HttpContext, Registry};
use crate::runner::{self, ExperimentFacts, ExperimentPlan, RecordSource, SummaryBuilder};
use crate::service::{catalog, runs, Service, SUMMARY_SEED};

/// Runs the experiments of `args` offline, then checks the gates.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let request = args.request(&catalog::presets())?;
    if !args.checked(&request)? {
        return Ok(ExitCode::from(EXIT_COULD_NOT_RUN));
    }
    if request.stop_when_decided.is_some() {
        eprintln!(
            "error: stop_when_decided runs through a server (--server URL): it keeps the \
             configs in step and stores the verdict with the run"
        );
        return Ok(ExitCode::from(EXIT_COULD_NOT_RUN));
    }
    // The same registry as the server: real providers when their keys are set.
    let settings = Settings::from_env()?;
    let images = ImagePolicy::from_settings(&settings.providers);
    let ctx = HttpContext {
        images: Arc::new(images.clone()),
        ..HttpContext::offline()
    };
    let registry = Arc::new(build_registry(&settings, &ctx, &|k| std::env::var(k).ok())?);
    let providers = request
        .model_configs
        .iter()
        .map(|c| registry.get(&c.model))
        .collect::<Result<Vec<_>, _>>()?;
    let judge = runner::Judge::from_request(&registry, request.evaluators.as_ref())?;
    let mut source_args = args.source.clone();
    if source_args.dataset.is_none() {
        source_args.dataset = Some(request.dataset_name.clone());
    }
    let (name, records) = source_args.records()?;
    let sample = request.sample_size.map(|n| n as usize);
    let source = AuditedSource::new(records, sample);
    let repetitions = request.repetitions.unwrap_or(1);
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
                    jobs: request.jobs as usize,
                    raise_errors: request.raise_errors,
                    repetitions,
                    options: crate::providers::CallOptions::default(),
                    judge: judge.clone(),
                    pace: None,
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
                repetitions,
                label_issues: audit.0,
                seed: SUMMARY_SEED,
                judge_model: judge.as_ref().map(|j| j.model.as_str()),
            });
            (r, summary)
        })
        .unzip();
    let mut gates = GateReport::default();
    gates.check_summaries(&args.gates, &summaries);
    if let Some(baseline) = &args.gates.baseline {
        let checked = runtime.block_on(async {
            let service = local_service(&settings, registry, images).await?;
            check_baseline(&service, args, baseline, &ran, &summaries, &mut gates).await
        });
        if let Err(e) = checked {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(EXIT_COULD_NOT_RUN));
        }
    }
    let response = response(&request, &name, source.len(), summaries);
    let comparisons: Vec<_> = match ran.split_first() {
        Some((first, rest)) => rest
            .iter()
            .flat_map(|o| print::comparisons(first, o))
            .collect(),
        None => Vec::new(),
    };
    let report = RunReport::new(&response, &gates).with_comparisons(comparisons);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => {
            print::text(&name, source.len(), &audit, &response.experiments, &ran);
            println!();
            report.print_gates();
        }
    }
    if let Some(path) = &args.out {
        report.write_json(path)?;
    }
    if let Some(path) = &args.markdown {
        report.append_markdown(path)?;
    }
    Ok(ExitCode::from(gates.exit_code()))
}

/// The run's response body, as the server would answer it for these experiments.
fn response(
    request: &shared::ExperimentRunRequest,
    name: &str,
    size: usize,
    experiments: Vec<ExperimentSummary>,
) -> ExperimentRunResponse {
    let (status, message) = runs::run_outcome(&experiments);
    let failed = runs::unsuccessful(&experiments);
    let total = experiments.len() as u64;
    ExperimentRunResponse {
        status,
        message,
        total_experiments: total,
        successful_experiments: total - failed,
        failed_experiments: failed,
        experiments,
        dataset_name: name.to_string(),
        dataset_size: size as u64,
        project_name: request.project_name.clone(),
        comparison_url: None,
        dataset_id: None,
        dataset_version: None,
        records_run: size as u64,
        local_comparison_url: None,
        sequential: None,
    }
}

/// The service over the local database, to read stored experiments.
async fn local_service(
    settings: &Settings,
    registry: Arc<Registry>,
    images: ImagePolicy,
) -> anyhow::Result<Service> {
    let url = settings.database_url.expose();
    let store: Arc<dyn crate::store::Store> = if crate::store::is_postgres(url) {
        Arc::new(
            crate::store::PgStore::connect_read_only(url)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot open the PostgreSQL database for --baseline: {e}")
                })?,
        )
    } else {
        Arc::new(
            crate::store::SqliteStore::open_read_only(url)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot open the local database for --baseline: {e}")
                })?,
        )
    };
    Ok(Service::new(
        store,
        registry,
        images,
        settings.public_base_url.clone(),
        settings.limits,
    ))
}

/// Compares each successful experiment with the baseline stored in the local database.
async fn check_baseline(
    service: &Service,
    args: &RunArgs,
    baseline: &str,
    ran: &[Ran],
    summaries: &[ExperimentSummary],
    gates: &mut GateReport,
) -> anyhow::Result<()> {
    let row = service
        .find_baseline(baseline)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the baseline: {e}"))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the local database has no experiment with the id or name {baseline:?} (offline runs are not stored: give --server to compare with a server's)"
            )
        })?;
    gates.baseline = Some(format!("{} ({})", row.name, row.id));
    let table = service
        .stored_scores(&row.id)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the baseline's scores: {e}"))?;
    for (r, s) in ran.iter().zip(summaries) {
        if s.status != shared::ExperimentStatus::Success {
            continue;
        }
        let comparisons = crate::service::compare::paired(&table, &r.table);
        anyhow::ensure!(
            !comparisons.is_empty(),
            "{} shares no record with the baseline {}: compare runs of the same dataset",
            s.experiment_name,
            row.name
        );
        gates.check_against_baseline(&args.gates, &s.experiment_name, &comparisons);
    }
    Ok(())
}
