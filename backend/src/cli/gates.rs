//! Gates of `experiment run`: the checks that decide its exit code in CI. Each experiment
//! must succeed, reach the accuracy and success-rate floors given, and not be significantly
//! worse than a baseline on the paired comparison (a lower mean alone never fails).

use clap::Args;
use serde::Serialize;
use shared::{ExperimentStatus, ExperimentSummary, PairedComparison, Verdict};

/// Exit code: every gate passed.
pub const EXIT_PASSED: u8 = 0;
/// Exit code: a gate failed (an experiment failed, a floor was missed or a regression found).
pub const EXIT_GATE_FAILED: u8 = 1;
/// Exit code: the run could not be made (usage, network, authentication, server error).
pub const EXIT_COULD_NOT_RUN: u8 = 2;

/// The gate flags.
#[derive(Debug, Clone, Default, Args)]
pub struct GateArgs {
    /// Fail (exit 1) when an experiment's overall accuracy is below this (0–1).
    #[arg(long, value_name = "0..1", value_parser = unit_interval)]
    pub min_overall_accuracy: Option<f64>,
    /// Fail (exit 1) when an experiment's share of records that ran without error is below
    /// this (0–1).
    #[arg(long, value_name = "0..1", value_parser = unit_interval)]
    pub min_success_rate: Option<f64>,
    /// An experiment id, or an experiment name (its newest successful experiment): fail
    /// (exit 1) when the paired comparison on the same records finds an experiment of this
    /// run significantly worse than it.
    #[arg(long, value_name = "ID_OR_NAME")]
    pub baseline: Option<String>,
    /// The metric the baseline gate compares; repeat for several.
    #[arg(long = "baseline-metric", value_name = "METRIC", default_values_t = [String::from("overall_accuracy")])]
    pub baseline_metrics: Vec<String>,
}

impl GateArgs {
    /// Refuses a `--baseline-metric` no comparison has (a typo must not read as a failed
    /// gate).
    pub fn validate(&self) -> anyhow::Result<()> {
        let known: Vec<&str> = std::iter::once(crate::eval::OVERALL_METRIC)
            .chain(crate::eval::EVALUATORS.iter().map(|e| e.metric))
            .collect();
        for metric in &self.baseline_metrics {
            anyhow::ensure!(
                known.contains(&metric.as_str()),
                "--baseline-metric {metric:?} is not a metric; the metrics are {}",
                known.join(", ")
            );
        }
        Ok(())
    }
}

fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s} is not a number from 0 to 1")),
    }
}

/// One gate's outcome for one experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateCheck {
    /// "status", "min_overall_accuracy", "min_success_rate" or "baseline:<metric>".
    pub gate: String,
    pub experiment: String,
    pub passed: bool,
    /// What was measured against what, in words.
    pub detail: String,
}

/// Every gate's outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GateReport {
    pub checks: Vec<GateCheck>,
    /// The baseline experiment the comparisons were made against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

impl GateReport {
    /// True when every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The process exit code for this report.
    pub fn exit_code(&self) -> u8 {
        if self.passed() {
            EXIT_PASSED
        } else {
            EXIT_GATE_FAILED
        }
    }

    /// Checks each experiment's status and the floors.
    pub fn check_summaries(&mut self, args: &GateArgs, summaries: &[ExperimentSummary]) {
        for s in summaries {
            let name = s.experiment_name.clone();
            let succeeded = s.status == ExperimentStatus::Success;
            self.checks.push(GateCheck {
                gate: "status".into(),
                experiment: name.clone(),
                passed: succeeded,
                detail: match (&s.error, succeeded) {
                    (_, true) => "succeeded".into(),
                    (Some(e), false) => format!("{}: {e}", s.status),
                    (None, false) => s.status.to_string(),
                },
            });
            let floors = [
                (
                    "min_overall_accuracy",
                    "overall accuracy",
                    args.min_overall_accuracy,
                    s.overall_accuracy,
                ),
                (
                    "min_success_rate",
                    "success rate",
                    args.min_success_rate,
                    s.success_rate,
                ),
            ];
            for (gate, label, floor, value) in floors {
                let Some(floor) = floor else { continue };
                let passed = value >= floor;
                self.checks.push(GateCheck {
                    gate: gate.into(),
                    experiment: name.clone(),
                    passed,
                    detail: format!(
                        "{label} {value:.4} {} the floor {floor:.4}",
                        if passed { "reaches" } else { "is below" }
                    ),
                });
            }
        }
    }

