//! Paired comparisons of two experiments on the same records.

use super::exact::{mcnemar_exact_p, sign_flip_p};
use super::interval::{bootstrap_mean_ci, mean};
use super::planning::{follow_up, records_for_discordance, records_for_scores};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shared::{PairedComparison, Verdict};

/// Significance level of every verdict (two-sided, i.e. 95% confidence).
pub const ALPHA: f64 = 0.05;
/// The power a "not distinguishable" verdict's follow-up plans for.
pub const PLANNED_POWER: f64 = 0.8;
/// Fixed seed of the bootstrap interval in [`compare_binary`].
pub const BINARY_CI_SEED: u64 = 0x07a1_11ab; // = 0x7a111ab
/// Bootstrap resamples of the per-record differences in both comparisons.
pub const PAIRED_BOOTSTRAP_RESAMPLES: usize = 10_000;
/// Up to this many non-zero differences the sign-flip test enumerates all 2^k patterns.
pub const SIGN_FLIP_EXACT_MAX: usize = 20;
/// Monte Carlo sign patterns drawn when there are more non-zero differences than that.
pub const SIGN_FLIP_MONTE_CARLO_FLIPS: usize = 20_000;

/// Paired comparison of pass/fail outcomes (`a[i]` and `b[i]` are the same record).
///
/// `a`/`b` are the two success rates and `difference = a − b`. The p-value is the exact
/// McNemar test on the discordant records ([`mcnemar_exact_p`]); the verdict is `ABetter`
/// or `BBetter` when p < [`ALPHA`] in that direction, else `NotDistinguishable`.
/// `ci_low`/`ci_high` are a descriptive 95% paired percentile bootstrap interval of the
/// difference ([`PAIRED_BOOTSTRAP_RESAMPLES`] resamples, seed [`BINARY_CI_SEED`]); the
/// verdict does not depend on it. Method `"exact_mcnemar"`.
///
/// Unequal lengths: only the common prefix is paired, `n` is its length and the explanation
/// says so. `n = 0`: all numbers 0, interval and p-value `None`, `NotDistinguishable`.
pub fn compare_binary(metric: &str, a: &[bool], b: &[bool]) -> PairedComparison {
    let n = a.len().min(b.len());
    let note = length_note(n, a.len(), b.len());
    let (mut a_hits, mut b_hits, mut only_a, mut only_b) = (0usize, 0usize, 0usize, 0usize);
    let mut diffs = Vec::with_capacity(n);
    for (&x, &y) in a.iter().zip(b) {
        a_hits += usize::from(x);
        b_hits += usize::from(y);
        only_a += usize::from(x && !y);
        only_b += usize::from(y && !x);
        diffs.push(f64::from(u8::from(x)) - f64::from(u8::from(y)));
    }
    let mut out = PairedComparison {
        metric: metric.to_string(),
        label: String::new(),
        n,
        a: 0.0,
        b: 0.0,
        difference: 0.0,
        ci_low: None,
        ci_high: None,
        p_value: None,
        method: "exact_mcnemar".to_string(),
        verdict: Verdict::NotDistinguishable,
        explanation: String::new(),
        discordance: None,
        sd_difference: None,
        follow_up: None,
    };
    if n == 0 {
        out.explanation = format!("No paired records to compare on {metric}.{note}");
        return out;
    }
    let nf = n as f64;
    out.a = a_hits as f64 / nf;
    out.b = b_hits as f64 / nf;
    out.difference = (only_a as f64 - only_b as f64) / nf;
    let mut rng = ChaCha8Rng::seed_from_u64(BINARY_CI_SEED);
    let (lo, hi) = bootstrap_mean_ci(&diffs, PAIRED_BOOTSTRAP_RESAMPLES, &mut rng);
    let p = mcnemar_exact_p(only_a, only_b);
    out.ci_low = Some(lo);
    out.ci_high = Some(hi);
    out.p_value = Some(p);
    out.discordance = Some((only_a + only_b) as f64 / nf);
    out.verdict = match only_a.cmp(&only_b) {
        std::cmp::Ordering::Greater if p < ALPHA => Verdict::ABetter,
        std::cmp::Ordering::Less if p < ALPHA => Verdict::BBetter,
        _ => Verdict::NotDistinguishable,
    };
    if only_a + only_b == 0 {
        // No discordant pair: nothing to detect, and more records would not change that
        // on these ones.
        out.explanation = format!(
            "Not distinguishable: identical on every paired record — A and B pass and fail \
             {metric} on the same records ({a_hits} of {n} pass), so there is no difference \
             to detect.{note}"
        );
        return out;
    }
    let test = format!(
        "exact McNemar {} on {only_a} A-only vs {only_b} B-only successes",
        fmt_p(p)
    );
    out.explanation = explain(&out, (lo, hi), &test, "exact test") + &note;
    let psi = (only_a + only_b) as f64 / nf;
    if out.verdict == Verdict::NotDistinguishable {
        let up_to = lo.abs().max(hi.abs());
        let needed = records_for_discordance(up_to, psi.max(up_to), ALPHA, PLANNED_POWER);
        out.follow_up = follow_up(n, up_to, needed);
    }
    out
}

