//! Unit tests of the public statistics API against known values and the n = 10 cases.

use super::*;
use shared::Verdict;

fn close(x: f64, y: f64, tol: f64) -> bool {
    (x - y).abs() <= tol
}

#[test]
fn wilson_known_values() {
    let (lo, hi) = wilson_interval(8, 10);
    assert!(close(lo, 0.490_162_471_536_641_8, 1e-12), "{lo}");
    assert!(close(hi, 0.943_317_848_545_624_7, 1e-12), "{hi}");
    assert_eq!(wilson_interval(0, 10).0, 0.0);
    assert!(close(
        wilson_interval(0, 10).1,
        0.277_532_799_862_889_2,
        1e-12
    ));
    assert!(close(
        wilson_interval(10, 10).0,
        0.722_467_200_137_110_7,
        1e-12
    ));
    assert_eq!(wilson_interval(10, 10).1, 1.0);
    assert!(close(
        wilson_interval(1, 2).0,
        0.094_531_205_734_230_74,
        1e-12
    ));
}

#[test]
fn wilson_edge_cases() {
    assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    assert_eq!(wilson_interval(5, 0), (0.0, 1.0));
    assert_eq!(wilson_interval(12, 10), wilson_interval(10, 10));
    let huge = wilson_interval(usize::MAX / 2, usize::MAX);
    assert!(huge.0.is_finite() && huge.1.is_finite() && huge.0 <= huge.1);
}

#[test]
fn proportion_fields() {
    let e = proportion(8, 10);
    assert_eq!(e.value, 0.8);
    assert_eq!(e.n, 10);
    assert_eq!(e.method, "wilson");
    assert_eq!((e.ci_low, e.ci_high), wilson_interval(8, 10));
    let empty = proportion(0, 0);
    assert_eq!(
        (empty.value, empty.ci_low, empty.ci_high, empty.n),
        (0.0, 0.0, 1.0, 0)
    );
    assert_eq!(proportion(11, 10).value, 1.0);
}

#[test]
fn mean_bootstrap_is_deterministic_and_contains_the_mean() {
    let values = [0.2, 0.9, 0.4, 0.75, 0.6, 1.0, 0.1, 0.55, 0.8, 0.35];
    let e1 = mean_with_ci(&values, 42);
    let e2 = mean_with_ci(&values, 42);
    assert_eq!(e1, e2);
    assert_eq!(e1.method, "bootstrap");
    assert_eq!(e1.n, 10);
    assert!(close(e1.value, 0.565, 1e-12));
    assert!(e1.ci_low < e1.value && e1.value < e1.ci_high, "{e1:?}");
    assert!(e1.ci_low >= 0.1 && e1.ci_high <= 1.0);
    // Roughly mean ± 1.96·sd/√n ≈ 0.565 ± 0.18.
    assert!(
        e1.ci_high - e1.ci_low > 0.2 && e1.ci_high - e1.ci_low < 0.5,
        "{e1:?}"
    );
    let other = mean_with_ci(&values, 43);
    assert_ne!((e1.ci_low, e1.ci_high), (other.ci_low, other.ci_high));
}

#[test]
fn mean_edge_cases() {
    let empty = mean_with_ci(&[], 1);
    assert_eq!(
        (empty.value, empty.ci_low, empty.ci_high, empty.n),
        (0.0, 0.0, 0.0, 0)
    );
    let same = mean_with_ci(&[0.1; 10], 1);
    assert_eq!((same.value, same.ci_low, same.ci_high), (0.1, 0.1, 0.1));
    let one = mean_with_ci(&[3.5], 1);
    assert_eq!(
        (one.value, one.ci_low, one.ci_high, one.n),
        (3.5, 3.5, 3.5, 1)
    );
    let nan = mean_with_ci(&[f64::NAN, 1.0, f64::INFINITY, 0.0], 1);
    assert_eq!(nan.n, 2);
    assert_eq!(nan.value, 0.5);
    assert!(nan.ci_low >= 0.0 && nan.ci_high <= 1.0);
    let only_nan = mean_with_ci(&[f64::NAN, f64::NAN], 1);
    assert_eq!((only_nan.value, only_nan.n), (0.0, 0));
    let huge = mean_with_ci(&[f64::MAX, f64::MAX, -f64::MAX, f64::MAX], 1);
    assert!(huge.value.is_finite() && huge.ci_low.is_finite() && huge.ci_high.is_finite());
}

