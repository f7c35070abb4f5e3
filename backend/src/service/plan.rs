//! The sample-size planner (`POST /api/v1/experiments/plan`): how many records a paired
//! comparison of a run's first two configurations needs, from a baseline and a spread
//! (a pilot's or a stated assumption), and what that costs at the estimate's prices.

use shared::{MetricKind, PlanRequest, SamplePlan};

use super::compare::paired;
use super::{Service, ServiceError, ServiceResult};
use crate::eval::ComparedMetric;
use crate::stats::planning::{records_for_discordance, records_for_scores};

/// How the numbers are obtained, for the response.
pub const METHOD: &str = "Fixed-size paired comparison at the given power and two-sided \
alpha. Pass/fail metrics: McNemar's test, n = (z(1−α/2)·√ψ + z(power)·√(ψ − δ²))² ÷ δ² \
(Connor 1987), with ψ the share of records on which A and B disagree (from a pilot, else from \
the two rates assuming independent errors: ψ = pA(1 − pB) + pB(1 − pA)). Scores: \
n = ((z(1−α/2) + z(power))·σ ÷ δ)², with σ the standard deviation of per-record differences \
(from a pilot, else the largest independent scores with these means can have: \
σ² = pA(1 − pA) + pB(1 − pB)). Checked against simulation of the verdict's exact test: \
the planned size reaches the stated power within about 4 points. Cost: the estimate endpoint's \
tokens × list prices, per record over every config of the run.";

/// The baseline and spread a pilot measured.
struct Pilot {
    baseline: f64,
    discordance: Option<f64>,
    sd_difference: Option<f64>,
    n: usize,
}

impl Service {
    /// Plans the comparison `request` describes.
    pub async fn plan(&self, request: &PlanRequest) -> ServiceResult<SamplePlan> {
        let problems = request.validate();
        if !problems.is_empty() {
            return Err(ServiceError::Validation(problems));
        }
        let metric = ComparedMetric::find(&request.metric, "metric")
            .map_err(|e| ServiceError::Validation(vec![e]))?;
        let pilot = match &request.pilot {
            Some(p) => Some(
                self.pilot(&metric, &p.experiment_a, &p.experiment_b)
                    .await?,
            ),
            None => None,
        };
        let estimate = self.estimate(&request.run).await?;
        let baseline = request
            .baseline
            .or(pilot.as_ref().map(|p| p.baseline))
            .unwrap_or_default();
        let delta = request.min_difference;
        // The challenger is better by delta, or worse when better cannot fit under 1.
        let challenger = if baseline + delta <= 1.0 {
            baseline + delta
        } else {
            baseline - delta
        };
        let (alpha, power) = (request.alpha, request.power);
        let mut plan = SamplePlan {
            metric: metric.name.to_string(),
            kind: metric.kind,
            min_difference: delta,
            power,
            alpha,
            baseline,
            discordance: None,
            sd_difference: None,
            assumptions: String::new(),
            records_needed: None,
            records_available: estimate.records,
            cost_per_record_usd: 0.0,
            estimated_cost_usd: 0.0,
            summary: String::new(),
            method: METHOD.to_string(),
        };
        let source = match (&pilot, request.baseline) {
            (Some(p), None) => format!("baseline from the pilot's A over {} paired records", p.n),
            (Some(p), Some(_)) => {
                format!(
                    "baseline as given; spread from the pilot's {} paired records",
                    p.n
                )
            }
            (None, _) => "baseline as given".to_string(),
        };
        if challenger < 0.0 {
            plan.assumptions =
                format!("{source}; a difference of {delta} fits neither above nor below it");
        } else if metric.kind == MetricKind::Binary {
            let independent = baseline * (1.0 - challenger) + challenger * (1.0 - baseline);
            let (psi, why) = match pilot.as_ref().and_then(|p| p.discordance) {
                Some(psi) => (psi.max(delta), "discordance measured by the pilot"),
                None => (
                    independent,
                    "discordance from independent errors (no pilot)",
                ),
            };
            plan.discordance = Some(psi);
            plan.assumptions = format!("{source}; {why}");
            plan.records_needed = records_for_discordance(delta, psi, alpha, power);
        } else {
            let bound = (baseline * (1.0 - baseline) + challenger * (1.0 - challenger)).sqrt();
            let (sd, why) = match (
                request.sd_difference,
                pilot.as_ref().and_then(|p| p.sd_difference),
            ) {
                (Some(sd), _) => (sd, "spread of differences as given"),
                (None, Some(sd)) if sd > 0.0 => (sd, "spread of differences measured by the pilot"),
                _ => (
                    bound,
                    "spread of differences assumed at its largest for independent scores with \
                     these means (no pilot): a pilot usually measures far less",
                ),
            };
            plan.sd_difference = Some(sd);
            plan.assumptions = format!("{source}; {why}");
            plan.records_needed = records_for_scores(delta, sd, alpha, power);
        }
        if estimate.records > 0 {
            plan.cost_per_record_usd = estimate.total_cost_usd / estimate.records as f64;
        }
        let billed = plan.records_needed.unwrap_or(estimate.records);
        plan.estimated_cost_usd = plan.cost_per_record_usd * billed as f64;
        plan.summary = summary(&plan);
        Ok(plan)
    }

    /// What the pilot pair measured on `metric`.
    async fn pilot(&self, metric: &ComparedMetric, a: &str, b: &str) -> ServiceResult<Pilot> {
        let table = |id: &str, field: &'static str| {
            let id = id.trim().to_string();
            async move {
                self.stored_scores(&id).await.map_err(|e| match e {
                    ServiceError::NotFound(m) => ServiceError::NotFound(format!("{field}: {m}")),
                    other => other,
                })
            }
        };
        let (ta, tb) = (
            table(a, "pilot.experiment_a").await?,
            table(b, "pilot.experiment_b").await?,
        );
        let comparisons = paired(&ta, &tb);
        let found = comparisons
            .into_iter()
            .find(|c| c.metric == metric.name)
            .filter(|c| c.n > 0)
            .ok_or_else(|| {
                ServiceError::field(
                    "pilot",
                    format!(
                        "the two experiments share no record scored on {}",
                        metric.name
                    ),
                )
            })?;
        Ok(Pilot {
            baseline: found.a,
            discordance: found.discordance,
            sd_difference: found.sd_difference,
            n: found.n,
        })
    }
}

/// The plan in one sentence.
fn summary(p: &SamplePlan) -> String {
    let points = p.min_difference * 100.0;
    let power = p.power * 100.0;
    match p.records_needed {
        None => format!(
            "A difference of {points:.1} points on {} cannot be planned from a baseline of \
             {:.3}.",
            p.metric, p.baseline
        ),
        Some(n) => {
            let enough = if n <= p.records_available {
                "enough"
            } else {
                "not enough"
            };
            format!(
                "To tell a {points:.1}-point difference in {} with {power:.0}% power you need \
                 about {n} records; this sample has {} ({enough}); estimated cost ${:.2}.",
                p.metric, p.records_available, p.estimated_cost_usd
            )
        }
    }
}
