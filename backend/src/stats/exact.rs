//! Exact tests: McNemar (binomial on discordant pairs) and the paired sign-flip
//! permutation test.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::grouped::ValueCounts;
use std::f64::consts::{LN_2, PI, SQRT_2};

/// Above this many discordant pairs, [`mcnemar_exact_p`] switches to the normal
/// approximation with continuity correction (indistinguishable from exact at that size).
const MCNEMAR_EXACT_LIMIT: usize = 100_000_000;

/// Two-sided exact McNemar p-value for `b` and `c` discordant pairs.
///
/// A binomial test on the discordant pairs: with X ~ Bin(b + c, 0.5),
/// p = min(1, 2 · P(X ≤ min(b, c))). `b + c = 0` (or `b = c`) gives 1.0.
///
/// Computed without overflow: the lower tail is summed downward from its largest term with
/// the pmf ratio, anchored by a log-space binomial coefficient, so counts in the hundreds of
/// thousands are fine. Beyond 10⁸ discordant pairs the normal approximation is used.
/// The result is always finite and in `[0, 1]`.
pub fn mcnemar_exact_p(b: usize, c: usize) -> f64 {
    let k = b.min(c);
    let big = b.max(c);
    if k == big {
        return 1.0;
    }
    let m = match k.checked_add(big) {
        Some(m) if m <= MCNEMAR_EXACT_LIMIT => m,
        _ => {
            let mf = k as f64 + big as f64;
            let z = (mf / 2.0 - (k as f64 + 0.5)) / (mf / 4.0).sqrt();
            return erfc(z / SQRT_2).clamp(0.0, 1.0);
        }
    };
    let log_pmf_k = ln_choose(m, k) - m as f64 * LN_2;
    // Sum pmf(i) / pmf(k) for i = k, k − 1, …, 0; terms only shrink as i decreases.
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let mut i = k;
    while i > 0 {
        term *= i as f64 / (m - i + 1) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        i -= 1;
    }
    let p = 2.0 * (log_pmf_k + sum.ln()).exp();
    if p.is_nan() {
        1.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// ln(n!), exact summation for small n and the Stirling series otherwise.
fn ln_factorial(n: usize) -> f64 {
    if n < 256 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    let x2 = x * x;
    x * x.ln() - x + 0.5 * (2.0 * PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

/// ln C(m, k) for k ≤ m.
fn ln_choose(m: usize, k: usize) -> f64 {
    let k = k.min(m);
    ln_factorial(m) - ln_factorial(k) - ln_factorial(m - k)
}

/// Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

/// Two-sided paired sign-flip (randomisation) test on the mean of `diffs`.
///
/// Under H0 each non-zero difference is equally likely to carry either sign. The p-value is
/// the share of sign patterns whose |sum| is at least the observed |sum|. With k ≤
/// `exact_max` non-zero differences all 2^k patterns are enumerated exactly (meet in the
/// middle); otherwise `flips` random patterns are drawn from `rng` and
/// p = (hits + 1) / (flips + 1). No non-zero differences (or an observed sum of 0) → 1.0.
/// Non-finite entries are ignored. Always in `[0, 1]`. Many differences of few distinct
/// magnitudes draw each pattern by counts (one binomial a magnitude; see `grouped`).
pub(super) fn sign_flip_p(
    diffs: &[f64],
    exact_max: usize,
    flips: usize,
    rng: &mut ChaCha8Rng,
) -> f64 {
    let nonzero: Vec<f64> = diffs
        .iter()
        .copied()
        .filter(|d| d.is_finite() && *d != 0.0)
        .collect();
    let scale = nonzero.iter().fold(0.0_f64, |acc, d| acc.max(d.abs()));
    if nonzero.is_empty() || scale <= 0.0 {
        return 1.0;
    }
    // Scale into [−1, 1] so no sum can overflow; the test is scale-invariant.
    let signed: Vec<f64> = nonzero.iter().map(|d| d / scale).collect();
    let mags: Vec<f64> = signed.iter().map(|d| d.abs()).collect();
    let total: f64 = mags.iter().sum();
    let observed = signed.iter().sum::<f64>().abs();
    // Sums that tie with the observed one up to rounding count as "at least as extreme".
    let threshold = observed - 1e-9 * total;
    if threshold <= 0.0 {
        return 1.0;
    }
    let k = mags.len();
    if k <= exact_max && k < 63 {
        let (left, right) = mags.split_at(k / 2);
        let left_sums = signed_sums(left);
        let mut right_sums = signed_sums(right);
        right_sums.sort_by(f64::total_cmp);
        let len = right_sums.len();
        let mut count: u64 = 0;
        for s in left_sums {
            let at_least = len - right_sums.partition_point(|&t| t < threshold - s);
            let at_most = right_sums.partition_point(|&t| t <= -threshold - s);
            count += (at_least + at_most) as u64;
        }
        let patterns = (1_u64 << k) as f64;
        return (count as f64 / patterns).clamp(0.0, 1.0);
    }
    let mut hits: u64 = 0;
    if let Some(counts) = ValueCounts::of(&mags) {
        for _ in 0..flips {
            if counts.sign_flip_sum(rng).abs() >= threshold {
                hits += 1;
            }
        }
        return ((hits as f64 + 1.0) / (flips as f64 + 1.0)).clamp(0.0, 1.0);
    }
    for _ in 0..flips {
        let mut bits: u64 = 0;
        let mut left_bits = 0;
        let mut sum = 0.0;
        for &m in &mags {
            if left_bits == 0 {
                bits = rng.gen();
                left_bits = 64;
            }
            sum += if bits & 1 == 1 { m } else { -m };
            bits >>= 1;
            left_bits -= 1;
        }
        if sum.abs() >= threshold {
            hits += 1;
        }
    }
    ((hits as f64 + 1.0) / (flips as f64 + 1.0)).clamp(0.0, 1.0)
}

/// All 2^len sums ±x₁ ± x₂ … of `xs`.
fn signed_sums(xs: &[f64]) -> Vec<f64> {
    let mut sums = vec![0.0];
    for &x in xs {
        sums = sums.iter().flat_map(|&s| [s + x, s - x]).collect();
    }
    sums
}

#[cfg(test)]
mod unit {
    use super::*;
    use rand::SeedableRng;

    fn close(x: f64, y: f64, tol: f64) -> bool {
        (x - y).abs() <= tol
    }

    #[test]
    fn ln_factorial_matches_summation_across_switch() {
        for n in [255usize, 256, 300, 1000] {
            let direct: f64 = (2..=n).map(|i| (i as f64).ln()).sum();
            assert!((ln_factorial(n) - direct).abs() < 1e-9 * direct, "n = {n}");
        }
    }

    #[test]
    fn erfc_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207_050_285).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_792_949_715).abs() < 1e-7);
    }

    #[test]
    fn normal_approximation_agrees_near_the_switch() {
        // 1e6 discordant pairs, exact path vs the approximation formula.
        let (k, big) = (499_000usize, 501_000usize);
        let exact = mcnemar_exact_p(k, big);
        let mf = (k + big) as f64;
        let z = (mf / 2.0 - (k as f64 + 0.5)) / (mf / 4.0).sqrt();
        let approx = erfc(z / SQRT_2);
        assert!((exact - approx).abs() < 1e-4, "{exact} vs {approx}");
    }

    #[test]
    fn mcnemar_known_values() {
        assert!(close(mcnemar_exact_p(0, 10), 0.001_953_125, 1e-15));
        assert!(close(mcnemar_exact_p(10, 0), 0.001_953_125, 1e-15));
        assert!(close(mcnemar_exact_p(2, 8), 0.109_375, 1e-14));
        assert!(close(mcnemar_exact_p(3, 7), 0.343_75, 1e-14));
        // P(X ≤ 1) = (1 + 31) / 2^31.
        let tail = 2.0 * 32.0 / 2f64.powi(31);
        assert!(close(mcnemar_exact_p(1, 30), tail, 1e-12 * tail));
        assert_eq!(mcnemar_exact_p(5, 5), 1.0);
        assert_eq!(mcnemar_exact_p(0, 0), 1.0);
        assert_eq!(mcnemar_exact_p(4, 5), 1.0);
    }
    #[test]
    fn mcnemar_large_counts_are_stable() {
        let p = mcnemar_exact_p(40_000, 40_500);
        assert!(p.is_finite() && (0.0..=1.0).contains(&p));
        // Reference value from an independent lgamma-based summation.
        assert!(close(p, 0.078_620_368_8, 1e-8), "{p}");
        assert_eq!(mcnemar_exact_p(100_000, 0), 0.0);
        // z = 99.5 / √25000 ≈ 0.629 → p ≈ 0.529.
        let q = mcnemar_exact_p(49_900, 50_100);
        assert!(close(q, 0.529_157_294, 1e-8), "{q}");
        for (b, c) in [
            (usize::MAX, 0),
            (usize::MAX, usize::MAX - 1),
            (usize::MAX / 2, 3),
        ] {
            let p = mcnemar_exact_p(b, c);
            assert!((0.0..=1.0).contains(&p), "{b} {c} {p}");
        }
    }
    #[test]
    fn sign_flip_exact_and_monte_carlo() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let two = [0.3, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(sign_flip_p(&two, 20, 20_000, &mut rng), 0.5);
        assert_eq!(sign_flip_p(&[0.1; 10], 20, 20_000, &mut rng), 2.0 / 1024.0);
        assert_eq!(sign_flip_p(&[0.0; 5], 20, 20_000, &mut rng), 1.0);
        assert_eq!(sign_flip_p(&[], 20, 20_000, &mut rng), 1.0);
        assert_eq!(sign_flip_p(&[0.5, -0.5], 20, 20_000, &mut rng), 1.0);
        // 30 equal differences: only the observed pattern and its mirror reach it.
        let mc = sign_flip_p(&[0.1; 30], 20, 20_000, &mut rng);
        assert_eq!(mc, 1.0 / 20_001.0);
        // Exact vs brute force on a mixed vector.
        let d = [0.4, -0.1, 0.25, 0.3, -0.05, 0.2, 0.15];
        let obs: f64 = d.iter().sum();
        let hits = (0u32..128)
            .filter(|mask| {
                let s: f64 = (0..7)
                    .map(|i| if mask >> i & 1 == 1 { d[i] } else { -d[i] })
                    .sum();
                s.abs() >= obs.abs() - 1e-12
            })
            .count();
        let exact = sign_flip_p(&d, 20, 20_000, &mut rng);
        assert_eq!(exact, hits as f64 / 128.0);
        // Monte Carlo on the same vector agrees with the exact value.
        let approx = sign_flip_p(&d, 0, 20_000, &mut rng);
        assert!(close(approx, exact, 0.02), "{approx} vs {exact}");
    }
}
