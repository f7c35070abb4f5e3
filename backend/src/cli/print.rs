//! Printing offline experiment results for people (text) and scripts (JSON).

use shared::{DatasetRecord, ExperimentSummary, MetricEstimate};

use super::experiment::Ran;
use crate::eval::audit_label;
use crate::stats;

fn ci(m: &MetricEstimate) -> String {
    format!(
        "{:.3}  [{:.3}, {:.3}]  n={} ({})",
        m.value, m.ci_low, m.ci_high, m.n, m.method
    )
}

/// Prints a readable report: label audit, metrics with CIs, weakest fields, comparisons.
pub fn text(name: &str, records: &[DatasetRecord], summaries: &[ExperimentSummary], ran: &[Ran]) {
    println!("dataset {name}: {} records", records.len());
    let flagged: Vec<_> = records
        .iter()
        .filter_map(|r| {
            let f = audit_label(&r.expected_output);
            (!f.is_empty()).then_some((r.id.as_str(), f))
        })
        .collect();
    if flagged.is_empty() {
        println!("label audit: every label satisfies the arithmetic identities");
    } else {
        println!(
            "label audit: {} label(s) break an identity — review before trusting:",
            flagged.len()
        );
        for (id, flags) in flagged.iter().take(5) {
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
        let rate = r.outcomes.len() as f64 / r.seconds.max(1e-9);
        println!(
            "  tasks {} ({} ok, {} failed) in {:.2}s — {:.0} tasks/s",
            s.total_records, s.successful_records, s.failed_records, r.seconds, rate
        );
        let Some(m) = &s.metrics else { continue };
        for (label, est) in [
            ("overall_accuracy", &m.overall_accuracy),
            ("success_rate", &m.success_rate),
            ("avg_ballot_accuracy", &m.avg_ballot_accuracy),
            ("exact_form_match", &m.exact_form_match_rate),
            ("vote_results_quality", &m.avg_vote_results_quality),
            ("voter_statistics", &m.avg_voter_statistics_accuracy),
            ("arithmetic_consistency", &m.arithmetic_consistency_rate),
        ] {
            println!("  {label:<24}{}", ci(est));
        }
        if let Some(a) = s.repetition_agreement {
            println!("  {:<24}{a:.3}", "repetition_agreement");
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
                println!("  {:<22}{:?}: {}", c.metric, c.verdict, c.explanation);
            }
        }
    }
}

/// The paired comparisons of two experiments on the records both ran.
pub fn comparisons(a: &Ran, b: &Ran) -> Vec<shared::PairedComparison> {
    let key = |o: &crate::runner::RecordOutcome| (o.record_index, o.repetition);
    let b_by: std::collections::HashMap<_, _> = b.outcomes.iter().map(|o| (key(o), o)).collect();
    let pairs: Vec<_> = a
        .outcomes
        .iter()
        .filter_map(|o| b_by.get(&key(o)).map(|p| (o, *p)))
        .collect();
    let f = |g: fn(&crate::runner::RecordOutcome) -> f64| -> (Vec<f64>, Vec<f64>) {
        pairs.iter().map(|(x, y)| (g(x), g(y))).unzip()
    };
    let (oa, ob) = f(|o| o.scores.overall);
    let (ba, bb) = f(|o| o.scores.ballot_accuracy_score);
    let sa: Vec<bool> = pairs.iter().map(|(x, _)| x.scores.has_no_errors).collect();
    let sb: Vec<bool> = pairs.iter().map(|(_, y)| y.scores.has_no_errors).collect();
    let ea: Vec<bool> = pairs
        .iter()
        .map(|(x, _)| x.scores.exact_form_match)
        .collect();
    let eb: Vec<bool> = pairs
        .iter()
        .map(|(_, y)| y.scores.exact_form_match)
        .collect();
    vec![
        stats::compare_scores("overall_accuracy", &oa, &ob, 42),
        stats::compare_scores("avg_ballot_accuracy", &ba, &bb, 43),
        stats::compare_binary("success_rate", &sa, &sb),
        stats::compare_binary("exact_form_match", &ea, &eb),
    ]
}

/// Prints a JSON document with the dataset, every summary and the comparisons.
pub fn json(
    name: &str,
    size: usize,
    summaries: &[ExperimentSummary],
    ran: &[Ran],
) -> anyhow::Result<()> {
    let comparisons: Vec<_> = match ran.split_first() {
        Some((first, rest)) => rest.iter().flat_map(|o| comparisons(first, o)).collect(),
        None => Vec::new(),
    };
    let doc = serde_json::json!({
        "dataset_name": name,
        "dataset_size": size,
        "experiments": summaries,
        "comparisons": comparisons,
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}
