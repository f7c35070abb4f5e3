//! How many records a paired comparison needs to tell a given difference with a given power
//! (the sample-size planner). Both formulas are the normal approximations of the tests the
//! verdicts use, checked against simulation of those tests in the unit tests below.
//!
//! - Pass/fail metrics (McNemar, Connor 1987): with discordance rates `p10` (only A right)
//!   and `p01` (only B right), `ψ = p10 + p01` and `δ = p10 − p01`,
//!   `n = (z₁₋α/₂·√ψ + z₁₋β·√(ψ − δ²))² / δ²`. Without a pilot, `ψ` comes from the two
//!   accuracies assuming independent errors: `ψ = pA(1 − pB) + pB(1 − pA)`.
//! - Scores (paired differences with standard deviation `σ_d`):
//!   `n = ((z₁₋α/₂ + z₁₋β) · σ_d / δ)²`.

/// The standard normal quantile (inverse CDF) for `p` in (0, 1); ±∞ at the ends, NaN outside.
///
/// Acklam's rational approximation: relative error below 1.2e-9 over (0, 1), far below
/// what a sample size needs.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Records a paired pass/fail comparison needs (see the module's documentation): `None`
/// when there is nothing to detect (`p_a == p_b`), the inputs are not probabilities, or the
/// discordance cannot hold that difference (`ψ < |δ|`).
///
/// `discordance` is the share of records on which the two disagree, when a pilot measured
/// it; otherwise it is derived from the accuracies assuming independent errors.
pub fn records_for_binary(
    p_a: f64,
    p_b: f64,
    discordance: Option<f64>,
    alpha: f64,
    power: f64,
) -> Option<u64> {
    let valid = |p: f64| p.is_finite() && (0.0..=1.0).contains(&p);
    if !valid(p_a) || !valid(p_b) || !levels_valid(alpha, power) {
        return None;
    }
    let psi = discordance.unwrap_or(p_a * (1.0 - p_b) + p_b * (1.0 - p_a));
    records_for_discordance(p_a - p_b, psi, alpha, power)
}

/// Records a paired pass/fail comparison needs to tell a difference `delta` (A − B, as a
/// share) when A and B disagree on a share `psi` of the records; `None` when there is
/// nothing to detect or `psi` cannot hold `delta`.
pub fn records_for_discordance(delta: f64, psi: f64, alpha: f64, power: f64) -> Option<u64> {
    let delta = delta.abs();
    let plannable = delta.is_finite() && delta > 0.0 && psi.is_finite() && psi <= 1.0;
    if !plannable || psi < delta || !levels_valid(alpha, power) {
        return None;
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let n =
        (za * psi.sqrt() + zb * (psi - delta * delta).max(0.0).sqrt()).powi(2) / (delta * delta);
    whole_records(n)
}

/// What a "not distinguishable" comparison of `n` paired records could still settle: its
/// interval leaves a difference of `up_to` open, and `needed` records (planned at 80%
/// power, 5% level) would tell it. `None` when nothing is left to settle.
pub fn follow_up(n: usize, up_to: f64, needed: Option<u64>) -> Option<shared::FollowUp> {
    let needed = needed?;
    if !(up_to.is_finite() && up_to > 0.0) {
        return None;
    }
    let more = needed.saturating_sub(n as u64);
    let points = up_to * 100.0;
    let summary = if more == 0 {
        format!(
            "These results are consistent with a difference of up to {points:.1} points; \
             {needed} paired records would tell one that large with 80% power, and {n} were \
             compared: a true difference is likely smaller."
        )
    } else {
        format!(
            "These results are consistent with a difference of up to {points:.1} points; \
             a new comparison of about {needed} paired records ({more} more than these) \
             would settle a difference of {points:.1} points with 80% power (adding records \
             to these and testing again needs a run that stops when decided)."
        )
    };
    Some(shared::FollowUp {
        up_to,
        records_needed: needed,
        more_records: more,
        summary,
    })
}

/// Records a paired comparison of scores needs to tell a mean difference `delta` when the
/// paired differences have standard deviation `sd` (see the module's documentation);
/// `None` for a zero difference or inputs that are not finite and positive.
pub fn records_for_scores(delta: f64, sd: f64, alpha: f64, power: f64) -> Option<u64> {
    let delta = delta.abs();
    let plannable = delta.is_finite() && delta > 0.0 && sd.is_finite() && sd > 0.0;
    if !plannable || !levels_valid(alpha, power) {
        return None;
    }
    let z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power);
    whole_records((z * sd / delta).powi(2))
}

