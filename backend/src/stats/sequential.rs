//! Anytime-valid comparison of two configurations, record by record.
//!
//! A usual confidence interval is valid only at the one sample size fixed in advance: checking
//! it after every record and stopping at the first "significant" look makes false verdicts far
//! more likely than its level says. A *confidence sequence* is a sequence of intervals that
//! contain the true mean difference at every sample size at once, with probability at least
//! `1 − alpha`, so an experiment may look after every record and stop as soon as the verdict is
//! decided.
//!
//! [`ConfidenceSequence`] follows the predictable plug-in empirical-Bernstein confidence
//! sequence (PrPl-EB, Theorem 2) of Waudby-Smith & Ramdas, "Estimating means of bounded random
//! variables by betting", JRSS B (2024). A paired difference `d = score_A − score_B` in
//! `[−1, 1]` is mapped to `x = (d + 1) / 2` in `[0, 1]`; with `μ̂_t = (1/2 + Σ x_i)/(t + 1)`,
//! `σ̂²_t = (1/4 + Σ (x_i − μ̂_i)²)/(t + 1)`, bets
//! `λ_t = min(√(2 ln(2/α) / (σ̂²_{t−1} t ln(1 + t))), 1/2)`, `v_t = 4 (x_t − μ̂_{t−1})²` and
//! `ψ_E(λ) = (−ln(1 − λ) − λ)/4`, the interval at time `t` is
//! `Σ λ_i x_i / Σ λ_i ± (ln(2/α) + Σ v_i ψ_E(λ_i)) / Σ λ_i`, cut to `[0, 1]` and mapped back to
//! `d = 2x − 1`. Its validity comes from Ville's inequality applied to nonnegative
//! supermartingales, as in Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
//! nonasymptotic confidence sequences", Annals of Statistics (2021). The reported interval is
//! the running intersection of all intervals so far, which is a confidence sequence too.
//!
//! The price of looking at every record is a wider interval than a fixed-size test at the
//! planned size; the gain is that a clear difference stops the experiment early.

/// What a confidence sequence says so far about A − B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The interval still holds zero and reaches past the equivalence margin.
    Undecided,
    /// The whole interval lies above zero: A scores higher than B.
    ABetter,
    /// The whole interval lies below zero: B scores higher than A.
    BBetter,
    /// The whole interval lies strictly inside `(−margin, margin)`.
    Equivalent,
}

/// Truncation `c` of the bets λ (the paper suggests 1/2 or 3/4).
const MAX_BET: f64 = 0.5;

/// An always-valid confidence sequence for the mean paired difference A − B (PrPl-EB; see the
/// module's documentation). Constant memory and constant work per record.
#[derive(Debug, Clone)]
pub struct ConfidenceSequence {
    log_term: f64,     // ln(2/α)
    n: u64,            // records so far
    sum_x: f64,        // Σ x_i
    sum_sq: f64,       // Σ (x_i − μ̂_i)²
    sum_lambda: f64,   // Σ λ_i
    sum_lambda_x: f64, // Σ λ_i x_i
    sum_penalty: f64,  // Σ v_i ψ_E(λ_i)
    low: f64,          // running intersection, on the difference scale
    high: f64,
}

impl ConfidenceSequence {
    /// `alpha` in (0,1): the probability the sequence ever excludes the true mean difference.
    /// It is clamped into `[1e-6, 0.5]`; NaN means the crate's usual level
    /// [`crate::stats::ALPHA`] (0.05).
    pub fn new(alpha: f64) -> Self {
        let alpha = if alpha.is_nan() {
            crate::stats::ALPHA
        } else {
            alpha.clamp(1e-6, 0.5)
        };
        Self {
            log_term: (2.0 / alpha).ln(),
            n: 0,
            sum_x: 0.0,
            sum_sq: 0.0,
            sum_lambda: 0.0,
            sum_lambda_x: 0.0,
            sum_penalty: 0.0,
            low: -1.0,
            high: 1.0,
        }
    }