#[test]
fn n10_a_better_on_every_record() {
    let b = [0.5, 0.6, 0.7, 0.4, 0.55, 0.65, 0.3, 0.8, 0.45, 0.6];
    let a: Vec<f64> = b.iter().map(|x| x + 0.1).collect();
    let c = compare_scores("overall_accuracy", &a, &b, 7);
    assert_eq!(c.verdict, Verdict::ABetter, "{c:?}");
    assert_eq!(c.n, 10);
    assert_eq!(c.method, "paired_bootstrap");
    assert!(close(c.difference, 0.1, 1e-9));
    assert!(close(c.p_value.unwrap_or(1.0), 2.0 / 1024.0, 1e-12));
    assert!(c.ci_low.unwrap_or(0.0) > 0.0);
    assert!(
        c.explanation
            .starts_with("A is better on overall_accuracy by 0.100"),
        "{c:?}"
    );
    // And the mirror image.
    let m = compare_scores("overall_accuracy", &b, &a, 7);
    assert_eq!(m.verdict, Verdict::BBetter, "{m:?}");
    assert!(m
        .explanation
        .starts_with("B is better on overall_accuracy by 0.100 (95% CI 0.100"));
}

#[test]
fn n10_two_records_differ_is_not_enough() {
    let b = [0.5; 10];
    let mut a = [0.5; 10];
    a[3] = 0.8;
    a[7] = 0.8;
    let c = compare_scores("overall_accuracy", &a, &b, 7);
    assert_eq!(c.verdict, Verdict::NotDistinguishable, "{c:?}");
    assert_eq!(c.p_value, Some(0.5));
    assert!(close(c.difference, 0.06, 1e-9));
    assert!(c
        .explanation
        .starts_with("Not distinguishable on overall_accuracy at 95% with n = 10"));
    assert!(c.explanation.contains("more records are needed"), "{c:?}");
}

#[test]
fn n10_permutation_guard_overrules_a_bootstrap_interval_excluding_zero() {
    // +0.3 on 4 of 10 records: the percentile bootstrap excludes 0 (P(no +0.3 drawn) ≈ 0.6%)
    // but the exact sign-flip test gives p = 2/16.
    let b = [0.5; 10];
    let mut a = [0.5; 10];
    for i in [0, 2, 5, 9] {
        a[i] = 0.8;
    }
    let c = compare_scores("overall_accuracy", &a, &b, 7);
    assert!(c.ci_low.unwrap_or(0.0) > 0.0, "{c:?}");
    assert_eq!(c.p_value, Some(0.125));
    assert_eq!(c.verdict, Verdict::NotDistinguishable);
    assert!(
        c.explanation.contains("sign-flip test does not confirm it"),
        "{c:?}"
    );
}

#[test]
fn n10_binary_b_better_everywhere() {
    let a = [false; 10];
    let b = [true; 10];
    let c = compare_binary("exact_form_match", &a, &b);
    assert_eq!(c.verdict, Verdict::BBetter, "{c:?}");
    assert_eq!(c.method, "exact_mcnemar");
    assert_eq!((c.a, c.b, c.difference, c.n), (0.0, 1.0, -1.0, 10));
    assert!(close(c.p_value.unwrap_or(1.0), 0.001_953_125, 1e-15));
    assert_eq!((c.ci_low, c.ci_high), (Some(-1.0), Some(-1.0)));
    assert!(
        c.explanation
            .starts_with("B is better on exact_form_match by 1.000"),
        "{c:?}"
    );
}

#[test]
fn n10_binary_seven_vs_three_is_not_distinguishable() {
    let a = [
        true, true, true, true, true, true, true, false, false, false,
    ];
    let b = [
        false, false, false, false, false, false, false, true, true, true,
    ];
    let c = compare_binary("exact_form_match", &a, &b);
    assert_eq!(c.verdict, Verdict::NotDistinguishable, "{c:?}");
    assert!(close(c.p_value.unwrap_or(0.0), 0.343_75, 1e-14));
    assert!(close(c.difference, 0.4, 1e-12));
    let (lo, hi) = (c.ci_low.unwrap_or(1.0), c.ci_high.unwrap_or(-1.0));
    assert!(
        lo <= c.difference && c.difference <= hi && lo < 0.0,
        "{c:?}"
    );
    assert_eq!(
        compare_binary("exact_form_match", &a, &b),
        c,
        "deterministic"
    );
}