    /// Checks one experiment's paired comparisons against the baseline (A = baseline,
    /// B = the experiment): fails only where the baseline is significantly better.
    pub fn check_against_baseline(
        &mut self,
        args: &GateArgs,
        experiment: &str,
        comparisons: &[PairedComparison],
    ) {
        for metric in &args.baseline_metrics {
            let gate = format!("baseline:{metric}");
            let Some(c) = comparisons.iter().find(|c| &c.metric == metric) else {
                self.checks.push(GateCheck {
                    gate,
                    experiment: experiment.into(),
                    passed: false,
                    detail: format!("the comparison has no metric {metric}"),
                });
                continue;
            };
            let passed = c.verdict != Verdict::ABetter;
            let outcome = match c.verdict {
                Verdict::ABetter => "significantly worse than the baseline",
                Verdict::BBetter => "significantly better than the baseline",
                Verdict::NotDistinguishable => "not distinguishable from the baseline",
            };
            self.checks.push(GateCheck {
                gate,
                experiment: experiment.into(),
                passed,
                detail: format!(
                    "{:.4} vs baseline {:.4} on {} paired trials ({}): {outcome}",
                    c.b, c.a, c.n, c.method
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(
        name: &str,
        status: ExperimentStatus,
        accuracy: f64,
        success: f64,
    ) -> ExperimentSummary {
        serde_json::from_value(serde_json::json!({
            "experiment_id": name, "experiment_name": name, "experiment_url": null,
            "model": "rules-v1", "temperature": 0.0, "status": status,
            "total_records": 10, "successful_records": 9, "failed_records": 1,
            "overall_accuracy": accuracy, "success_rate": success, "avg_ballot_accuracy": 0.5,
        }))
        .unwrap()
    }

    fn comparison(metric: &str, verdict: Verdict) -> PairedComparison {
        PairedComparison {
            metric: metric.into(),
            label: String::new(),
            n: 100,
            a: 0.9,
            b: 0.8,
            difference: 0.1,
            ci_low: None,
            ci_high: None,
            p_value: Some(0.01),
            method: "exact_mcnemar".into(),
            verdict,
            explanation: String::new(),
            discordance: None,
            sd_difference: None,
            follow_up: None,
        }
    }

    #[test]
    fn floors_are_inclusive_and_a_failed_experiment_fails() {
        let args = GateArgs {
            min_overall_accuracy: Some(0.8),
            min_success_rate: Some(0.95),
            ..GateArgs::default()
        };
        let mut report = GateReport::default();
        report.check_summaries(&args, &[summary("a", ExperimentStatus::Success, 0.8, 0.95)]);
        assert!(report.passed(), "{report:?}");
        assert_eq!(report.checks.len(), 3);
        report.check_summaries(&args, &[summary("b", ExperimentStatus::Success, 0.79, 1.0)]);
        assert_eq!(report.exit_code(), EXIT_GATE_FAILED);
        let failed: Vec<_> = report.checks.iter().filter(|c| !c.passed).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].gate, "min_overall_accuracy");
        assert!(failed[0]
            .detail
            .contains("0.7900 is below the floor 0.8000"));

        let mut report = GateReport::default();
        report.check_summaries(
            &GateArgs::default(),
            &[summary("c", ExperimentStatus::Failed, 1.0, 1.0)],
        );
        assert!(!report.passed());
        assert_eq!(
            report.checks.len(),
            1,
            "no floors given: only the status gate"
        );
    }

    #[test]
    fn only_a_significant_regression_fails_the_baseline_gate() {
        let args = GateArgs {
            baseline_metrics: vec!["overall_accuracy".into()],
            ..GateArgs::default()
        };
        for (verdict, passes) in [
            (Verdict::ABetter, false),
            (Verdict::NotDistinguishable, true),
            (Verdict::BBetter, true),
        ] {
            let mut report = GateReport::default();
            report.check_against_baseline(&args, "new", &[comparison("overall_accuracy", verdict)]);
            assert_eq!(report.passed(), passes, "{verdict:?}");
        }
        let mut report = GateReport::default();
        report.check_against_baseline(&args, "new", &[comparison("other", Verdict::BBetter)]);
        assert!(
            !report.passed(),
            "a metric the comparison lacks is not a pass"
        );
    }

    #[test]
    fn a_mistyped_baseline_metric_is_refused() {
        let mut args = GateArgs {
            baseline_metrics: vec!["overall_accuracy".into(), "avg_ballot_accuracy".into()],
            ..GateArgs::default()
        };
        assert!(args.validate().is_ok());
        args.baseline_metrics.push("overal_accuracy".into());
        let e = args.validate().unwrap_err().to_string();
        assert!(
            e.contains("overal_accuracy") && e.contains("success_rate"),
            "{e}"
        );
    }

    #[test]
    fn floors_outside_zero_to_one_are_refused() {
        assert!(unit_interval("1.5").is_err());
        assert!(unit_interval("-0.1").is_err());
        assert!(unit_interval("NaN").is_err());
        assert_eq!(unit_interval("0.75"), Ok(0.75));
    }
}
