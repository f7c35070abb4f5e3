//! Confidence intervals for one proportion (Wilson) and one mean (percentile bootstrap).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared::MetricEstimate;

use super::grouped::ValueCounts;

/// Two-sided 95% standard normal quantile (z such that P(|Z| ≤ z) = 0.95).
pub const Z_95: f64 = 1.959963984540054;

/// Number of bootstrap resamples used by [`mean_with_ci`].
pub const MEAN_BOOTSTRAP_RESAMPLES: usize = 2_000;

/// 95% Wilson score interval for `successes` out of `n` trials.
///
/// Uses z = [`Z_95`]. The bounds are clamped to `[0, 1]`; with no successes the lower bound
/// is exactly 0 and with all successes the upper bound is exactly 1.
///
/// Edge cases: `n = 0` gives the uninformative `(0.0, 1.0)`; `successes > n` is treated as
/// `successes = n`.
pub fn wilson_interval(successes: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let s = successes.min(n);
    let nf = n as f64;
    let p = s as f64 / nf;
    let z2 = Z_95 * Z_95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z_95 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    let low = if s == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, 1.0)
    };
    let high = if s == n {
        1.0
    } else {
        (centre + half).clamp(0.0, 1.0)
    };
    (low, high)
}

/// A proportion `successes / n` with its 95% Wilson interval (method `"wilson"`).
///
/// `n = 0` gives value 0 with the uninformative interval `(0, 1)` and `n = 0`;
/// `successes > n` is treated as `successes = n`.
pub fn proportion(successes: usize, n: usize) -> MetricEstimate {
    let s = successes.min(n);
    let value = if n == 0 { 0.0 } else { s as f64 / n as f64 };
    let (ci_low, ci_high) = wilson_interval(s, n);
    MetricEstimate {
        value,
        ci_low,
        ci_high,
        n,
        method: "wilson".to_string(),
        label: String::new(),
        evaluator: None,
    }
}

/// The mean of `values` with a seeded 95% percentile bootstrap interval (method
/// `"bootstrap"`, [`MEAN_BOOTSTRAP_RESAMPLES`] resamples, `ChaCha8Rng` seeded with `seed`).
///
/// Deterministic for the same input and seed. Values need not lie in `[0, 1]`.
///
/// Edge cases:
/// - Non-finite values (NaN, ±∞) are left out; `n` counts only the finite values used.
/// - No finite values: value 0, interval `(0.0, 0.0)`, `n = 0` (check `n` before trusting it).
/// - All values equal (including a single value): the degenerate interval `(v, v)`.
pub fn mean_with_ci(values: &[f64], seed: u64) -> MetricEstimate {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let value = mean(&finite);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (ci_low, ci_high) = bootstrap_mean_ci(&finite, MEAN_BOOTSTRAP_RESAMPLES, &mut rng);
    MetricEstimate {
        value,
        ci_low,
        ci_high,
        n: finite.len(),
        method: "bootstrap".to_string(),
        label: String::new(),
        evaluator: None,
    }
}

/// The common value when every element of `xs` is equal (and `xs` is non-empty).
pub(super) fn constant_value(xs: &[f64]) -> Option<f64> {
    let first = *xs.first()?;
    xs.iter().all(|&x| x == first).then_some(first)
}

/// Arithmetic mean of finite values; 0 for an empty slice. Exact for constant slices and
/// free of intermediate overflow for huge values.
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    if let Some(v) = constant_value(xs) {
        return v;
    }
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    if sum.is_finite() {
        sum / n
    } else {
        xs.iter().map(|x| x / n).sum()
    }
}

/// Linear-interpolated quantile `q` of an ascending slice; 0 for an empty slice.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let frac = h - lo as f64;
    let (Some(&a), Some(&b)) = (sorted.get(lo), sorted.get(hi)) else {
        return 0.0;
    };
    a * (1.0 - frac) + b * frac
}

/// 95% percentile bootstrap interval of the mean of finite `values`, drawing from `rng`.
///
/// Empty → `(0, 0)`; constant (or a single value) → `(v, v)`. Otherwise the 2.5% and
/// 97.5% quantiles of `resamples` resample means; the result always lies within
/// `[min(values), max(values)]`. Large samples of few distinct values are resampled by
/// value counts (same distribution, K draws a resample instead of n; see `grouped`).
pub(super) fn bootstrap_mean_ci(
    values: &[f64],
    resamples: usize,
    rng: &mut ChaCha8Rng,
) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    if let Some(v) = constant_value(values) {
        return (v, v);
    }
    if resamples == 0 {
        let m = mean(values);
        return (m, m);
    }
    let mut means = Vec::with_capacity(resamples);
    if let Some(counts) = ValueCounts::of(values) {
        means.extend((0..resamples).map(|_| counts.resample_mean(rng)));
        return percentile_interval(means);
    }
    let nf = n as f64;
    let mut picks = vec![0usize; n];
    for _ in 0..resamples {
        let mut sum = 0.0;
        for pick in picks.iter_mut() {
            *pick = rng.gen_range(0..n);
            sum += values[*pick];
        }
        let m = if sum.is_finite() {
            sum / nf
        } else {
            picks.iter().map(|&i| values[i] / nf).sum()
        };
        means.push(m);
    }
    percentile_interval(means)
}

/// The 2.5% and 97.5% quantiles of resample means.
fn percentile_interval(mut means: Vec<f64>) -> (f64, f64) {
    means.sort_by(f64::total_cmp);
    let low = quantile_sorted(&means, 0.025);
    let high = quantile_sorted(&means, 0.975);
    (low.min(high), low.max(high))
}
