use shared::report::{FormType, ReportSet};

use super::*;
use crate::dataset::{builtin_dataset, generate, GeneratorConfig, NoiseLevel};

/// Matching fields and all fields: the six ballot counts of each labelled form plus the
/// vote count of each labelled row (matched by number).
fn score(label: &ReportSet, out: &ReportSet) -> (usize, usize) {
    let (mut ok, mut all) = (0, 0);
    for want in &label.0 {
        let got = want.form_info.form_type.and_then(|t| out.by_type(t));
        for (i, (_, v)) in want.ballot_statistics.fields().into_iter().enumerate() {
            all += 1;
            if got.is_some_and(|g| g.ballot_statistics.fields()[i].1 == v) {
                ok += 1;
            }
        }
        for row in &want.vote_results {
            all += 1;
            let found = got.and_then(|g| g.vote_results.iter().find(|r| r.number == row.number));
            if found.is_some_and(|r| r.vote_count == row.vote_count) {
                ok += 1;
            }
        }
    }
    (ok, all)
}

fn accuracy(noise: NoiseLevel, records: usize) -> f64 {
    let config = GeneratorConfig {
        seed: 7,
        records,
        noise,
        party_list: true,
        max_parties: None,
        election: None,
    };
    let (mut ok, mut all) = (0, 0);
    for record in generate(&config) {
        let out = extract(record.input.text.as_deref().unwrap_or("")).unwrap_or_default();
        let (o, a) = score(&record.expected_output, &out);
        ok += o;
        all += a;
    }
    ok as f64 / all as f64
}

#[test]
fn accuracy_on_realistic_noise_is_high_but_not_perfect() {
    let acc = accuracy(NoiseLevel::Realistic, 200);
    println!("rules-v1 field accuracy, realistic noise, 200 records: {acc:.4}");
    assert!((0.5..=0.995).contains(&acc), "{acc}");
}

#[test]
fn accuracy_on_heavy_noise_is_lower() {
    let heavy = accuracy(NoiseLevel::Heavy, 200);
    println!("rules-v1 field accuracy, heavy noise, 200 records: {heavy:.4}");
    assert!(
        heavy > 0.3 && heavy < accuracy(NoiseLevel::Realistic, 200),
        "{heavy}"
    );
}

#[test]
fn clean_text_is_read_almost_perfectly() {
    let acc = accuracy(NoiseLevel::None, 100);
    println!("rules-v1 field accuracy, no noise, 100 records: {acc:.4}");
    assert!(acc >= 0.99, "{acc}");
}

#[test]
fn clean_text_gives_the_whole_label() {
    let config = GeneratorConfig {
        seed: 3,
        records: 30,
        noise: NoiseLevel::None,
        max_parties: Some(12),
        ..Default::default()
    };
    for record in generate(&config) {
        let out = extract(record.input.text.as_deref().unwrap_or("")).expect("forms");
        assert_eq!(out.0.len(), 2);
        for want in &record.expected_output.0 {
            let got = want
                .form_info
                .form_type
                .and_then(|t| out.by_type(t))
                .expect("same form");
            assert_eq!(got.form_info, want.form_info, "{}", record.id);
            assert_eq!(got.voter_statistics, want.voter_statistics);
            assert_eq!(got.ballot_statistics, want.ballot_statistics);
            assert_eq!(got.vote_results.len(), want.vote_results.len());
            for (g, w) in got.vote_results.iter().zip(&want.vote_results) {
                // A zero written "-" in the words column is kept as written.
                let text = if g.vote_count_text.as_deref() == Some("-") {
                    &w.vote_count_text
                } else {
                    &g.vote_count_text
                };
                assert_eq!(
                    (&g.number, &g.candidate_name, &g.party_name, g.vote_count),
                    (&w.number, &w.candidate_name, &w.party_name, w.vote_count)
                );
                assert_eq!(text, &w.vote_count_text, "{}", record.id);
            }
        }
    }
}