    /// Adds one paired difference (clamped to [−1,1]; NaN counts as 0).
    pub fn push(&mut self, difference: f64) {
        let d = if difference.is_nan() {
            0.0
        } else {
            difference.clamp(-1.0, 1.0)
        };
        let x = (d + 1.0) / 2.0;
        let t = (self.n + 1) as f64;
        // Predictable estimates: they use records 1..t−1 only.
        let mu_prev = (0.5 + self.sum_x) / t;
        let var_prev = (0.25 + self.sum_sq) / t;
        let lambda = (2.0 * self.log_term / (var_prev * t * t.ln_1p()))
            .sqrt()
            .min(MAX_BET);
        // v_t ψ_E(λ_t) = 4 (x − μ̂)² · (−ln(1 − λ) − λ)/4.
        let psi4 = -(-lambda).ln_1p() - lambda;
        self.sum_penalty += (x - mu_prev).powi(2) * psi4;
        self.sum_lambda += lambda;
        self.sum_lambda_x += lambda * x;
        self.sum_x += x;
        self.n += 1;
        let mu = (0.5 + self.sum_x) / (t + 1.0);
        self.sum_sq += (x - mu).powi(2);

        let centre = self.sum_lambda_x / self.sum_lambda;
        let radius = (self.log_term + self.sum_penalty) / self.sum_lambda;
        let low = 2.0 * (centre - radius).max(0.0) - 1.0;
        let high = 2.0 * (centre + radius).min(1.0) - 1.0;
        self.low = self.low.max(low);
        self.high = self.high.min(high);
        if self.low > self.high {
            // An empty intersection only happens on a run that already missed the true mean
            // (probability ≤ alpha); keep a well-formed, degenerate interval.
            let mid = (self.low + self.high) / 2.0;
            (self.low, self.high) = (mid, mid);
        }
    }

