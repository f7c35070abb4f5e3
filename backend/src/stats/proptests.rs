//! Property tests: the comparisons are total and their outputs are coherent.

use super::*;
use proptest::prelude::*;
use shared::Verdict;

fn any_score() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -2.0..2.0f64,
        1 => proptest::num::f64::ANY,
        1 => Just(0.5),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn compare_scores_is_total(
        a in prop::collection::vec(any_score(), 0..30),
        b in prop::collection::vec(any_score(), 0..30),
        seed in any::<u64>(),
    ) {
        let c = compare_scores("m", &a, &b, seed);
        prop_assert!(c.n <= a.len().min(b.len()));
        prop_assert!(c.a.is_finite() && c.b.is_finite() && c.difference.is_finite());
        if let Some(p) = c.p_value {
            prop_assert!((0.0..=1.0).contains(&p));
        }
        prop_assert_eq!(c.ci_low.is_some(), c.ci_high.is_some());
        if let (Some(lo), Some(hi)) = (c.ci_low, c.ci_high) {
            prop_assert!(lo.is_finite() && hi.is_finite() && lo <= hi);
        }
        prop_assert!(!c.explanation.is_empty());
        prop_assert_eq!(&compare_scores("m", &a, &b, seed), &c);
    }

    #[test]
    fn compare_scores_is_coherent(
        pairs in prop::collection::vec((0.0..1.0f64, 0.0..1.0f64), 2..25),
        shift in -0.5..0.5f64,
        seed in any::<u64>(),
    ) {
        let a: Vec<f64> = pairs.iter().map(|p| p.0 + shift).collect();
        let b: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let c = compare_scores("m", &a, &b, seed);
        let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
        let min = d.iter().copied().fold(f64::INFINITY, f64::min);
        let max = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = (c.ci_low.unwrap_or(f64::NAN), c.ci_high.unwrap_or(f64::NAN));
        let p = c.p_value.unwrap_or(f64::NAN);
        prop_assert_eq!(c.n, pairs.len());
        // Resample means lie between the extreme differences (up to rounding).
        prop_assert!(lo >= min - 1e-9 && hi <= max + 1e-9 && lo <= hi, "{:?}", c);
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(min - 1e-9 <= c.difference && c.difference <= max + 1e-9);
        match c.verdict {
            Verdict::ABetter => prop_assert!(p < ALPHA && lo > 0.0 && c.difference > 0.0),
            Verdict::BBetter => prop_assert!(p < ALPHA && hi < 0.0 && c.difference < 0.0),
            Verdict::NotDistinguishable => {
                prop_assert!(p >= ALPHA || lo <= 0.0 && hi >= 0.0);
            }
        }
        if pairs.len() < 6 {
            prop_assert_eq!(c.verdict, Verdict::NotDistinguishable);
        }
    }

    #[test]
    fn compare_binary_is_coherent(
        a in prop::collection::vec(any::<bool>(), 0..40),
        b in prop::collection::vec(any::<bool>(), 0..40),
    ) {
        let c = compare_binary("m", &a, &b);
        prop_assert_eq!(c.n, a.len().min(b.len()));
        prop_assert!(c.difference >= -1.0 && c.difference <= 1.0);
        prop_assert!((c.a - c.b - c.difference).abs() < 1e-12);
        if let Some(p) = c.p_value {
            prop_assert!((0.0..=1.0).contains(&p));
            match c.verdict {
                Verdict::ABetter => prop_assert!(p < ALPHA && c.difference > 0.0),
                Verdict::BBetter => prop_assert!(p < ALPHA && c.difference < 0.0),
                Verdict::NotDistinguishable => prop_assert!(p >= ALPHA),
            }
        }
        if let (Some(lo), Some(hi)) = (c.ci_low, c.ci_high) {
            prop_assert!((-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi) && lo <= hi);
        }
    }

    #[test]
    fn mcnemar_is_a_symmetric_probability(b in 0usize..3_000, c in 0usize..3_000) {
        let p = mcnemar_exact_p(b, c);
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert_eq!(p, mcnemar_exact_p(c, b));
        // Moving one discordant pair towards balance never lowers the p-value.
        if b < c {
            prop_assert!(mcnemar_exact_p(b + 1, c) >= p - 1e-12);
        }
    }

    #[test]
    fn wilson_contains_the_estimate(n in 0usize..5_000, s in 0usize..5_000) {
        let e = proportion(s, n);
        prop_assert!(0.0 <= e.ci_low && e.ci_low <= e.value);
        prop_assert!(e.value <= e.ci_high && e.ci_high <= 1.0);
    }

    #[test]
    fn mean_with_ci_is_total(values in prop::collection::vec(any_score(), 0..40), seed in any::<u64>()) {
        let e = mean_with_ci(&values, seed);
        prop_assert!(e.value.is_finite() && e.ci_low.is_finite() && e.ci_high.is_finite());
        prop_assert!(e.ci_low <= e.ci_high);
        prop_assert_eq!(e.n, values.iter().filter(|v| v.is_finite()).count());
    }
}
