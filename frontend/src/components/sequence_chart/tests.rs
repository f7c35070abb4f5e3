//! The chart's scales and shapes, and the words it shows.

use super::*;

fn point(n: u64, difference: f64, low: f64, high: f64) -> SequencePoint {
    SequencePoint {
        n,
        difference,
        low,
        high,
    }
}

fn comparison(decision: SequentialDecision, decided_at: Option<u64>) -> SequentialComparison {
    SequentialComparison {
        experiment_a: "a".into(),
        experiment_b: "b".into(),
        name_a: "A".into(),
        name_b: "B".into(),
        n: 40,
        a: 0.9,
        b: 0.9,
        difference: 0.0,
        low: -0.02,
        high: 0.02,
        decision,
        decided_at,
        trace: vec![],
    }
}

#[test]
fn decisions_read_as_words() {
    let eq = comparison(SequentialDecision::Equivalent, Some(40));
    assert_eq!(
        decision_text(&eq, 0.03),
        "equivalent within ±3.0 pts after 40 records"
    );
    let a = comparison(SequentialDecision::ABetter, Some(1200));
    assert_eq!(decision_text(&a, 0.03), "A better after 1,200 records");
    let u = comparison(SequentialDecision::Undecided, None);
    assert_eq!(decision_text(&u, 0.03), "undecided");
}

fn result(state: SequentialState, comparisons: Vec<SequentialComparison>) -> SequentialResult {
    SequentialResult {
        metric: "overall_accuracy".into(),
        min_difference: 0.03,
        alpha: 0.05,
        seed: 1,
        method: "m".into(),
        state,
        records_compared: 59,
        records_available: 2000,
        records_saved: 0,
        cost_usd: 0.0,
        cost_saved_usd: 0.0,
        comparisons,
        summary: String::new(),
    }
}

#[test]
fn live_sequences_get_names_facts_and_a_sentence() {
    let mut live = comparison(SequentialDecision::Undecided, None);
    (live.name_a, live.name_b) = (String::new(), String::new());
    let r = named(
        result(SequentialState::Running, vec![live]),
        &["base".into(), "other".into()],
    );
    assert_eq!(
        (
            r.comparisons[0].name_a.as_str(),
            r.comparisons[0].name_b.as_str()
        ),
        ("base", "other")
    );
    assert_eq!(facts(&r), "59 of 2,000 records compared so far");
    assert_eq!(
        summary(&r),
        "59 records compared so far; 1 of 1 comparison still undecided."
    );
    let mut done = result(SequentialState::Decided, vec![]);
    done.records_saved = 1941;
    done.summary = "Decided.".into();
    assert_eq!(
        facts(&done),
        "59 of 2,000 records compared · 1,941 records saved per config · $0 saved (cost $0)"
    );
    assert_eq!(summary(&done), "Decided.");
}

#[test]
fn axis_labels_are_short_points() {
    assert_eq!(axis_points(1.0), "+100");
    assert_eq!(axis_points(-0.025), "−2.5");
    assert_eq!(axis_points(0.0), "0");
    assert_eq!(axis_points(-0.0001), "0");
    assert_eq!(axis_points(0.5), "+50");
}

#[test]
fn the_vertical_range_holds_bands_and_margins() {
    let trace = [point(1, 0.0, -0.9, 0.9), point(10, 0.01, -0.1, 0.12)];
    let (lo, hi) = y_domain(&trace, 0.03);
    assert!(lo <= -0.9 && hi >= 0.9, "{lo} {hi}");
    assert!(lo >= -1.0 && hi <= 1.0);
    let (lo, hi) = y_domain(&[], 0.5);
    assert!(lo < -0.5 && hi > 0.5);
    let (lo, hi) = y_domain(&[point(3, 0.0, 0.0, 0.0)], 0.0);
    assert!(lo < 0.0 && hi > 0.0, "never an empty range: {lo} {hi}");
}

#[test]
fn the_band_goes_out_along_high_and_back_along_low() {
    let s = Scale {
        n_max: 10.0,
        lo: -1.0,
        hi: 1.0,
    };
    let trace = [point(0, 0.0, -1.0, 1.0), point(10, 0.0, -0.5, 0.5)];
    let pts = band_points(&trace, s);
    let xy: Vec<&str> = pts.split(' ').collect();
    assert_eq!(xy.len(), 4);
    assert_eq!(xy[0], format!("{LEFT:.1},{TOP:.1}"));
    assert_eq!(xy[3], format!("{LEFT:.1},{:.1}", HEIGHT - BOTTOM));
}
