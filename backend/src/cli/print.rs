//! Printing offline experiment results for people (text) and scripts (JSON).

use shared::{ArithmeticFlag, ExperimentSummary, MetricEstimate, ModelConfig};

use crate::eval::table::ScoreTable;
use crate::runner::ExperimentEnd;
use crate::service::compare::paired;

/// One offline experiment's result.
pub struct Ran {
    pub config: ModelConfig,
    pub end: ExperimentEnd,
    pub seconds: f64,
    /// Every trial's scores, in columns.
    pub table: ScoreTable,
}

fn ci(m: &MetricEstimate) -> String {
    format!(
        "{:.3}  [{:.3}, {:.3}]  n={} ({})",
        m.value, m.ci_low, m.ci_high, m.n, m.method
    )
}

/// Prints a readable report: label audit, metrics with CIs, weakest fields, comparisons.
/// `audit` is how many labels break an identity and the first few of them.
pub fn text(
    name: &str,
    size: usize,
    audit: &(u64, Vec<(String, Vec<ArithmeticFlag>)>),
    summaries: &[ExperimentSummary],
    ran: &[Ran],
) {
    println!("dataset {name}: {size} records");
    let (flagged, shown) = audit;
    if *flagged == 0 {
        println!("label audit: every label satisfies the arithmetic identities");
    } else {
        println!("label audit: {flagged} label(s) break an identity — review before trusting:");
        for (id, flags) in shown {
            for f in flags {
                println!("  {id} {} {}: {}", f.form, f.identity, f.message);
            }
        }
    }
    for (s, r) in summaries.iter().zip(ran) {
        println!();
        println!(
            "experiment {} · model {} · temperature {} · {}",
            s.experiment_name, s.model, s.temperature, s.status
        );
        if let Some(e) = &s.error {
            println!("  error: {e}");
        }
        #[allow(clippy::cast_precision_loss)]
        let rate = r.table.len() as f64 / r.seconds.max(1e-9);
        println!(
            "  trials {} ({} ok, {} failed) in {:.2}s — {:.0} trials/s",
            s.total_records, s.successful_records, s.failed_records, r.seconds, rate
        );
        let Some(m) = &s.metrics else { continue };
        for (name, est) in &m.estimates {
            println!("  {name:<32}{}", ci(est));
        }
        if let Some(a) = s.repetition_agreement {
            println!("  {:<32}{a:.3}", "repetition_agreement");
        }
        if let Some(j) = s.usage.as_ref().and_then(|u| u.judge.as_ref()) {
            println!(
                "  {:<32}{} calls ({} cached), {} in / {} out tokens, ${:.4}",
                format!("judge {}", j.model),
                j.calls,
                j.cached,
                j.input_tokens,
                j.output_tokens,
                j.cost_usd
            );
        }
        let mut weakest: Vec<_> = m.per_field.iter().filter(|f| f.accuracy < 1.0).collect();
        weakest.sort_by(|a, b| a.accuracy.total_cmp(&b.accuracy));
        if !weakest.is_empty() {
            println!("  weakest fields:");
            for f in weakest.iter().take(5) {
                println!(
                    "    {:<52}{:.3} ({}/{})",
                    f.field, f.accuracy, f.correct, f.total
                );
            }
        }
    }
    if let Some((first, rest)) = ran.split_first() {
        for other in rest {
            println!();
            println!(
                "A = {} vs B = {}",
                first.config.experiment_name(),
                other.config.experiment_name()
            );
            for c in comparisons(first, other) {
                println!("  {:<32}{:?}: {}", c.metric, c.verdict, c.explanation);
            }
        }
    }
}

/// The paired comparisons of two experiments on the trials both ran (the service's).
pub fn comparisons(a: &Ran, b: &Ran) -> Vec<shared::PairedComparison> {
    paired(&a.table, &b.table)
}