fn levels_valid(alpha: f64, power: f64) -> bool {
    alpha > 0.0 && alpha < 1.0 && power > 0.0 && power < 1.0
}

/// A planned size rounded up to whole records (at least one).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn whole_records(n: f64) -> Option<u64> {
    (n.is_finite() && n < 1e15).then(|| n.ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::mcnemar_exact_p;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_normal_quantile_matches_known_values() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.8, 0.841_621_233_572_914_4),
            (0.01, -2.326_347_874_040_841),
            (1e-10, -6.361_340_902_404_056),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-8,
                "{p}: {}",
                normal_quantile(p)
            );
        }
        assert!(normal_quantile(f64::NAN).is_nan());
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn sizes_follow_the_formulas_and_refuse_what_cannot_be_planned() {
        // 90% vs 85%, independent errors: ψ = 0.9·0.15 + 0.85·0.1 = 0.22, δ = 0.05.
        let n = records_for_binary(0.90, 0.85, None, 0.05, 0.80).unwrap();
        let expected =
            (1.959_964 * 0.22_f64.sqrt() + 0.841_621 * (0.22_f64 - 0.0025).sqrt()).powi(2) / 0.0025;
        assert_eq!(n, expected.ceil() as u64);
        // Fewer disagreements (correlated errors) need fewer records.
        assert!(records_for_binary(0.90, 0.85, Some(0.08), 0.05, 0.80).unwrap() < n / 2);
        assert_eq!(records_for_binary(0.9, 0.9, None, 0.05, 0.8), None);
        assert_eq!(records_for_binary(0.9, 0.8, Some(0.05), 0.05, 0.8), None);
        assert_eq!(records_for_binary(1.2, 0.8, None, 0.05, 0.8), None);
        assert_eq!(records_for_binary(0.9, 0.8, None, 0.0, 0.8), None);
        // Scores: ((1.96 + 0.84)·0.2/0.05)² ≈ 125.6.
        assert_eq!(records_for_scores(0.05, 0.2, 0.05, 0.8), Some(126));
        assert_eq!(records_for_scores(0.0, 0.2, 0.05, 0.8), None);
        assert_eq!(records_for_scores(0.05, f64::NAN, 0.05, 0.8), None);
    }

    /// Share of `reps` simulated comparisons of `n` records in which the exact McNemar test
    /// (the verdict's test) finds A better at α = 0.05.
    fn simulated_power(p_a: f64, p_b: f64, n: u64, reps: usize, seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut found = 0;
        for _ in 0..reps {
            let (mut only_a, mut only_b) = (0usize, 0usize);
            for _ in 0..n {
                let a = rng.gen_bool(p_a);
                let b = rng.gen_bool(p_b);
                only_a += usize::from(a && !b);
                only_b += usize::from(b && !a);
            }
            if only_a > only_b && mcnemar_exact_p(only_a, only_b) < 0.05 {
                found += 1;
            }
        }
        f64::from(found) / reps as f64
    }

    #[test]
    fn the_planned_size_reaches_the_stated_power_in_simulation() {
        // Independent errors, as the plan assumes without a pilot; 2,000 repetitions give a
        // standard error of ~0.9 points on an 80 % power.
        for (p_a, p_b) in [(0.90, 0.85), (0.80, 0.70), (0.97, 0.93)] {
            let n = records_for_binary(p_a, p_b, None, 0.05, 0.80).unwrap();
            let power = simulated_power(p_a, p_b, n, 2_000, 11);
            assert!(
                (0.75..=0.86).contains(&power),
                "{p_a} vs {p_b}: {n} records gave power {power:.3}"
            );
            // And half of it falls well short: the plan is not padded.
            let half = simulated_power(p_a, p_b, n / 2, 2_000, 12);
            eprintln!(
                "{p_a} vs {p_b}: {n} records, power {power:.3}; {} records, {half:.3}",
                n / 2
            );
            assert!(
                half < 0.6,
                "{p_a} vs {p_b}: half the records gave {half:.3}"
            );
        }
    }
}
