use super::*;
use shared::FormType;

const ORIGINAL_STYLE: &str = r#"{
  "form_info": {"form_type": "Constituency", "date": "14/05/2566", "province": "กรุงเทพมหานคร",
    "district": "บางพลัด", "sub_district": "บางบำหรุ", "constituency_number": "7",
    "polling_station_number": "4"},
  "voter_statistics": {"eligible_voters": 806, "voters_present": 460},
  "ballot_statistics": {"ballots_allocated": 620, "ballots_used": 460, "good_ballots": 439,
    "bad_ballots": 4, "no_vote_ballots": 17, "ballots_remaining": 160},
  "vote_results": [{"number": 1, "candidate_name": "นายก", "party_name": "พรรคข",
    "vote_count": 76, "vote_count_text": "เจ็ดสิบหก"}]
}"#;

#[test]
fn parses_plain_object_as_one_report() {
    let set = parse_output(ORIGINAL_STYLE).expect("parse");
    assert_eq!(set.0.len(), 1);
    let r = &set.0[0];
    assert_eq!(r.form_info.form_type, Some(FormType::Constituency));
    assert_eq!(r.voter_statistics.voters_present, Some(460));
    assert_eq!(r.vote_results[0].vote_count, Some(76));
}

#[test]
fn finds_json_in_code_fence_and_prose() {
    let fenced = format!("Here you go:\n```json\n[{ORIGINAL_STYLE}]\n```\nDone.");
    assert_eq!(parse_output(&fenced).expect("fenced").0.len(), 1);
    let prose = format!("The result is {ORIGINAL_STYLE} as requested.");
    assert_eq!(parse_output(&prose).expect("prose").0.len(), 1);
}

#[test]
fn unwraps_the_original_api_envelope() {
    let env = format!(r#"{{"success": true, "data": [{ORIGINAL_STYLE}], "error": null}}"#);
    let set = parse_output(&env).expect("envelope");
    assert_eq!(set.0.len(), 1);
}

#[test]
fn envelope_with_error_is_an_error() {
    let err = parse_output(r#"{"success": false, "data": null, "error": "quota"}"#).unwrap_err();
    assert!(err.to_string().contains("quota"), "{err}");
}

#[test]
fn counts_as_strings_thai_digits_and_words() {
    let raw = r#"[{"form_info": {"form_type": "บัญชีรายชื่อ", "constituency_number": 7},
        "ballot_statistics": {"good_ballots": "๔๓๙", "bad_ballots": "1,004",
           "no_vote_ballots": "สิบเจ็ด", "ballots_used": null, "ballots_remaining": "",
           "ballots_allocated": 620.0},
        "vote_results": []}]"#;
    let r = &parse_output(raw).expect("parse").0[0];
    assert_eq!(r.form_info.form_type, Some(FormType::PartyList));
    assert_eq!(r.form_info.constituency_number.as_deref(), Some("7"));
    let b = &r.ballot_statistics;
    assert_eq!(b.good_ballots, Some(439));
    assert_eq!(b.bad_ballots, Some(1004));
    assert_eq!(b.no_vote_ballots, Some(17));
    assert_eq!(b.ballots_used, None);
    assert_eq!(b.ballots_remaining, None);
    assert_eq!(b.ballots_allocated, Some(620));
}

#[test]
fn reports_the_exact_path_of_a_bad_value() {
    let raw = r#"[{"form_info": {}, "vote_results": [{"number": 1, "vote_count": 3},
        {"number": 2, "vote_count": "lots"}]}]"#;
    let err = parse_output(raw).unwrap_err();
    assert_eq!(
        err,
        ParseError::Field {
            path: "[0].vote_results[1].vote_count".into(),
            message: "\"lots\" is neither a number nor Thai number words".into()
        }
    );
    let neg = r#"{"ballot_statistics": {"good_ballots": -3}}"#;
    assert!(parse_output(neg)
        .unwrap_err()
        .to_string()
        .contains("ballot_statistics.good_ballots"));
    let frac = r#"{"ballot_statistics": {"good_ballots": 2.5}}"#;
    assert!(parse_output(frac).is_err());
}

