//! The planner's inputs and the run form's "Stop when decided" option as typed (differences
//! in points, baselines and power in percent) and their conversion into the `shared`
//! requests (shares), with the API's field paths. Host-tested.

use shared::{ExperimentRunRequest, FieldError, PlanRequest, StopWhenDecided};

/// The metrics a plan or a stop-when-decided run can compare: (name, label).
pub const COMPARABLE_METRICS: &[(&str, &str)] = &[
    ("overall_accuracy", "Overall accuracy"),
    ("success_rate", "Success rate"),
    ("exact_form_match_rate", "Exact form match rate"),
    ("avg_ballot_accuracy", "Ballot accuracy"),
    ("avg_vote_results_quality", "Vote results quality"),
    ("avg_voter_statistics_accuracy", "Voter statistics accuracy"),
];

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A number typed in `lo..=hi` (above `lo` when `open_low`), divided by 100; None after
/// pushing the field's error (in the units typed).
fn hundredths(
    text: &str,
    (lo, hi, open_low): (f64, f64, bool),
    field: &str,
    message: &str,
    errors: &mut Vec<FieldError>,
) -> Option<f64> {
    let Ok(v) = text.trim().parse::<f64>() else {
        errors.push(err(field, "must be a number"));
        return None;
    };
    let above_low = if open_low { v > lo } else { v >= lo };
    if v.is_finite() && above_low && v <= hi {
        Some(v / 100.0)
    } else {
        errors.push(err(field, message));
        None
    }
}

/// A smallest difference typed in points ("3") as a share (0.03).
fn points(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    hundredths(
        text,
        (0.0, 100.0, true),
        field,
        "must be above 0 and at most 100 points (3 means 3 points)",
        errors,
    )
}

/// Adds `extra` errors for fields that have none yet (each field shows one message).
fn merge(errors: &mut Vec<FieldError>, extra: Vec<FieldError>) {
    for e in extra {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
}

/// The run form's "Stop when decided" option as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct StopDraft {
    pub enabled: bool,
    pub metric: String,
    /// Points: "3" is 0.03.
    pub min_difference: String,
    /// A share, e.g. "0.05".
    pub alpha: String,
}

impl Default for StopDraft {
    fn default() -> Self {
        StopDraft {
            enabled: false,
            metric: shared::DEFAULT_PLAN_METRIC.into(),
            min_difference: "3".into(),
            alpha: shared::DEFAULT_ALPHA.to_string(),
        }
    }
}

impl StopDraft {
    /// The option to send (None when off), pushing parse errors under
    /// `stop_when_decided.…`; the shared rules are checked with the whole request.
    pub fn parse(&self, errors: &mut Vec<FieldError>) -> Option<StopWhenDecided> {
        if !self.enabled {
            return None;
        }
        let min_difference = points(
            &self.min_difference,
            "stop_when_decided.min_difference",
            errors,
        )
        .unwrap_or(0.03);
        let alpha = match self.alpha.trim().parse::<f64>() {
            Ok(a) => a,
            Err(_) => {
                errors.push(err("stop_when_decided.alpha", "must be a number"));
                shared::DEFAULT_ALPHA
            }
        };
        Some(StopWhenDecided {
            metric: self.metric.trim().into(),
            min_difference,
            alpha,
            seed: None,
        })
    }
}

/// The planner's inputs as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    pub metric: String,
    /// Points: "3" is 0.03.
    pub min_difference: String,
    /// Percent: "90" is 0.9; empty = none (the server then asks for one).
    pub baseline: String,
    /// Percent: "80" is 0.8.
    pub power: String,
}

impl Default for PlanDraft {
    fn default() -> Self {
        PlanDraft {
            metric: shared::DEFAULT_PLAN_METRIC.into(),
            min_difference: "3".into(),
            baseline: String::new(),
            power: format!("{:.0}", shared::DEFAULT_POWER * 100.0),
        }
    }
}