    /// Number of differences pushed so far.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Plain mean of the differences pushed so far (0 when none).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            2.0 * self.sum_x / self.n as f64 - 1.0
        }
    }

    /// The running-intersection interval for the mean difference, in [−1, 1] ((−1, 1) before
    /// any record).
    pub fn bounds(&self) -> (f64, f64) {
        (self.low, self.high)
    }

    /// ABetter when the low bound > 0, BBetter when the high bound < 0, Equivalent when the
    /// whole interval lies strictly inside (−margin, margin) (margin > 0; margin ≤ 0 or NaN
    /// never gives Equivalent), else Undecided. A difference decision wins over Equivalent.
    pub fn decision(&self, margin: f64) -> Decision {
        if self.low > 0.0 {
            Decision::ABetter
        } else if self.high < 0.0 {
            Decision::BBetter
        } else if margin > 0.0 && self.low > -margin && self.high < margin {
            Decision::Equivalent
        } else {
            Decision::Undecided
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const ALPHA: f64 = 0.05;
    const HORIZON: u64 = 3_000;

    /// `reps` monitored runs, each checked after every record up to [`HORIZON`]: the first
    /// decision other than Undecided (Equivalent only when `margin > 0`) and when it came.
    fn runs(
        seed: u64,
        reps: usize,
        margin: f64,
        mut draw: impl FnMut(&mut ChaCha8Rng) -> f64,
    ) -> Vec<(Decision, u64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut one = || {
            let mut cs = ConfidenceSequence::new(ALPHA);
            for _ in 0..HORIZON {
                cs.push(draw(&mut rng));
                match cs.decision(margin) {
                    Decision::Undecided => {}
                    d => return (d, cs.n()),
                }
            }
            (Decision::Undecided, HORIZON)
        };
        (0..reps).map(|_| one()).collect()
    }

    fn share(runs: &[(Decision, u64)], wanted: &[Decision]) -> f64 {
        runs.iter().filter(|r| wanted.contains(&r.0)).count() as f64 / runs.len() as f64
    }

    fn mean_stop(runs: &[(Decision, u64)]) -> f64 {
        runs.iter().map(|r| r.1).sum::<u64>() as f64 / runs.len() as f64
    }

    const DIFFERENCE: [Decision; 2] = [Decision::ABetter, Decision::BBetter];

    fn binary(p_a: f64, p_b: f64) -> impl FnMut(&mut ChaCha8Rng) -> f64 {
        move |rng| f64::from(u8::from(rng.gen_bool(p_a))) - f64::from(u8::from(rng.gen_bool(p_b)))
    }

    #[test]
    fn monitoring_every_record_keeps_the_error_rate_under_alpha() {
        for (seed, p) in [(1, 0.9), (2, 0.7)] {
            let rate = share(&runs(seed, 2_000, 0.0, binary(p, p)), &DIFFERENCE);
            eprintln!("PrPl-EB, p = {p}, 2000 reps × {HORIZON} looks: false difference {rate:.4}");
            assert!(rate <= ALPHA, "p = {p}: {rate}");
        }
    }

    #[test]
    fn a_fixed_n_interval_checked_repeatedly_does_not() {
        let (mut rng, mut draw) = (ChaCha8Rng::seed_from_u64(3), binary(0.9, 0.9));
        let reps = 1_000;
        let wrong = (0..reps).filter(|_| {
            let (mut sum, mut sum_sq) = (0.0, 0.0);
            (1..=HORIZON).any(|n| {
                let d = draw(&mut rng);
                (sum, sum_sq) = (sum + d, sum_sq + d * d);
                let (n, mean) = (n as f64, sum / n as f64);
                let sd = ((sum_sq - n * mean * mean) / (n - 1.0)).max(0.0).sqrt();
                n % 20.0 == 0.0 && mean.abs() > 1.96 * sd / n.sqrt()
            })
        });
        let rate = wrong.count() as f64 / f64::from(reps);
        eprintln!(
            "naive 95% normal interval, looked at every 20 records: false difference {rate:.4}"
        );
        assert!(rate > 0.1, "{rate}");
    }

    #[test]
    fn a_large_difference_is_found_early() {
        let found = runs(4, 1_000, 0.0, binary(0.95, 0.75));
        let power = share(&found, &[Decision::ABetter]);
        let mut stops: Vec<u64> = found.iter().map(|r| r.1).collect();
        stops.sort_unstable();
        let planned = crate::stats::planning::records_for_binary(0.95, 0.75, None, 0.05, 0.8);
        eprintln!(
            "0.95 vs 0.75, 1000 reps: power {power:.4}, stop mean {:.1} median {}; fixed-N \
             McNemar (power 0.8) {planned:?}",
            mean_stop(&found),
            stops[stops.len() / 2]
        );
        assert!(power >= 0.95, "{power}");
        assert_eq!(share(&found, &[Decision::BBetter]), 0.0);
        assert!(mean_stop(&found) < HORIZON as f64 / 4.0);
    }

    #[test]
    fn identical_configurations_are_found_equivalent() {
        let found = runs(5, 1_000, 0.05, binary(0.95, 0.95));
        let equivalent = share(&found, &[Decision::Equivalent]);
        let wrong = share(&found, &DIFFERENCE);
        eprintln!(
            "0.95 vs 0.95, margin 0.05, 1000 reps: equivalent {equivalent:.4} (mean stop {:.1}, \
             horizon counted for the rest), false difference {wrong:.4}",
            mean_stop(&found)
        );
        assert!(equivalent >= 0.8 && wrong <= ALPHA, "{equivalent} {wrong}");
    }

    /// A score in [0, 1] with a bell-shaped (Beta(2,2)-like) distribution and mean 1/2.
    fn score(rng: &mut ChaCha8Rng) -> f64 {
        (rng.gen::<f64>() + rng.gen::<f64>()) / 2.0
    }

    #[test]
    fn continuous_scores_keep_coverage_and_find_a_shift() {
        let rate = share(&runs(6, 1_000, 0.0, |r| score(r) - score(r)), &DIFFERENCE);
        eprintln!("scores, no difference, 1000 reps × {HORIZON} looks: false difference {rate:.4}");
        assert!(rate <= ALPHA, "{rate}");

        let found = runs(7, 500, 0.0, |r| 0.2 + 0.8 * score(r) - score(r));
        let power = share(&found, &[Decision::ABetter]);
        eprintln!(
            "scores, shift 0.1, 500 reps: power {power:.4}, mean stop {:.1}",
            mean_stop(&found)
        );
        assert!(power >= 0.95, "{power}");
    }

    /// The O(1) recursion against the paper's formulas recomputed from whole prefixes.
    #[test]
    fn matches_the_formulas_recomputed_from_scratch() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let xs: Vec<f64> = (0..200).map(|_| rng.gen::<f64>()).collect();
        let log_term = (2.0 / ALPHA).ln();
        let mu = |t: usize| (0.5 + xs[..t].iter().sum::<f64>()) / (t as f64 + 1.0);
        let var = |t: usize| {
            (0.25 + (1..=t).map(|i| (xs[i - 1] - mu(i)).powi(2)).sum::<f64>()) / (t as f64 + 1.0)
        };
        let (mut low, mut high, mut sl, mut slx, mut sp) = (0.0_f64, 1.0_f64, 0.0, 0.0, 0.0);
        let mut cs = ConfidenceSequence::new(ALPHA);
        for (t, &x) in (1..).zip(&xs) {
            let tf = t as f64;
            let lambda = (2.0 * log_term / (var(t - 1) * tf * (1.0 + tf).ln()))
                .sqrt()
                .min(0.5);
            let v = 4.0 * (x - mu(t - 1)).powi(2);
            sl += lambda;
            slx += lambda * x;
            sp += v * (-(1.0 - lambda).ln() - lambda) / 4.0;
            low = low.max((slx - log_term - sp) / sl);
            high = high.min((slx + log_term + sp) / sl);
            cs.push(2.0 * x - 1.0);
            let (l, h) = cs.bounds();
            assert!((l - (2.0 * low - 1.0)).abs() < 1e-9 && (h - (2.0 * high - 1.0)).abs() < 1e-9);
        }
    }

    fn fed(ds: impl IntoIterator<Item = f64>) -> ConfidenceSequence {
        let mut cs = ConfidenceSequence::new(ALPHA);
        ds.into_iter().for_each(|d| cs.push(d));
        cs
    }

    #[test]
    fn edge_cases() {
        let empty = fed([]);
        assert_eq!((empty.n(), empty.mean()), (0, 0.0));
        assert_eq!(empty.bounds(), (-1.0, 1.0));
        assert_eq!(empty.decision(0.05), Decision::Undecided);

        let same = fed((0..2_000).map(|_| 0.0));
        let (l, h) = same.bounds();
        assert!(-0.05 < l && l < 0.0 && 0.0 < h && h < 0.05, "{l} {h}");
        assert_eq!(same.decision(0.05), Decision::Equivalent);
        for margin in [0.0, -1.0, f64::NAN] {
            assert_eq!(same.decision(margin), Decision::Undecided);
        }
        let alternating = fed((0..2_000).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }));
        let (l, h) = alternating.bounds();
        assert!(l < 0.0 && h > 0.0 && alternating.mean() == 0.0, "{l} {h}");
        assert_eq!(alternating.decision(0.05), Decision::Undecided);
        let ones = fed((0..50).map(|_| 1.0));
        assert_eq!(ones.decision(0.05), Decision::ABetter);
        assert_eq!(ones.bounds().1, 1.0);
        let minus = fed((0..50).map(|_| -1.0));
        assert_eq!(minus.decision(0.05), Decision::BBetter);
        assert_eq!(minus.bounds().0, -1.0);

        // Clamping and NaN: 5 and +∞ act as 1, −∞ as −1, NaN as 0.
        let odd = fed([5.0, f64::NEG_INFINITY, f64::NAN, f64::INFINITY]);
        let plain = fed([1.0, -1.0, 0.0, 1.0]);
        assert_eq!((odd.bounds(), odd.mean()), (plain.bounds(), plain.mean()));

        // Invalid alpha never panics and gives a well-formed interval.
        for alpha in [f64::NAN, -1.0, 0.0, 1.0, 7.0, f64::INFINITY] {
            let mut cs = ConfidenceSequence::new(alpha);
            (0..10).for_each(|_| cs.push(0.5));
            let (l, h) = cs.bounds();
            assert!(-1.0 <= l && l <= h && h <= 1.0, "{alpha}: {l} {h}");
        }
    }
}
