//! Resampling by value counts, for large samples of few distinct values.
//!
//! A bootstrap resample of n values is fully described by how many times it draws each
//! distinct value: a multinomial draw over the K distinct values with the sample's
//! frequencies, taken here as K − 1 conditional binomial draws. A sign-flip pattern is
//! likewise described, for each distinct magnitude, by how many of its c copies come up
//! positive: one Binomial(c, ½) draw. Both are the same distributions as drawing n picks
//! or n signs one at a time, at a cost of K draws instead of n. Scores here are mostly 0/1
//! or a handful of fractions, so a 100,000-record comparison needs a few thousand draws per
//! resample instead of 100,000 (10,000 resamples took ~3 s per metric one pick at a time).
//!
//! Only samples of at least [`GROUPED_MIN_N`] values with at most one distinct value per
//! [`VALUES_PER_DISTINCT`] take this path: smaller samples keep the per-pick stream their
//! published figures came from.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

/// Samples smaller than this are always resampled one pick at a time.
pub(super) const GROUPED_MIN_N: usize = 1_024;
/// Resampling by counts pays when there are at least this many values per distinct value
/// (a binomial draw costs roughly as much as 30 uniform picks).
const VALUES_PER_DISTINCT: usize = 32;

/// Distinct values of a sample with how often each occurs, in ascending order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ValueCounts {
    values: Vec<f64>,
    counts: Vec<u64>,
    total: u64,
}

impl ValueCounts {
    /// The counts of `xs` (finite values expected), or `None` when the sample is too small
    /// or too varied for resampling by counts to pay.
    pub(super) fn of(xs: &[f64]) -> Option<Self> {
        if xs.len() < GROUPED_MIN_N {
            return None;
        }
        let limit = xs.len() / VALUES_PER_DISTINCT;
        let mut sorted = xs.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let mut values: Vec<f64> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        for x in sorted {
            match values.last() {
                Some(&last) if last == x => {
                    if let Some(c) = counts.last_mut() {
                        *c += 1;
                    }
                }
                _ => {
                    if values.len() == limit {
                        return None;
                    }
                    values.push(x);
                    counts.push(1);
                }
            }
        }
        Some(ValueCounts {
            values,
            counts,
            total: xs.len() as u64,
        })
    }

    /// The mean of one bootstrap resample (n draws with replacement).
    pub(super) fn resample_mean(&self, rng: &mut ChaCha8Rng) -> f64 {
        let n = self.total as f64;
        let mut left = self.total;
        let mut weight_left = self.total;
        let mut sum = 0.0;
        // Kept beside the plain sum for values so large that it overflows.
        let mut scaled = 0.0;
        let last = self.values.len().saturating_sub(1);
        for (i, (&v, &c)) in self.values.iter().zip(&self.counts).enumerate() {
            let drawn = if i == last {
                left
            } else {
                binomial(left, c as f64 / weight_left as f64, rng)
            };
            left -= drawn;
            weight_left -= c;
            sum += v * drawn as f64;
            scaled += v * (drawn as f64 / n);
            if left == 0 {
                break;
            }
        }
        if sum.is_finite() {
            sum / n
        } else {
            scaled
        }
    }

    /// The sum of one random sign pattern over the values taken as magnitudes: each copy
    /// is +v or −v with probability ½.
    pub(super) fn sign_flip_sum(&self, rng: &mut ChaCha8Rng) -> f64 {
        self.values
            .iter()
            .zip(&self.counts)
            .map(|(&v, &c)| {
                let positive = binomial(c, 0.5, rng);
                v * (2.0 * positive as f64 - c as f64)
            })
            .sum()
    }
}

/// One Binomial(`trials`, `p`) draw; `p` outside [0, 1] (rounding) is clamped.
fn binomial(trials: u64, p: f64, rng: &mut ChaCha8Rng) -> u64 {
    let p = p.clamp(0.0, 1.0);
    if trials == 0 || p == 0.0 {
        return 0;
    }
    if p == 1.0 {
        return trials;
    }
    match Binomial::new(trials, p) {
        Ok(d) => d.sample(rng).min(trials),
        // Unreachable for p in (0, 1); one uniform draw per trial is always right.
        Err(_) => (0..trials).filter(|_| rng.gen_bool(p)).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn small_or_varied_samples_are_not_grouped() {
        assert_eq!(ValueCounts::of(&[0.0, 1.0, 1.0]), None);
        let varied: Vec<f64> = (0..2_000).map(f64::from).collect();
        assert_eq!(ValueCounts::of(&varied), None);
        let binary: Vec<f64> = (0..2_000).map(|i| f64::from(i % 3 == 0)).collect();
        let counts = ValueCounts::of(&binary).unwrap();
        assert_eq!(counts.values, vec![0.0, 1.0]);
        assert_eq!(counts.counts, vec![1_333, 667]);
    }

    #[test]
    fn resample_means_match_one_pick_at_a_time_in_distribution() {
        // Three values at 50/30/20 %: the resample mean has mean 0.7 and standard deviation
        // sqrt(var / n); both samplers must agree with that.
        let xs: Vec<f64> = (0..10_000)
            .map(|i| match i % 10 {
                0..=4 => 0.0,
                5..=7 => 1.0,
                _ => 2.0,
            })
            .collect();
        let var = 0.5 * 0.49 + 0.3 * 0.09 + 0.2 * 1.69;
        let counts = ValueCounts::of(&xs).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let means: Vec<f64> = (0..4_000).map(|_| counts.resample_mean(&mut rng)).collect();
        let m = means.iter().sum::<f64>() / means.len() as f64;
        let sd = (means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / means.len() as f64).sqrt();
        let expected_sd = (var / 10_000.0_f64).sqrt();
        assert!((m - 0.7).abs() < 4.0 * expected_sd / 60.0, "mean {m}");
        assert!(
            (sd / expected_sd - 1.0).abs() < 0.06,
            "sd {sd} vs {expected_sd}"
        );
    }

    #[test]
    fn sign_flip_sums_are_centred_with_the_right_spread() {
        let mags: Vec<f64> = (0..4_096)
            .map(|i| if i % 4 == 0 { 1.0 } else { 0.5 })
            .collect();
        let counts = ValueCounts::of(&mags).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let sums: Vec<f64> = (0..4_000).map(|_| counts.sign_flip_sum(&mut rng)).collect();
        let m = sums.iter().sum::<f64>() / sums.len() as f64;
        let var = sums.iter().map(|x| (x - m).powi(2)).sum::<f64>() / sums.len() as f64;
        // Var = Σ v² over the copies = 1024 · 1 + 3072 · 0.25.
        let expected_var = 1_024.0 + 3_072.0 * 0.25;
        assert!(
            m.abs() < 4.0 * (expected_var / 4_000.0_f64).sqrt(),
            "mean {m}"
        );
        assert!((var / expected_var - 1.0).abs() < 0.08, "var {var}");
    }

    #[test]
    fn a_resample_mean_stays_within_the_values() {
        let xs: Vec<f64> = (0..5_000).map(|i| f64::from(i % 2) * 1e308).collect();
        let counts = ValueCounts::of(&xs).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..100 {
            let m = counts.resample_mean(&mut rng);
            assert!(m.is_finite() && (0.0..=1e308).contains(&m), "{m}");
        }
    }
}
