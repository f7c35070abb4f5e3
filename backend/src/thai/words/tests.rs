use super::*;
use proptest::prelude::*;

const EXAMPLES: [(u64, &str); 17] = [
    (0, "ศูนย์"),
    (8, "แปด"),
    (10, "สิบ"),
    (11, "สิบเอ็ด"),
    (20, "ยี่สิบ"),
    (21, "ยี่สิบเอ็ด"),
    (76, "เจ็ดสิบหก"),
    (100, "หนึ่งร้อย"),
    (101, "หนึ่งร้อยเอ็ด"),
    (105, "หนึ่งร้อยห้า"),
    (110, "หนึ่งร้อยสิบ"),
    (123, "หนึ่งร้อยยี่สิบสาม"),
    (460, "สี่ร้อยหกสิบ"),
    (1050, "หนึ่งพันห้าสิบ"),
    (1234, "หนึ่งพันสองร้อยสามสิบสี่"),
    (23_122, "สองหมื่นสามพันหนึ่งร้อยยี่สิบสอง"),
    (1_000_001, "หนึ่งล้านเอ็ด"),
];

#[test]
fn reference_examples_both_ways() {
    for (n, w) in EXAMPLES {
        assert_eq!(to_words(n).as_deref(), Ok(w), "{n}");
        assert_eq!(parse_words(w), Ok(n), "{w}");
    }
    assert_eq!(
        to_words(MAX_WORDS_VALUE).as_deref(),
        Ok("เก้าล้านเก้าแสนเก้าหมื่นเก้าพันเก้าร้อยเก้าสิบเก้า")
    );
}

#[test]
fn accepted_variants() {
    for (s, n) in [
        ("หนึ่งร้อยหนึ่ง", 101),
        ("ร้อยเอ็ด", 101),
        ("ร้อยยี่สิบ", 120),
        ("พันห้าสิบ", 1050),
        ("หมื่น", 10_000),
        ("แสนสอง", 100_002),
        ("ล้าน", 1_000_000),
        ("หนึ่งล้านหนึ่ง", 1_000_001),
        ("ห้าสิบหนึ่ง", 51),
        ("หนึ่ง", 1),
        ("(เจ็ดสิบหก)", 76),
        ("（เจ็ดสิบหก）", 76),
        ("( เจ็ด สิบ หก )", 76),
        ("  หนึ่ง ร้อย\u{00A0}ยี่ สิบ\u{200B}สาม  ", 123),
        ("สี่ร้อยหกสิบคะแนน", 460),
        ("สี่ร้อยหกสิบ คะแนน ถ้วน", 460),
        ("สี่ร้อยหกสิบถ้วน คะแนน", 460),
        ("สามร้อยบัตร", 300),
        ("สิบสองคน", 12),
        ("ร้อยถ้วน", 100),
        ("ศูนย์คะแนน", 0),
        // Tone mark typed before the vowel.
        ("หน\u{0E48}\u{0E36}งร้อย", 100),
        ("ส\u{0E48}\u{0E35}สิบ", 40),
    ] {
        assert_eq!(parse_words(s), Ok(n), "{s:?}");
    }
}

fn is_malformed(r: Result<u64, WordsError>) -> bool {
    matches!(r, Err(WordsError::Malformed { .. }))
}

#[test]
fn rejects_malformed_numbers() {
    for s in [
        "สิบร้อย",
        "ร้อยร้อย",
        "หนึ่งสิบ",
        "สองสิบ",
        "ยี่",
        "ยี่ร้อย",
        "สองยี่สิบ",
        "เอ็ด",
        "เอ็ดสิบ",
        "สองสาม",
        "หนึ่งร้อยสองสาม",
        "สิบเอ็ดร้อย",
        "ร้อยเอ็ดสอง",
        "สิบสองเอ็ด",
        "พันร้อยพัน",
        "ห้าร้อยพัน",
        "หนึ่งพันร้อย",
        "ล้านแสน",
        "ล้านล้าน",
        "หนึ่งศูนย์",
        "ศูนย์ศูนย์",
        "หนึ่งร้อยศูนย์ห้า",
        "คะแนน",
        "ถ้วน",
        "คะแนนคะแนน",
        "ห้าคะแนนคะแนน",
        "ถ้วนห้า",
        "ห้าคะแนนสิบ",
        "สิบสิบ",
        "ยี่สิบสิบ",
    ] {
        assert!(
            is_malformed(parse_words(s)),
            "{s:?} gave {:?}",
            parse_words(s)
        );
    }
}

