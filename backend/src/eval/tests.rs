use shared::ScoreValue;

use super::fixtures::{both, constituency, party_list, row};
use super::*;

fn flag(s: &RecordScores, name: &str) -> bool {
    s.passed(name).expect(name)
}

fn val(s: &RecordScores, name: &str) -> f64 {
    s.value(name).expect(name)
}

fn one(r: VoteReport) -> ReportSet {
    ReportSet(vec![r])
}

#[test]
fn identical_output_scores_perfectly() {
    let s = evaluate_record(&both(), Ok(&both()));
    assert!(
        flag(&s, names::EXACT_FORM_MATCH)
            && flag(&s, names::HAS_NO_ERRORS)
            && flag(&s, names::ARITHMETIC_CONSISTENCY)
    );
    assert_eq!(
        (
            val(&s, names::BALLOT_ACCURACY),
            val(&s, names::VOTE_RESULTS_QUALITY),
            val(&s, names::VOTER_STATISTICS_ACCURACY)
        ),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(s.overall, 1.0);
    assert_eq!(s.scores.len(), 6);
}

#[test]
fn form_fields_compare_after_normalisation() {
    let mut out = constituency();
    out.form_info.province = Some("จังหวัด กรุงเทพมหานคร".into());
    out.form_info.district = Some("เขตบางพลัด".into());
    out.form_info.sub_district = Some("แขวงบางบำหรุ".into());
    out.form_info.constituency_number = Some("๐๗".into());
    out.form_info.polling_station_number = Some("๔".into());
    out.form_info.date = Some("14 พฤษภาคม 2566".into());
    let s = exact_form_match(&one(constituency()), &one(out.clone()));
    assert_eq!(s.value, ScoreValue::Bool(true), "{:?}", s.explanation);
    out.form_info.sub_district = Some("บางพลัด".into());
    let s = exact_form_match(&one(constituency()), &one(out));
    assert_eq!(s.value, ScoreValue::Bool(false));
    let wrong: Vec<_> = s
        .details
        .iter()
        .filter(|d| !d.ok)
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(wrong, vec!["Constituency.form_info.sub_district"]);
}

#[test]
fn null_is_not_zero_in_ballot_accuracy() {
    // The fixture's bad_ballots is 4: every variant below differs from it.
    let with_bad = |v: Option<u64>| {
        let mut r = constituency();
        r.ballot_statistics.bad_ballots = v;
        one(r)
    };
    let score = |label: Option<u64>, output: Option<u64>| {
        ballot_accuracy_score(&with_bad(label), &with_bad(output))
            .value
            .as_f64()
    };
    let five_of_six = 5.0 / 6.0;
    assert!(
        (score(Some(0), None) - five_of_six).abs() < 1e-12,
        "label 0, output unreadable"
    );
    assert!(
        (score(None, Some(0)) - five_of_six).abs() < 1e-12,
        "label unreadable, output 0"
    );
    assert!(
        (score(Some(0), Some(4)) - five_of_six).abs() < 1e-12,
        "0 is a value like any other"
    );
    assert_eq!(score(Some(0), Some(0)), 1.0, "0 read as 0");
    assert_eq!(score(None, None), 1.0, "unreadable read as unreadable");
}

#[test]
fn missing_and_invented_rows_both_cost() {
    let label = one(constituency()); // rows 1..4
    let mut out = constituency();
    out.vote_results.truncate(3); // row 4 missing
    assert!(
        (vote_results_quality(&label, &one(out.clone()))
            .value
            .as_f64()
            - 0.75)
            .abs()
            < 1e-12
    );
    out.vote_results.push(row(5, 0, "ศูนย์")); // invented row 5, still 3 correct of max(4, 4)
    assert!(
        (vote_results_quality(&label, &one(out.clone()))
            .value
            .as_f64()
            - 0.75)
            .abs()
            < 1e-12
    );
    let mut extra = constituency();
    extra.vote_results.push(row(5, 1, "หนึ่ง"));
    extra.vote_results.push(row(6, 1, "หนึ่ง"));
    assert!((vote_results_quality(&label, &one(extra)).value.as_f64() - 4.0 / 6.0).abs() < 1e-12);
    let mut dup = constituency();
    dup.vote_results.push(row(1, 200, "สองร้อย")); // duplicate number counts as invented
    let s = vote_results_quality(&label, &one(dup));
    assert!((s.value.as_f64() - 4.0 / 5.0).abs() < 1e-12);
    assert!(s
        .details
        .iter()
        .any(|d| d.note.as_deref().is_some_and(|n| n.contains("invented"))));
}

#[test]
fn wrong_vote_count_is_a_wrong_row() {
    let mut out = constituency();
    out.vote_results[2].vote_count = Some(16); // 76 misread as 16
    let s = vote_results_quality(&one(constituency()), &one(out));
    assert!((s.value.as_f64() - 0.75).abs() < 1e-12);
    let bad: Vec<_> = s
        .details
        .iter()
        .filter(|d| !d.ok)
        .map(|d| d.field.clone())
        .collect();
    assert_eq!(bad, vec!["Constituency.vote_results[#3].vote_count"]);
}

#[test]
fn reports_pair_by_form_type_not_position() {
    let reversed = ReportSet(vec![party_list(), constituency()]);
    assert_eq!(evaluate_record(&both(), Ok(&reversed)).overall, 1.0);
    let only_constituency = one(constituency());
    let s = evaluate_record(&both(), Ok(&only_constituency));
    assert!(!flag(&s, names::EXACT_FORM_MATCH));
    assert!((val(&s, names::BALLOT_ACCURACY) - 0.5).abs() < 1e-12);
    assert!((val(&s, names::VOTE_RESULTS_QUALITY) - 4.0 / 6.0).abs() < 1e-12);
}

#[test]
fn original_inconsistent_label_is_flagged_by_the_audit() {
    // The original record: ballots_used 439 copied from good, while 439 + 4 + 17 = 460.
    let mut label = constituency();
    label.ballot_statistics.ballots_used = Some(439);
    let flags = audit_label(&one(label));
    let ids: Vec<_> = flags.iter().map(|f| f.identity.as_str()).collect();
    assert_eq!(ids, vec!["I1", "I2"]);
    assert!(
        flags[0].message.contains("439") && flags[0].message.contains("460"),
        "{}",
        flags[0].message
    );
    assert!(audit_label(&both()).is_empty());
}

#[test]
fn arithmetic_consistency_checks_sum_and_words() {
    let mut out = constituency();
    out.vote_results[2].vote_count = Some(77); // Σ = 440 ≠ 439, and 77 ≠ เจ็ดสิบหก
    let s = evaluate_record(&one(constituency()), Ok(&one(out.clone())));
    assert!(!flag(&s, names::ARITHMETIC_CONSISTENCY));
    let ids: Vec<_> = s
        .arithmetic_flags
        .iter()
        .map(|f| f.identity.as_str())
        .collect();
    assert_eq!(ids, vec!["I3", "I4"]);
    out.vote_results[2].vote_count = None; // unreadable rows make I3 uncheckable, not false
    out.vote_results[2].vote_count_text = None;
    assert!(check_identities(&out).is_empty());
    let mut words = constituency();
    words.vote_results[0].vote_count_text = Some("สองร้อยบาท?".into());
    assert_eq!(check_identities(&words)[0].identity, "I4");
}

#[test]
fn thai_words_with_eds_variants_pass_i4() {
    let mut r = constituency();
    r.vote_results = vec![row(1, 101, "หนึ่งร้อยหนึ่ง"), row(2, 338, "(สามร้อยสามสิบแปด)")];
    r.ballot_statistics.good_ballots = Some(439);
    assert!(
        check_identities(&r).is_empty(),
        "{:?}",
        check_identities(&r)
    );
}

#[test]
fn failed_record_scores_zero() {
    let s = evaluate_record(&both(), Err("timeout"));
    assert!(!flag(&s, names::HAS_NO_ERRORS) && !flag(&s, names::EXACT_FORM_MATCH));
    assert_eq!(s.overall, 0.0);
    assert_eq!(
        s.scores.len(),
        EVALUATORS
            .iter()
            .filter(|e| matches!(e.scorer, Scorer::Output(_)))
            .count(),
        "every evaluator computed from outputs scores a failure (the judge only when it runs)"
    );
    assert!(s.scores.iter().all(|x| x.value.as_f64() == 0.0));
    assert_eq!(
        s.get(names::HAS_NO_ERRORS).unwrap().explanation.as_deref(),
        Some("timeout")
    );
}

#[test]
fn summary_counts_failures_as_zero_and_averages_repetitions() {
    let good = evaluate_record(&both(), Ok(&both()));
    let bad = failed_record("boom");
    let scored = [
        summary::ScoredRecord {
            record_id: "a",
            scores: &good,
        },
        summary::ScoredRecord {
            record_id: "b",
            scores: &bad,
        },
    ];
    let m = summary::summarize(&scored, 7);
    let success = m.get("success_rate").unwrap();
    assert!((m.value(OVERALL_METRIC) - 0.5).abs() < 1e-12);
    assert!((success.value - 0.5).abs() < 1e-12);
    assert_eq!(success.method, "wilson");
    assert!(success.ci_low < 0.5 && success.ci_high > 0.5);
    // Arithmetic consistency is a property of outputs: over the one that parsed.
    let arith = m.get("arithmetic_consistency_rate").unwrap();
    assert_eq!((arith.n, arith.value), (1, 1.0));
    let order: Vec<_> = m.estimates.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected = vec![OVERALL_METRIC];
    expected.extend(
        EVALUATORS
            .iter()
            .filter(|e| e.name != names::LLM_JUDGE)
            .map(|e| e.metric),
    );
    assert_eq!(
        order, expected,
        "overall, then the registry's order; no judge metric when no judge ran"
    );
    assert!(m.per_field.iter().all(|f| f.total > 0 && f.accuracy == 1.0));
    // Two repetitions of record "a", one failed: record a averages to 0.5.
    let scored = [
        summary::ScoredRecord {
            record_id: "a",
            scores: &good,
        },
        summary::ScoredRecord {
            record_id: "a",
            scores: &bad,
        },
    ];
    let m = summary::summarize(&scored, 7);
    assert_eq!(m.get(OVERALL_METRIC).unwrap().n, 1);
    assert!((m.value("success_rate") - 0.5).abs() < 1e-12);
}

#[test]
fn zero_written_as_a_dash_agrees_with_zero_digits() {
    let mut r = constituency();
    r.vote_results[3].vote_count_text = Some("-".into()); // row 4 has 0 votes
    assert!(
        check_identities(&r).is_empty(),
        "{:?}",
        check_identities(&r)
    );
    r.vote_results[3].vote_count = Some(5);
    r.vote_results[3].vote_count_text = Some("(-)".into());
    let ids: Vec<_> = check_identities(&r)
        .into_iter()
        .map(|f| f.identity)
        .collect();
    assert!(ids.contains(&"I4".to_string()), "{ids:?}");
}

/// With a judge, its metric and the original's weighted overall join the summary; a trial the
/// judge could not score is left out of both, not counted as 0.
#[test]
fn a_judged_summary_reports_the_judge_and_the_weighted_overall() {
    let judged = |record: &str, value: f64| {
        let mut s = evaluate_record(&both(), Ok(&both()));
        s.scores.push(judge::verdict_score(&judge::Verdict {
            score: value,
            summary: format!("{record} judged"),
            reasoning: String::new(),
            errors: Vec::new(),
        }));
        s
    };
    let (a, b) = (judged("a", 0.5), judged("b", 1.0));
    let mut c = evaluate_record(&both(), Ok(&both()));
    c.unscored.push(shared::Unscored {
        name: names::LLM_JUDGE.into(),
        reason: "the judge's answer is not JSON".into(),
    });
    let scored: Vec<_> = [("a", &a), ("b", &b), ("c", &c)]
        .into_iter()
        .map(|(record_id, scores)| summary::ScoredRecord { record_id, scores })
        .collect();
    let m = summary::summarize(&scored, 7);
    let judge = m.get("avg_llm_judge_score").unwrap();
    assert_eq!((judge.n, judge.value), (2, 0.75));
    let weighted = m.get(judge::WEIGHTED_METRIC).unwrap();
    // Every rule-based part is 1: 0.70 + 0.30 · judge, over the two judged records.
    assert_eq!(weighted.n, 2);
    assert!(
        (weighted.value - (0.70 + 0.30 * 0.75)).abs() < 1e-12,
        "{}",
        weighted.value
    );
    assert!(
        (m.value(OVERALL_METRIC) - 1.0).abs() < 1e-12,
        "overall keeps its three parts"
    );
}