#[test]
fn binary_with_no_discordant_pair_says_identical_not_more_records() {
    let a = [
        true, true, false, true, false, true, true, true, false, true,
    ];
    let c = compare_binary("exact", &a, &a);
    assert_eq!(c.verdict, Verdict::NotDistinguishable);
    assert_eq!(c.p_value, Some(1.0));
    assert!(
        c.explanation.contains("identical on every paired record"),
        "{c:?}"
    );
    assert!(c.explanation.contains("7 of 10 pass"), "{c:?}");
    assert!(!c.explanation.contains("more records"), "{c:?}");
}

#[test]
fn identical_and_tiny_inputs() {
    let same = compare_scores("overall_accuracy", &[0.7; 10], &[0.7; 10], 1);
    assert_eq!(same.verdict, Verdict::NotDistinguishable);
    assert_eq!((same.difference, same.p_value), (0.0, Some(1.0)));
    assert!(same.explanation.contains("identically"), "{same:?}");
    // Rounding noise is not a difference.
    let noisy = compare_scores("m", &[0.1 + 0.2; 8], &[0.3; 8], 1);
    assert!(noisy.explanation.contains("identically"), "{noisy:?}");
    for (a, b) in [(vec![], vec![]), (vec![0.9], vec![0.1])] {
        let c = compare_scores("m", &a, &b, 1);
        assert_eq!(c.verdict, Verdict::NotDistinguishable);
        assert_eq!((c.ci_low, c.p_value), (None, None));
        assert!(c.explanation.contains("Too few paired records"), "{c:?}");
    }
    let e = compare_binary("m", &[], &[]);
    assert_eq!(
        (e.n, e.p_value, e.verdict),
        (0, None, Verdict::NotDistinguishable)
    );
    let one = compare_binary("m", &[true], &[false]);
    assert_eq!(one.p_value, Some(1.0));
}

#[test]
fn nan_and_mismatched_inputs() {
    let a = [0.9, f64::NAN, 0.8, 0.7, f64::INFINITY, 0.6, 0.9];
    let b = [0.1, 0.2, f64::NAN, 0.3, 0.4, 0.2, 0.1, 0.5, 0.5];
    let c = compare_scores("m", &a, &b, 3);
    assert_eq!(c.n, 4);
    assert!(
        c.explanation
            .contains("3 pairs with a missing (NaN) or infinite score"),
        "{c:?}"
    );
    assert!(c
        .explanation
        .contains("Only the first 7 records were paired because A has 7 and B has 9"));
    assert!(c.a.is_finite() && c.b.is_finite() && c.difference.is_finite());
    let all_nan = compare_scores("m", &[f64::NAN; 5], &[0.5; 5], 3);
    assert_eq!(
        (all_nan.n, all_nan.verdict),
        (0, Verdict::NotDistinguishable)
    );
    let bin = compare_binary("m", &[true, true, false], &[false]);
    assert_eq!(bin.n, 1);
    assert!(
        bin.explanation
            .contains("Only the first 1 records were paired"),
        "{bin:?}"
    );
    let huge = compare_scores(
        "m",
        &[f64::MAX, -f64::MAX, 1.0],
        &[-f64::MAX, f64::MAX, 0.0],
        3,
    );
    assert_eq!(huge.n, 1);
}

#[test]
fn a_large_comparison_resampled_by_counts_matches_the_normal_theory_interval() {
    // 50,000 paired records: A alone right on 600, B alone on 400. The mean difference is
    // 0.004 with standard error sqrt(0.019984 / 50,000) ≈ 0.000632.
    let n = 50_000;
    let a: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i < 600))).collect();
    let b: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from((600..1_000).contains(&i))))
        .collect();
    let c = compare_scores("m", &a, &b, 5);
    let se = (0.019_984_f64 / 50_000.0).sqrt();
    let (lo, hi) = (c.ci_low.unwrap(), c.ci_high.unwrap());
    assert!((lo - (0.004 - 1.96 * se)).abs() < 0.000_15, "{lo}");
    assert!((hi - (0.004 + 1.96 * se)).abs() < 0.000_15, "{hi}");
    assert!(c.p_value.unwrap() < 0.001);
    assert_eq!(c.verdict, Verdict::ABetter);
    // No difference in distribution: 500 each way is not distinguishable.
    let b: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from((500..1_000).contains(&i))))
        .collect();
    let a: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i < 500))).collect();
    let c = compare_scores("m", &a, &b, 5);
    assert!(c.p_value.unwrap() > 0.9, "{:?}", c.p_value);
    assert_eq!(c.verdict, Verdict::NotDistinguishable);
}
