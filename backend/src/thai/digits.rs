//! Thai digits (๐–๙) and lenient parsing of counts as they are written on a form.

/// Unit words that may follow a count on a form ("7 คน", "120 บัตร"); longest first so
/// that one never hides a longer one.
const UNIT_WORDS: [&str; 4] = ["คะแนน", "บัตร", "คน", "ใบ"];

/// The Arabic digit for a Thai digit (U+0E50–U+0E59); any other char is returned unchanged.
pub(crate) fn arabic_digit(c: char) -> char {
    match c {
        '\u{0E50}'..='\u{0E59}' => {
            char::from_u32(u32::from(c) - 0x0E50 + u32::from(b'0')).unwrap_or(c)
        }
        _ => c,
    }
}

/// The Thai digit for an ASCII digit; any other char is returned unchanged.
fn thai_digit(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32(u32::from(c) - u32::from(b'0') + 0x0E50).unwrap_or(c),
        _ => c,
    }
}

/// Replaces every Thai digit ๐–๙ with the ASCII digit 0–9; all other characters are kept.
///
/// ```
/// assert_eq!(tallylab::thai::digits::to_arabic_digits("๑2๓ คน"), "123 คน");
/// ```
pub fn to_arabic_digits(s: &str) -> String {
    s.chars().map(arabic_digit).collect()
}

/// Replaces every ASCII digit 0–9 with the Thai digit ๐–๙; all other characters are kept.
pub fn to_thai_digits(s: &str) -> String {
    s.chars().map(thai_digit).collect()
}

/// Characters accepted between digit groups of one number ("1,234", "1 234"): comma,
/// space, no-break space, figure space, thin space and narrow no-break space.
fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ',' | ' ' | '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}'
    )
}

/// Zero-width characters that OCR and copy-paste leave around numbers.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Parses a non-negative count as written on a form.
///
/// Accepts Thai and Arabic digits in any mix, surrounding whitespace, digit groups
/// separated by "," or a (thin/no-break) space, and one trailing unit word
/// (คะแนน, บัตร, คน, ใบ). When separators are used, the first group has 1–3 digits and
/// every later group exactly 3, so two numbers written side by side ("12 5") are not
/// read as one.
///
/// Returns `None` for empty text, "-", anything that is not a number, and values that
/// overflow `u64`. A dash often means zero on forms, but it is kept distinct from a
/// readable 0 here; the caller decides.
pub fn parse_count(s: &str) -> Option<u64> {
    let trimmed = s.trim_matches(|c: char| c.is_whitespace() || is_zero_width(c));
    let body = UNIT_WORDS
        .iter()
        .find_map(|u| trimmed.strip_suffix(u))
        .map_or(trimmed, |b| {
            b.trim_end_matches(|c: char| c.is_whitespace() || is_zero_width(c))
        });

    let mut value: u64 = 0;
    let mut group_len = 0usize;
    let mut groups = 0usize;
    let mut bad_grouping = false;
    let mut separated = false;
    let mut last_was_separator = false;
    for c in body.chars().filter(|c| !is_zero_width(*c)) {
        let d = arabic_digit(c);
        if let Some(digit) = d.to_digit(10) {
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
            group_len += 1;
            last_was_separator = false;
        } else if is_group_separator(c) && group_len > 0 && !last_was_separator {
            // The first group may be short ("1,234"); every later one must have 3 digits.
            if (groups == 0 && group_len > 3) || (groups > 0 && group_len != 3) {
                bad_grouping = true;
            }
            groups += 1;
            group_len = 0;
            separated = true;
            last_was_separator = true;
        } else {
            return None;
        }
    }
    if group_len == 0 || (separated && (bad_grouping || group_len != 3)) {
        return None;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digit_conversion_both_ways() {
        assert_eq!(to_arabic_digits("๐๑๒๓๔๕๖๗๘๙"), "0123456789");
        assert_eq!(to_thai_digits("0123456789"), "๐๑๒๓๔๕๖๗๘๙");
        assert_eq!(to_arabic_digits("หน่วย ๑2 a"), "หน่วย 12 a");
        assert_eq!(to_thai_digits("เขต 3, x"), "เขต ๓, x");
        assert_eq!(to_arabic_digits(""), "");
    }

    #[test]
    fn parse_count_accepts_form_spellings() {
        assert_eq!(parse_count("123"), Some(123));
        assert_eq!(parse_count("๑๒๓"), Some(123));
        assert_eq!(parse_count("๑2๓"), Some(123));
        assert_eq!(parse_count("  007 "), Some(7));
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("๐"), Some(0));
        assert_eq!(parse_count("1,234"), Some(1234));
        assert_eq!(parse_count("๑,๒๓๔"), Some(1234));
        assert_eq!(parse_count("1 234"), Some(1234));
        assert_eq!(parse_count("1\u{2009}234\u{00A0}567"), Some(1_234_567));
        assert_eq!(parse_count("460 คะแนน"), Some(460));
        assert_eq!(parse_count("๔๖๐คะแนน"), Some(460));
        assert_eq!(parse_count("12 คน"), Some(12));
        assert_eq!(parse_count("350 บัตร"), Some(350));
        assert_eq!(parse_count("5 ใบ"), Some(5));
        assert_eq!(parse_count("\u{200B}42\u{200B}"), Some(42));
        assert_eq!(parse_count("18446744073709551615"), Some(u64::MAX));
    }

    #[test]
    fn parse_count_rejects_non_numbers() {
        for s in [
            "",
            "   ",
            "-",
            "–",
            "คน",
            "12a",
            "1.5",
            "1.234",
            "+7",
            "-7",
            "12 5",
            "1,23",
            "1234,567",
            ",123",
            "123,",
            "1,,234",
            "1, 234",
            "7 คน คน",
            "เจ็ด",
            "o",
            "18446744073709551616",
            "1 234 56",
        ] {
            assert_eq!(parse_count(s), None, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn thai_digits_round_trip(s in "[0-9]{0,40}") {
            prop_assert_eq!(to_arabic_digits(&to_thai_digits(&s)), s);
        }

        #[test]
        fn parse_count_reads_thai_rendering(n in any::<u64>()) {
            prop_assert_eq!(parse_count(&to_thai_digits(&n.to_string())), Some(n));
        }

        #[test]
        fn parse_count_reads_grouped_rendering(n in any::<u64>(), sep in prop::sample::select(vec![",", " ", "\u{2009}"])) {
            let plain = n.to_string();
            let mut grouped = String::new();
            for (i, c) in plain.chars().enumerate() {
                if i > 0 && (plain.len() - i) % 3 == 0 {
                    grouped.push_str(sep);
                }
                grouped.push(c);
            }
            prop_assert_eq!(parse_count(&grouped), Some(n));
        }

        #[test]
        fn parse_count_never_panics(s in "\\PC{0,20}") {
            let _ = parse_count(&s);
        }
    }
}