#[test]
fn reads_the_true_used_count_where_the_builtin_label_is_wrong() {
    let first = builtin_dataset().into_iter().next().expect("record");
    let out = extract(first.input.text.as_deref().unwrap_or("")).expect("forms");
    let c = out.by_type(FormType::Constituency).expect("constituency");
    assert_eq!(c.ballot_statistics.ballots_used, Some(460));
    assert_eq!(c.form_info.sub_district.as_deref(), Some("บางบำหรุ"));
    assert!(out.by_type(FormType::PartyList).is_some());
}

#[test]
fn repairs_a_hand_written_example() {
    let text = "แบบ ส.ส. ๕/๑๘\nรายงานผลการนับคะแนน แบบแบ่งเขตเลือกตั้ง\n\
        ๑.๑ จำนวนผู้มีสิทธิเลือกตั้งตามบัญชีรายชื่อ ๘๐๖ คน\n1.2 จำนวนผู้มีสิทธิเลือกตั้งที่มาแสดงตน 460 คน\n\
        2.1 จำนวนบัตรเลือกตั้งที่ได้รับจัดสรร 620 บัตร\n2.2 จำนวนบัตรเลือกตั้งที่ใช้ ? บัตร\n\
        2.2.1 บัตรดี 27 บัตร\n2.2.2 บัตรเสีย 9 บัตร (สี่)\n2.2.3 บัตรที่ไม่เลือกผู้สมัครผู้ใด 17 บัตร\n\
        1 นายก ข พรรคค 16 (สิบ)\n2 นางง จ พรรคฉ 217 (สิบเจ็ด)\nรวมคะแนนทั้งสิ้น 27";
    let out = extract(text).expect("form");
    let r = &out.0[0];
    assert_eq!(r.form_info.form_type, Some(FormType::Constituency));
    let b = &r.ballot_statistics;
    assert_eq!(
        (
            b.good_ballots,
            b.bad_ballots,
            b.ballots_used,
            b.ballots_remaining
        ),
        (Some(27), Some(4), Some(48), Some(572))
    );
    let votes: Vec<Option<u64>> = r.vote_results.iter().map(|v| v.vote_count).collect();
    assert_eq!(votes, vec![Some(10), Some(17)]);
    assert_eq!(r.vote_results[1].party_name.as_deref(), Some("ฉ"));
}

#[test]
fn unknown_stays_unknown() {
    let out = extract("แบบ ส.ส. 5/18\n2.2.1 บัตรดี ? บัตร\n2.2.2 บัตรเสีย … บัตร").expect("form");
    let b = &out.0[0].ballot_statistics;
    assert_eq!(
        (b.good_ballots, b.bad_ballots, b.ballots_used),
        (None, None, None)
    );
}

#[test]
fn text_longer_than_any_form_set_is_refused_not_read() {
    let huge = "1 นาย ก พรรค ข 12 (สิบสอง)\n".repeat(MAX_TEXT_BYTES / 20);
    assert!(huge.len() > MAX_TEXT_BYTES);
    assert_eq!(
        extract(&huge),
        Err(ExtractError::TooLong { bytes: huge.len() })
    );
}

#[test]
fn no_form_is_an_error() {
    assert_eq!(extract(""), Err(ExtractError::NoForm));
    assert_eq!(extract("hello\nworld 12"), Err(ExtractError::NoForm));
    assert!(ExtractError::NoForm.to_string().contains("5/18"));
}

#[test]
fn every_generated_record_yields_both_forms() {
    let config = GeneratorConfig {
        seed: 1,
        records: 300,
        ..Default::default()
    };
    let texts: Vec<String> = generate(&config).filter_map(|r| r.input.text).collect();
    // Speed is measured by `make bench`, not here.
    let forms: usize = texts
        .iter()
        .map(|t| extract(t).map_or(0, |r| r.0.len()))
        .sum();
    assert_eq!(texts.len(), 300);
    assert_eq!(forms, 600);
}
