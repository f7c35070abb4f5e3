//! `tallylab experiment run --server URL`: submit the run to a server, follow it with a
//! progress bar fed by its event stream, then check the gates against what it stored.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shared::{ExperimentRunResponse, ExperimentStatus, PairedComparison, RunStatus};

use super::experiment::{Format, RunArgs};
use super::gates::{GateArgs, GateReport, EXIT_COULD_NOT_RUN};
use super::remote::{Remote, RemoteError, RunEvent};
use super::summary::RunReport;

/// Runs `args` on the server at `server`.
pub fn run(args: &RunArgs, server: &str) -> anyhow::Result<ExitCode> {
    let remote = Remote::new(server, args.api_key.as_deref().unwrap_or(""))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let presets = match &args.preset {
            Some(_) => remote.presets().await?,
            None => Vec::new(),
        };
        let request = args.request(&presets)?;
        let problems = request.validate();
        if !problems.is_empty() {
            for p in &problems {
                eprintln!("invalid {}: {}", p.field, p.message);
            }
            return Ok(ExitCode::from(EXIT_COULD_NOT_RUN));
        }
        let accepted = remote.run_async(&request).await?;
        eprintln!(
            "run {} submitted: {} on {}",
            accepted.task_id,
            request
                .model_configs
                .iter()
                .map(|c| c.experiment_name())
                .collect::<Vec<_>>()
                .join(", "),
            request.dataset_name
        );
        let bar = progress_bar();
        let status = remote
            .follow(&accepted.task_id, |event| match event {
                RunEvent::Progress { done, total } => {
                    bar.set_length(*total);
                    bar.set_position(*done);
                }
                RunEvent::Done(status) => {
                    bar.set_position(status.done);
                }
            })
            .await?;
        bar.finish_and_clear();
        let Some(result) = status.result else {
            anyhow::bail!(
                "run {} ended {} without a result: {}",
                status.task_id,
                status.status,
                status.error.as_deref().unwrap_or("no reason given")
            );
        };
        if status.status == RunStatus::Failed {
            if let Some(e) = &status.error {
                eprintln!("run failed: {e}");
            }
        }
        let mut gates = GateReport::default();
        gates.check_summaries(&args.gates, &result.experiments);
        if let Some(baseline) = &args.gates.baseline {
            check_baseline(&remote, &args.gates, baseline, &result, &mut gates).await?;
        }
        let comparisons = comparisons(&remote, &result).await?;
        let report = RunReport::new(&result, &gates).with_comparisons(comparisons);
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            Format::Text => report.print_text(),
        }
        if let Some(path) = &args.out {
            report.write_json(path)?;
        }
        if let Some(path) = &args.markdown {
            report.append_markdown(path)?;
        }
        Ok(ExitCode::from(gates.exit_code()))
    })
}

/// A bar on a terminal; in a CI log (no terminal) nothing, the summary says it all.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials · {elapsed} · eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The first experiment's paired comparisons against each other one.
async fn comparisons(
    remote: &Remote,
    result: &ExperimentRunResponse,
) -> Result<Vec<PairedComparison>, RemoteError> {
    let Some((first, rest)) = result.experiments.split_first() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for other in rest {
        let c = remote
            .compare(&first.experiment_id, &other.experiment_id)
            .await?;
        out.extend(c.pairs.into_iter().flat_map(|p| p.comparisons));
    }
    Ok(out)
}

/// Finds the baseline (an id, else the newest successful experiment of that name outside
/// this run) and compares each successful experiment of the run with it.
async fn check_baseline(
    remote: &Remote,
    args: &GateArgs,
    baseline: &str,
    result: &ExperimentRunResponse,
    gates: &mut GateReport,
) -> anyhow::Result<()> {
    let ours: Vec<&str> = result
        .experiments
        .iter()
        .map(|e| e.experiment_id.as_str())
        .collect();
    let (id, name) = match remote.experiment(baseline).await? {
        Some(detail) => (detail.item.experiment_id, detail.item.experiment_name),
        None => {
            let page = remote.search_experiments(baseline).await?;
            let found = page.items.into_iter().find(|e| {
                e.experiment_name == baseline
                    && e.status == ExperimentStatus::Success
                    && !ours.contains(&e.experiment_id.as_str())
            });
            let Some(e) = found else {
                anyhow::bail!(
                    "the server has no experiment with the id {baseline:?}, nor a successful one of that name before this run"
                );
            };
            (e.experiment_id, e.experiment_name)
        }
    };
    gates.baseline = Some(format!("{name} ({id})"));
    for s in &result.experiments {
        if s.status != ExperimentStatus::Success {
            continue;
        }
        let comparison = remote.compare(&id, &s.experiment_id).await?;
        let pair = comparison.pairs.into_iter().next();
        match pair {
            Some(p) if !p.comparisons.is_empty() => {
                gates.check_against_baseline(args, &s.experiment_name, &p.comparisons);
            }
            other => anyhow::bail!(
                "{} cannot be compared with the baseline {name}: {}",
                s.experiment_name,
                other
                    .and_then(|p| p.reason)
                    .unwrap_or_else(|| "they share no record".into())
            ),
        }
    }
    Ok(())
}