#[test]
fn bad_json_reports_position() {
    let err = parse_output("{\"form_info\": {\"province\": }").unwrap_err();
    assert!(
        matches!(err, ParseError::BadJson { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn rejects_what_is_not_a_report() {
    assert_eq!(parse_output("   "), Err(ParseError::Empty));
    assert!(matches!(
        parse_output("no json here"),
        Err(ParseError::NoJson(_))
    ));
    assert!(parse_output(r#"{"hello": 1}"#).is_err());
    assert!(parse_output("[]").is_err());
    assert!(parse_output("42").is_err());
    assert!(parse_output(r#"[{"form_info": {"form_type": "Senate"}}]"#).is_err());
}

#[test]
fn null_is_kept_distinct_from_zero() {
    let r = &parse_output(r#"{"ballot_statistics": {"bad_ballots": null, "no_vote_ballots": 0}}"#)
        .expect("parse")
        .0[0];
    assert_eq!(r.ballot_statistics.bad_ballots, None);
    assert_eq!(r.ballot_statistics.no_vote_ballots, Some(0));
}

/// The typed path takes the schema's own shape, and whatever it takes it reads exactly as
/// the lenient path does; everything unusual is left to the lenient path.
#[test]
fn the_typed_path_reads_as_the_lenient_one_or_declines() {
    let canonical = [
        ORIGINAL_STYLE.to_string(),
        format!("[{ORIGINAL_STYLE}, {ORIGINAL_STYLE}]"),
        format!("```json\n[{ORIGINAL_STYLE}]\n```"),
        r#"{"form_info": null, "vote_results": null, "extra": [1, {"a": 2}]}"#.into(),
        r#"{"form_info": {"province": "  กรุงเทพ  ", "district": "\u200b"}, "vote_results": []}"#
            .into(),
        r#"[{"error": "x", "vote_results": [{"number": 1, "vote_count": 0}]}]"#.into(),
        format!(r#"{{"reports": [{ORIGINAL_STYLE}], "note": "ok"}}"#),
        r#"{"reports": [{"error": "x", "reports": [], "vote_results": []}]}"#.into(),
    ];
    for text in &canonical {
        let exact = parse_exact_only(text).unwrap_or_else(|| panic!("typed path declined {text}"));
        assert_eq!(Ok(exact), parse_leniently(text), "{text}");
    }
    let unusual = [
        r#"{"vote_results": [{"number": 1, "vote_count": "๗๖"}]}"#,
        r#"{"vote_results": [{"number": 1, "vote_count": 76.0}]}"#,
        r#"{"vote_results": [{"number": 1, "vote_count": -1}]}"#,
        r#"{"vote_results": [{"number": 4294967296, "vote_count": 1}]}"#,
        r#"{"vote_results": [{"number": 1, "vote_count": 5, "vote_count": 6}]}"#,
        r#"{"vote_results": [], "vote_results": [{"number": 2}]}"#,
        r#"{"form_info": {"form_type": "party list"}}"#,
        r#"{"form_info": {"form_type": "Party\u004cist"}}"#,
        r#"{"form_info": {"constituency_number": 7}}"#,
        r#"{"form_info": {"form_type": {"Constituency": null}}}"#,
        r#"{"ballot_statistics": [1, 2, 3, 4, 5, 6]}"#,
        r#"{"vote_results": [[1, "a", "b", 3, "c"]]}"#,
        r#"{"vote_results": [null]}"#,
        r#"{"vote_results": {"number": 1}}"#,
        r#"{"data": [{"vote_results": []}], "vote_results": []}"#,
        r#"{"error": "quota", "vote_results": []}"#,
        r#"{"output": {"form_info": {}}}"#,
        r#"{"reports": {"form_info": {}}}"#,
        r#"{"reports": [{"vote_results": []}], "data": [{"vote_results": []}]}"#,
        r#"{"reports": [{"vote_results": []}], "error": "x"}"#,
        r#"{"reports": [{"vote_results": []}], "vote_results": []}"#,
        r#"{"reports": [], "reports": [{"vote_results": []}]}"#,
        r#"{"reports": [{"voter_statistics": {}}]}"#,
        r#"{"reports": []}"#,
        r#"{"voter_statistics": {"eligible_voters": 5}}"#,
        r#"[]"#,
        r#"{"vote_results": []} trailing"#,
    ];
    for text in unusual {
        let exact = parse_exact_only(text);
        if let Some(exact) = exact {
            assert_eq!(Ok(exact), parse_leniently(text), "{text}");
        }
        assert_eq!(parse_output(text), parse_leniently(text), "{text}");
    }
    // These must be declined outright: the typed path would read them differently.
    for text in &unusual[..24] {
        assert_eq!(parse_exact_only(text), None, "typed path took {text}");
    }
}