#[test]
fn rejects_empty_unknown_and_out_of_range() {
    assert_eq!(parse_words(""), Err(WordsError::Empty));
    assert_eq!(parse_words(" \u{200B} "), Err(WordsError::Empty));
    assert_eq!(parse_words("()"), Err(WordsError::Empty));
    assert_eq!(
        parse_words("ห้า สิบx"),
        Err(WordsError::UnknownText {
            at: 7,
            rest: "x".to_string()
        })
    );
    assert!(matches!(
        parse_words("76"),
        Err(WordsError::UnknownText { at: 0, .. })
    ));
    assert!(matches!(
        parse_words("(ห้า"),
        Err(WordsError::UnknownText { at: 0, .. })
    ));
    assert!(matches!(
        parse_words("ห้าบาท"),
        Err(WordsError::UnknownText { .. })
    ));
    assert_eq!(
        parse_words("สิบล้าน"),
        Err(WordsError::OutOfRange(10_000_000))
    );
    assert_eq!(
        parse_words("สิบเอ็ดล้าน"),
        Err(WordsError::OutOfRange(11_000_000))
    );
    assert_eq!(
        to_words(10_000_000),
        Err(WordsError::OutOfRange(10_000_000))
    );
}

#[test]
fn error_positions_point_at_the_offending_word() {
    match parse_words("สิบ ร้อย") {
        Err(WordsError::Malformed { at, .. }) => assert_eq!(at, 4),
        other => panic!("{other:?}"),
    }
}

#[test]
fn exhaustive_round_trip_below_twenty_thousand() {
    for n in 0..=20_000 {
        let w = to_words(n).unwrap_or_default();
        assert_eq!(parse_words(&w), Ok(n), "{w}");
        assert_eq!(parse_words(&w.replace("เอ็ด", "หนึ่ง")), Ok(n), "{w}");
    }
}

/// Every spelling parse_words may accept for `v`: canonical, units เอ็ด → หนึ่ง, and the
/// leading หนึ่ง dropped before a place of a hundred or more.
fn accepted_spellings(v: u64) -> Vec<String> {
    let canonical = to_words(v).unwrap_or_default();
    let mut out = vec![canonical.clone(), canonical.replace("เอ็ด", "หนึ่ง")];
    for s in out.clone() {
        if let Some(rest) = s.strip_prefix("หนึ่ง") {
            if ["ร้อย", "พัน", "หมื่น", "แสน", "ล้าน"]
                .iter()
                .any(|p| rest.starts_with(p))
            {
                out.push(rest.to_string());
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn round_trip(n in 0..=MAX_WORDS_VALUE) {
        let w = to_words(n).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parse_words(&w), Ok(n));
        prop_assert_eq!(parse_words(&w.replace("เอ็ด", "หนึ่ง")), Ok(n));
    }

    #[test]
    fn above_max_errors(n in (MAX_WORDS_VALUE + 1)..=u64::MAX) {
        prop_assert_eq!(to_words(n), Err(WordsError::OutOfRange(n)));
    }

    #[test]
    fn never_a_wrong_value(words in prop::collection::vec(prop::sample::select(
        LEXICON.iter().map(|(w, _)| *w).filter(|w| !["คะแนน", "บัตร", "คน"].contains(w)).collect::<Vec<_>>()
    ), 1..7)) {
        let s = words.concat();
        if let Ok(v) = parse_words(&s) {
            prop_assert!(v <= MAX_WORDS_VALUE);
            prop_assert!(accepted_spellings(v).contains(&s), "{} parsed as {}", s, v);
        }
    }

    #[test]
    fn never_panics(s in "\\PC{0,24}") {
        let _ = parse_words(&s);
    }
}
