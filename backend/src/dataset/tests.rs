use shared::report::{FormType, VoteReport};

use super::*;

fn config(noise: NoiseLevel) -> GeneratorConfig {
    GeneratorConfig {
        seed: 42,
        records: 50,
        noise,
        party_list: true,
        max_parties: None,
        election: None,
    }
}

/// I1–I4 of vote-forms §3 on a label.
fn assert_identities(r: &VoteReport) {
    let b = &r.ballot_statistics;
    let get = |v: Option<u64>| v.expect("label counts are all known");
    let (alloc, used, good) = (
        get(b.ballots_allocated),
        get(b.ballots_used),
        get(b.good_ballots),
    );
    let (bad, nv, rem) = (
        get(b.bad_ballots),
        get(b.no_vote_ballots),
        get(b.ballots_remaining),
    );
    assert_eq!(used, good + bad + nv, "I1");
    assert_eq!(rem + used, alloc, "I2");
    let sum: u64 = r.vote_results.iter().map(|v| get(v.vote_count)).sum();
    assert_eq!(sum, good, "I3");
    for v in &r.vote_results {
        let words = v.vote_count_text.as_deref().expect("words");
        assert_eq!(
            crate::thai::words::parse_words(words).ok(),
            v.vote_count,
            "I4"
        );
        assert!(get(v.vote_count) <= good, "S4");
    }
    let voters = &r.voter_statistics;
    assert!(
        get(voters.voters_present) <= get(voters.eligible_voters),
        "S2"
    );
    assert!(used <= get(voters.voters_present), "S1");
    assert!((400..=1200).contains(&get(voters.eligible_voters)));
}

#[test]
fn same_seed_and_index_give_the_same_record() {
    let c = config(NoiseLevel::Realistic);
    let all: Vec<_> = generate(&c).take(5).collect();
    assert_eq!(all[3], generate_record(&c, 3));
    assert_eq!(all[3].id, "gen-42-000003");
    assert_ne!(all[3], all[4]);
    let other = GeneratorConfig {
        seed: 43,
        ..c.clone()
    };
    assert_ne!(generate_record(&other, 3).input.text, all[3].input.text);
}

#[test]
fn labels_satisfy_the_identities() {
    for record in generate(&config(NoiseLevel::Heavy)) {
        let reports = &record.expected_output;
        assert_eq!(reports.0.len(), 2);
        let c = reports
            .by_type(FormType::Constituency)
            .expect("constituency");
        let p = reports.by_type(FormType::PartyList).expect("party list");
        assert!((6..=18).contains(&c.vote_results.len()));
        assert!(p.vote_results.len() == 67 || p.vote_results.len() == 57);
        assert_eq!(c.voter_statistics, p.voter_statistics, "S5");
        assert_identities(c);
        assert_identities(p);
        let text = record.input.text.as_deref().expect("text");
        assert!(text.contains("(บช)") || text.contains("บัญชีรายชื่อ"));
        assert_eq!(
            record.input.num_pages,
            Some(text.matches("--- หน้า").count() as u32)
        );
    }
}

#[test]
fn clean_text_has_no_noise_and_shows_the_true_numbers() {
    let c = GeneratorConfig {
        max_parties: Some(10),
        ..config(NoiseLevel::None)
    };
    for record in generate(&c).take(20) {
        assert_eq!(record.metadata["noise"], serde_json::json!([]));
        let text =
            crate::thai::digits::to_arabic_digits(record.input.text.as_deref().unwrap_or(""));
        let c = record
            .expected_output
            .by_type(FormType::Constituency)
            .expect("constituency");
        let good = c.ballot_statistics.good_ballots.expect("good");
        assert!(text.contains(&format!("บัตรดี {good} บัตร")), "{text}");
        assert_eq!(
            record
                .expected_output
                .by_type(FormType::PartyList)
                .map(|p| p.vote_results.len()),
            Some(10)
        );
    }
}

#[test]
fn noise_levels_log_what_they_did() {
    let count = |noise| -> usize {
        generate(&config(noise))
            .map(|r| r.metadata["noise"].as_array().map_or(0, Vec::len))
            .sum()
    };
    let (light, realistic, heavy) = (
        count(NoiseLevel::Light),
        count(NoiseLevel::Realistic),
        count(NoiseLevel::Heavy),
    );
    assert!(
        light < realistic && realistic < heavy,
        "{light} {realistic} {heavy}"
    );
    let kinds: std::collections::BTreeSet<String> = generate(&config(NoiseLevel::Heavy))
        .flat_map(|r| r.metadata["noise"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["kind"].as_str().map(str::to_string))
        .collect();
    for kind in [
        "digit_confusion",
        "dropped_line",
        "row_shift",
        "number_bleed",
        "letter_noise",
        "unreadable",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
}

#[test]
fn without_party_list_only_the_constituency_form() {
    let c = GeneratorConfig {
        party_list: false,
        ..config(NoiseLevel::Light)
    };
    let r = generate_record(&c, 7);
    assert_eq!(r.expected_output.0.len(), 1);
    assert!(!r.input.text.as_deref().unwrap_or("").contains("(บช)"));
}

#[test]
fn builtin_dataset_has_ten_bang_bamru_units_and_one_label_defect() {
    let records = builtin_dataset();
    assert_eq!(records, builtin_dataset(), "fixed seed");
    assert_eq!(records.len(), 10);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.id, format!("บางบำหรุ{}", i + 1));
        assert_eq!(r.input.form_set_name.as_deref(), Some(r.id.as_str()));
        assert_eq!(r.expected_output.0.len(), 2);
        for report in &r.expected_output.0 {
            let info = &report.form_info;
            assert_eq!(info.sub_district.as_deref(), Some("บางบำหรุ"));
            assert_eq!(info.district.as_deref(), Some("บางพลัด"));
            assert_eq!(info.province.as_deref(), Some("กรุงเทพมหานคร"));
            assert_eq!(info.constituency_number.as_deref(), Some("7"));
            assert_eq!(info.date.as_deref(), Some("14/05/2566"));
            assert_eq!(info.polling_station_number, Some((i + 1).to_string()));
            if i > 0 {
                assert_identities(report);
            }
        }
        assert_eq!(r.metadata.contains_key("label_note"), i == 0);
    }
    let first = &records[0];
    let c = first
        .expected_output
        .by_type(FormType::Constituency)
        .expect("constituency");
    let b = &c.ballot_statistics;
    assert_eq!(
        (
            b.ballots_used,
            b.good_ballots,
            b.bad_ballots,
            b.no_vote_ballots
        ),
        (Some(439), Some(439), Some(4), Some(17))
    );
    let text = crate::thai::normalize::normalize_text(first.input.text.as_deref().unwrap_or(""));
    assert!(
        text.contains("ที่ใช้ 460") || text.contains("ที่ใช้ ?") || text.contains("ที่ใช้ …"),
        "{text}"
    );
    assert_identities(
        first
            .expected_output
            .by_type(FormType::PartyList)
            .expect("party list"),
    );
    let names = |r: &shared::dataset::DatasetRecord| {
        r.expected_output.by_type(FormType::Constituency).map(|c| {
            c.vote_results
                .iter()
                .map(|v| v.candidate_name.clone())
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        names(&records[0]),
        names(&records[9]),
        "one constituency, one roster"
    );
}