/// Paired comparison of per-record scores (`a[i]` and `b[i]` are the same record).
///
/// `a`/`b` are the two means and `difference` the mean of the per-record differences
/// A − B. `ci_low`/`ci_high` are a 95% paired percentile bootstrap interval of that mean
/// ([`PAIRED_BOOTSTRAP_RESAMPLES`] resamples, `ChaCha8Rng` seeded with `seed`).
/// `p_value` is a two-sided paired sign-flip permutation test on the mean difference: exact
/// over all 2^k sign patterns of the k non-zero differences when k ≤ [`SIGN_FLIP_EXACT_MAX`],
/// otherwise [`SIGN_FLIP_MONTE_CARLO_FLIPS`] seeded random patterns. A winner is declared
/// only when the interval excludes 0 **and** p < [`ALPHA`]: the percentile bootstrap alone
/// is anti-conservative at small n. Consequently at least 6 records with a non-zero
/// difference are needed before any verdict other than `NotDistinguishable` is possible
/// (the smallest exact p with k = 5 is 2/32 = 0.0625). Method `"paired_bootstrap"`.
/// Deterministic for the same input and seed.
///
/// Edge cases:
/// - Unequal lengths: only the common prefix is paired and the explanation says so.
/// - Pairs where either score (or their difference) is NaN or infinite are left out and the
///   explanation says how many; `n` counts only the pairs used.
/// - n < 2: `NotDistinguishable`, "too few paired records", interval and p-value `None`.
/// - Identical scores on every record: `NotDistinguishable`, interval (0, 0), p = 1.
/// - Differences within a few ulps of 0 (rounding noise) count as exactly 0.
pub fn compare_scores(metric: &str, a: &[f64], b: &[f64], seed: u64) -> PairedComparison {
    let common = a.len().min(b.len());
    let mut xs = Vec::with_capacity(common);
    let mut ys = Vec::with_capacity(common);
    let mut ds = Vec::with_capacity(common);
    for (&x, &y) in a.iter().zip(b) {
        let d = x - y;
        if !(x.is_finite() && y.is_finite() && d.is_finite()) {
            continue;
        }
        let noise = 8.0 * f64::EPSILON * x.abs().max(y.abs());
        xs.push(x);
        ys.push(y);
        ds.push(if d.abs() <= noise { 0.0 } else { d });
    }
    let n = ds.len();
    let dropped = common - n;
    let mut note = length_note(common, a.len(), b.len());
    if dropped > 0 {
        let s = if dropped == 1 { "" } else { "s" };
        note += &format!(" {dropped} pair{s} with a missing (NaN) or infinite score left out.");
    }
    let mut out = PairedComparison {
        metric: metric.to_string(),
        label: String::new(),
        n,
        a: mean(&xs),
        b: mean(&ys),
        difference: mean(&ds),
        ci_low: None,
        ci_high: None,
        p_value: None,
        method: "paired_bootstrap".to_string(),
        verdict: Verdict::NotDistinguishable,
        explanation: String::new(),
        discordance: None,
        sd_difference: None,
        follow_up: None,
    };
    if n < 2 {
        out.explanation = format!(
            "Too few paired records to compare {metric} (n = {n}); at least 2 are needed.{note}"
        );
        return out;
    }
    if ds.iter().all(|&d| d == 0.0) {
        out.difference = 0.0;
        out.ci_low = Some(0.0);
        out.ci_high = Some(0.0);
        out.p_value = Some(1.0);
        out.explanation = format!(
            "Not distinguishable: identical on every paired record — A and B score \
             identically on {metric} on all {n} paired records, so there is no difference to \
             detect.{note}"
        );
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (lo, hi) = bootstrap_mean_ci(&ds, PAIRED_BOOTSTRAP_RESAMPLES, &mut rng);
    let mut perm_rng = ChaCha8Rng::seed_from_u64(seed);
    perm_rng.set_stream(1);
    let p = sign_flip_p(
        &ds,
        SIGN_FLIP_EXACT_MAX,
        SIGN_FLIP_MONTE_CARLO_FLIPS,
        &mut perm_rng,
    );
    out.ci_low = Some(lo);
    out.ci_high = Some(hi);
    out.p_value = Some(p);
    let d = out.difference;
    out.verdict = if p < ALPHA && lo > 0.0 && d > 0.0 {
        Verdict::ABetter
    } else if p < ALPHA && hi < 0.0 && d < 0.0 {
        Verdict::BBetter
    } else {
        Verdict::NotDistinguishable
    };
    let test = fmt_p(p);
    out.explanation = explain(&out, (lo, hi), &test, "sign-flip test") + &note;
    let sd = sample_sd(&ds);
    out.sd_difference = Some(sd);
    if out.verdict == Verdict::NotDistinguishable {
        let up_to = lo.abs().max(hi.abs());
        out.follow_up = follow_up(
            n,
            up_to,
            records_for_scores(up_to, sd, ALPHA, PLANNED_POWER),
        );
    }
    out
}

/// The sample standard deviation (n − 1); 0 below two values.
fn sample_sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    let ss: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
    (ss / (xs.len() - 1) as f64).sqrt()
}

