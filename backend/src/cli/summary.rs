//! A finished run for people: a table on the terminal, Markdown for a CI job summary, and
//! the JSON document `--out` writes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use shared::{ExperimentRunResponse, ExperimentSummary, PairedComparison};

use super::gates::GateReport;

/// What `--out` writes and `--format json` prints: the run's response body with the gates.
#[derive(Serialize)]
pub struct RunReport<'a> {
    #[serde(flatten)]
    pub run: &'a ExperimentRunResponse,
    pub gates: &'a GateReport,
    /// "passed" or "failed".
    pub gate_status: &'static str,
    /// Paired comparisons of the first experiment (A) against each other one (B).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<PairedComparison>,
}

impl<'a> RunReport<'a> {
    /// The report of `run` with `gates`.
    pub fn new(run: &'a ExperimentRunResponse, gates: &'a GateReport) -> Self {
        RunReport {
            run,
            gates,
            gate_status: if gates.passed() { "passed" } else { "failed" },
            comparisons: Vec::new(),
        }
    }

    /// The same report with the run's paired comparisons.
    #[must_use]
    pub fn with_comparisons(mut self, comparisons: Vec<PairedComparison>) -> Self {
        self.comparisons = comparisons;
        self
    }

    /// Writes the report as pretty JSON to `path`.
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Appends the Markdown summary to `path` (a job summary file collects several steps).
    pub fn append_markdown(&self, path: &Path) -> anyhow::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.write_all(self.markdown().as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The run as Markdown: a table of the experiments, then every gate.
    pub fn markdown(&self) -> String {
        let r = self.run;
        let mut md = String::new();
        let mark = if self.gates.passed() { "✅" } else { "❌" };
        let _ = writeln!(
            md,
            "## {mark} tallylab: {} (version {}, {} records a run)\n",
            cell(&r.dataset_name),
            r.dataset_version.map_or("latest".into(), |v| v.to_string()),
            r.records_run
        );
        let _ = writeln!(md, "{}\n", cell(&r.message));
        md.push_str("| experiment | status | overall accuracy (95% CI) | success rate | ballot accuracy | cost |\n");
        md.push_str("|---|---|---|---|---|---|\n");
        for s in &r.experiments {
            let name = match s.local_url.as_ref().or(s.experiment_url.as_ref()) {
                Some(url) => format!("[{}]({url})", cell(&s.experiment_name)),
                None => cell(&s.experiment_name),
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {:.3} | {:.3} | {} |",
                s.status,
                accuracy_with_ci(s),
                s.success_rate,
                s.avg_ballot_accuracy,
                s.usage
                    .as_ref()
                    .map_or("—".into(), |u| format!("${:.4}", u.cost_usd))
            );
        }
        if let Some(url) = r
            .local_comparison_url
            .as_ref()
            .or(r.comparison_url.as_ref())
        {
            let _ = writeln!(md, "\n[Compare the experiments]({url})");
        }
        if let Some(s) = &r.sequential {
            let _ = writeln!(
                md,
                "\n**Stopped when decided** ({}): {}",
                s.method,
                cell(&s.summary)
            );
        }
        md.push_str("\n### Gates\n\n");
        if self.gates.checks.is_empty() {
            md.push_str("No gate was set.\n");
        }
        if let Some(b) = &self.gates.baseline {
            let _ = writeln!(md, "Baseline: `{}`\n", cell(b));
        }
        for c in &self.gates.checks {
            let _ = writeln!(
                md,
                "- {} `{}` {}: {}",
                if c.passed { "✅" } else { "❌" },
                c.gate,
                cell(&c.experiment),
                cell(&c.detail)
            );
        }
        md.push('\n');
        md
    }

    /// The run as a table for a terminal.
    pub fn print_text(&self) {
        let r = self.run;
        println!(
            "{} · dataset {} (version {}) · {} records a run",
            r.status,
            r.dataset_name,
            r.dataset_version.map_or("latest".into(), |v| v.to_string()),
            r.records_run
        );
        println!(
            "{:<44} {:<9} {:>26} {:>9} {:>9}",
            "experiment", "status", "overall accuracy (95% CI)", "success", "ballots"
        );
        for s in &r.experiments {
            println!(
                "{:<44} {:<9} {:>26} {:>9.3} {:>9.3}",
                s.experiment_name,
                s.status.to_string(),
                accuracy_with_ci(s),
                s.success_rate,
                s.avg_ballot_accuracy
            );
            if let Some(e) = &s.error {
                println!("  error: {e}");
            }
            if let Some(url) = s.local_url.as_ref().or(s.experiment_url.as_ref()) {
                println!("  {url}");
            }
        }
        for c in &self.comparisons {
            println!("  {:<32}{:?}: {}", c.metric, c.verdict, c.explanation);
        }
        if let Some(s) = &r.sequential {
            println!(
                "stopped when decided ({}, seed {}): {}",
                s.method, s.seed, s.summary
            );
        }
        self.print_gates();
    }

    /// The gates' outcomes, one line each, then the verdict.
    pub fn print_gates(&self) {
        if let Some(b) = &self.gates.baseline {
            println!("baseline: {b}");
        }
        for c in &self.gates.checks {
            println!(
                "gate {} {} {}: {}",
                if c.passed { "passed" } else { "FAILED" },
                c.gate,
                c.experiment,
                c.detail
            );
        }
        println!(
            "gates {}",
            if self.gates.passed() {
                "passed"
            } else {
                "failed"
            }
        );
    }
}

fn accuracy_with_ci(s: &ExperimentSummary) -> String {
    let ci = s
        .metrics
        .as_ref()
        .and_then(|m| {
            m.estimates
                .iter()
                .find(|(name, _)| name == "overall_accuracy")
        })
        .map(|(_, m)| m);
    match ci {
        Some(m) => format!(
            "{:.3} [{:.3}, {:.3}]",
            s.overall_accuracy, m.ci_low, m.ci_high
        ),
        None => format!("{:.3}", s.overall_accuracy),
    }
}

/// Text safe inside a Markdown table cell: no pipes or line breaks from names and errors.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
