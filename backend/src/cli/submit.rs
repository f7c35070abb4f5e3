//! `tallylab experiment run --server URL`: submit the run to a server, follow it with a
//! progress bar fed by its event stream, then check the gates against what it stored.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shared::{ExperimentRunResponse, ExperimentStatus, PairedComparison, RunStatus};

use super::events::RunEvent;
use super::experiment::{Format, RunArgs};
use super::gates::{GateArgs, GateReport, EXIT_COULD_NOT_RUN};
use super::remote::{Remote, RemoteError};
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
        if !args.checked(&request)? {
            return Ok(ExitCode::from(EXIT_COULD_NOT_RUN));
        }
        // Everything that could stop the gates from being checked is checked before the
        // run is paid for: the baseline exists, the reports can be written.
        let baseline = match &args.gates.baseline {
            Some(b) => Some(find_baseline(&remote, b).await?),
            None => None,
        };
        check_writable(args)?;
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
        let deadline = tokio::time::Instant::now()
            + std::time::Duration::from_secs(args.timeout_minutes.saturating_mul(60));
        let followed = remote
            .follow(&accepted.task_id, deadline, |event| match event {
                RunEvent::Progress { done, total } => {
                    bar.set_length(*total);
                    bar.set_position(*done);
                }
                RunEvent::Done(status) => bar.set_position(status.done),
            })
            .await;
        bar.finish_and_clear();
        let status = match followed {
            Ok(status) => status,
            Err(e) => {
                // Nobody is watching any more: stop paying for it.
                if remote.cancel(&accepted.task_id).await.is_ok() {
                    eprintln!("cancelled the run {}", accepted.task_id);
                }
                return Err(e.into());
            }
        };
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
        if let Some((id, name)) = &baseline {
            check_baseline(&remote, &args.gates, id, name, &result, &mut gates).await?;
        }
        // The comparisons are for reading: failing to fetch them changes no verdict.
        let comparisons = comparisons(&remote, &result).await.unwrap_or_else(|e| {
            eprintln!("warning: cannot fetch the comparisons: {e}");
            Vec::new()
        });
        let report = RunReport::new(&result, &gates).with_comparisons(comparisons);
        if let Some(path) = &args.out {
            report.write_json(path)?;
        }
        if let Some(path) = &args.markdown {
            report.append_markdown(path)?;
        }
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            Format::Text => report.print_text(),
        }
        Ok(ExitCode::from(gates.exit_code()))
    })
}

/// Fails when `--out` or `--markdown` cannot be written (before the run, not after).
fn check_writable(args: &RunArgs) -> anyhow::Result<()> {
    for path in [&args.out, &args.markdown].into_iter().flatten() {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
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

/// The baseline's id and name: the experiment with that id, else the newest successful
/// experiment of that name.
async fn find_baseline(remote: &Remote, baseline: &str) -> anyhow::Result<(String, String)> {
    if let Some(detail) = remote.experiment(baseline).await? {
        return Ok((detail.item.experiment_id, detail.item.experiment_name));
    }
    let page = remote.search_experiments(baseline).await?;
    page.items
        .into_iter()
        .find(|e| e.experiment_name == baseline && e.status == ExperimentStatus::Success)
        .map(|e| (e.experiment_id, e.experiment_name))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the server has no experiment with the id {baseline:?}, nor a successful one of that name"
            )
        })
}

/// Compares each successful experiment of the run with the baseline.
async fn check_baseline(
    remote: &Remote,
    args: &GateArgs,
    id: &str,
    name: &str,
    result: &ExperimentRunResponse,
    gates: &mut GateReport,
) -> anyhow::Result<()> {
    gates.baseline = Some(format!("{name} ({id})"));
    for s in &result.experiments {
        if s.status != ExperimentStatus::Success {
            continue;
        }
        let comparison = remote.compare(id, &s.experiment_id).await?;
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