impl PlanDraft {
    /// The plan request for `run`, or every error of the planner's own fields (parse
    /// errors first, then the shared rules). The run's own errors are the run form's.
    pub fn to_request(&self, run: ExperimentRunRequest) -> Result<PlanRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let min_difference = points(&self.min_difference, "min_difference", &mut errors);
        let baseline = if self.baseline.trim().is_empty() {
            None
        } else {
            hundredths(
                &self.baseline,
                (0.0, 100.0, false),
                "baseline",
                "must be a percentage from 0 to 100 (90 means 90%)",
                &mut errors,
            )
        };
        let power = hundredths(
            &self.power,
            (50.0, 99.0, false),
            "power",
            "must be a percentage from 50 to 99 (80 means 80%)",
            &mut errors,
        );
        let req = PlanRequest {
            run,
            metric: self.metric.trim().into(),
            min_difference: min_difference.unwrap_or(0.03),
            baseline,
            sd_difference: None,
            pilot: None,
            power: power.unwrap_or(shared::DEFAULT_POWER),
            alpha: shared::DEFAULT_ALPHA,
        };
        let own = req
            .validate()
            .into_iter()
            .filter(|e| !e.field.starts_with("run."))
            .collect();
        merge(&mut errors, own);
        if errors.is_empty() {
            Ok(req)
        } else {
            Err(errors)
        }
    }
}

/// Splits a server's field errors into the run form's (`run.x` becomes `x`) and the
/// planner's own.
pub fn split_run_errors(errors: Vec<FieldError>) -> (Vec<FieldError>, Vec<FieldError>) {
    let (run, own): (Vec<_>, Vec<_>) = errors
        .into_iter()
        .partition(|e| e.field.starts_with("run."));
    let run = run
        .into_iter()
        .map(|e| FieldError {
            field: e.field.trim_start_matches("run.").into(),
            message: e.message,
        })
        .collect();
    (run, own)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> ExperimentRunRequest {
        ExperimentRunRequest {
            dataset_name: "d".into(),
            ..Default::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn points_and_percentages_become_shares() {
        let d = PlanDraft {
            baseline: "90".into(),
            ..Default::default()
        };
        let req = d.to_request(run()).expect("valid");
        assert!((req.min_difference - 0.03).abs() < 1e-12);
        assert_eq!(req.baseline, Some(0.9));
        assert!((req.power - 0.8).abs() < 1e-12);
        assert_eq!(req.metric, "overall_accuracy");
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(json["run"]["dataset_name"], "d");
        assert!(json.get("pilot").is_none());
    }

    #[test]
    fn an_empty_baseline_is_reported_by_the_shared_rule() {
        let errors = PlanDraft::default().to_request(run()).unwrap_err();
        assert_eq!(fields(&errors), ["baseline"]);
        assert!(errors[0].message.contains("required"), "{errors:?}");
    }

    #[test]
    fn out_of_range_values_are_reported_in_the_units_typed() {
        let d = PlanDraft {
            min_difference: "0".into(),
            baseline: "120".into(),
            power: "x".into(),
            ..Default::default()
        };
        let errors = d.to_request(run()).unwrap_err();
        assert_eq!(fields(&errors), ["min_difference", "baseline", "power"]);
        assert!(errors[0].message.contains("points"));
        assert!(errors[1].message.contains("90 means 90%"));
        assert_eq!(errors[2].message, "must be a number");
    }

    #[test]
    fn the_stop_option_is_sent_only_when_ticked() {
        let mut errors = Vec::new();
        assert_eq!(StopDraft::default().parse(&mut errors), None);
        let d = StopDraft {
            enabled: true,
            min_difference: "50".into(),
            ..Default::default()
        };
        let option = d.parse(&mut errors).expect("on");
        assert!(errors.is_empty());
        assert!((option.min_difference - 0.5).abs() < 1e-12);
        assert!((option.alpha - 0.05).abs() < 1e-12);
        assert_eq!(option.seed, None);
        let bad = StopDraft {
            enabled: true,
            min_difference: "-1".into(),
            alpha: "".into(),
            ..Default::default()
        };
        bad.parse(&mut errors);
        assert_eq!(
            fields(&errors),
            [
                "stop_when_decided.min_difference",
                "stop_when_decided.alpha"
            ]
        );
    }

    #[test]
    fn run_errors_go_back_to_the_run_form() {
        let (run, own) = split_run_errors(vec![err("run.jobs", "bad"), err("baseline", "bad")]);
        assert_eq!(fields(&run), ["jobs"]);
        assert_eq!(fields(&own), ["baseline"]);
    }
}