/// The one-sentence explanation for a computed comparison. `test` is the p-value phrase,
/// `test_name` names the test when it disagrees with the interval.
fn explain(c: &PairedComparison, (lo, hi): (f64, f64), test: &str, test_name: &str) -> String {
    let (metric, n) = (&c.metric, c.n);
    let recs = if n == 1 { "record" } else { "records" };
    match c.verdict {
        Verdict::ABetter => format!(
            "A is better on {metric} by {} (95% CI {} to {}, {test}, n = {n} paired {recs}).",
            fmt_num(c.difference),
            fmt_num(lo),
            fmt_num(hi)
        ),
        Verdict::BBetter => format!(
            "B is better on {metric} by {} (95% CI {} to {}, {test}, n = {n} paired {recs}).",
            fmt_num(-c.difference),
            fmt_num(-hi),
            fmt_num(-lo)
        ),
        Verdict::NotDistinguishable => {
            let why = if lo > 0.0 || hi < 0.0 {
                format!("the interval excludes 0 but the {test_name} does not confirm it, so ")
            } else {
                String::new()
            };
            format!(
                "Not distinguishable on {metric} at 95% with n = {n} paired {recs} (difference \
                 A − B {}, 95% CI {} to {}, {test}); {why}more records are needed to tell \
                 them apart.",
                fmt_num(c.difference),
                fmt_num(lo),
                fmt_num(hi)
            )
        }
    }
}

/// " Only the first n records were paired …" when the lengths differ, else "".
fn length_note(n: usize, a_len: usize, b_len: usize) -> String {
    if a_len == b_len {
        String::new()
    } else {
        format!(" Only the first {n} records were paired because A has {a_len} and B has {b_len}.")
    }
}

/// A number with 3 decimals, a typographic minus and no "−0.000".
fn fmt_num(x: f64) -> String {
    let s = format!("{x:.3}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|ch| ch == '0' || ch == '.') => rest.to_string(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// "p = 0.008", or "p < 0.001" for very small p-values.
fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn number_formatting() {
        assert_eq!(fmt_num(0.12), "0.120");
        assert_eq!(fmt_num(-0.05), "−0.050");
        assert_eq!(fmt_num(-0.0001), "0.000");
        assert_eq!(fmt_p(0.0001), "p < 0.001");
        assert_eq!(fmt_p(0.4123), "p = 0.412");
    }
}
