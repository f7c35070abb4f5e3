//! Text normalisation for comparing Thai form fields, and place-name matching.

use unicode_normalization::UnicodeNormalization;

use super::digits::{arabic_digit, parse_count};

const NIKHAHIT: char = '\u{0E4D}';
const SARA_AA: char = '\u{0E32}';
const SARA_AM: char = '\u{0E33}';
const SARA_E: char = '\u{0E40}';
const SARA_AE: char = '\u{0E41}';

/// Administrative prefixes dropped before comparing place names. Longer spellings come
/// before their abbreviations only for readability; matching is exact per entry.
const ADMIN_PREFIXES: [&str; 9] = [
    "จังหวัด",
    "อำเภอ",
    "เทศบาล",
    "ตำบล",
    "แขวง",
    "เขต",
    "จ.",
    "อ.",
    "ต.",
];

/// "เขต" followed by this is an electoral constituency, not a Bangkok district.
const CONSTITUENCY: &str = "เลือกตั้ง";

/// The canonical name of Bangkok.
const BANGKOK: &str = "กรุงเทพมหานคร";

/// Spellings of Bangkok (whitespace removed) that mean [`BANGKOK`].
const BANGKOK_ALIASES: [&str; 6] = ["กรุงเทพฯ", "กรุงเทพ", "กทม.", "กทม", "ก.ท.ม.", "กรุงเทพมหานคร"];

/// Whitespace for normalisation purposes: Unicode whitespace (including NBSP and thin
/// spaces) plus the zero-width characters that Thai text uses as invisible word breaks.
pub(crate) fn is_space_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Normalises free text for comparison: Unicode NFC, Thai digits → ASCII digits, every
/// run of whitespace (including NBSP and zero-width spaces) → one space, trimmed.
///
/// Two Thai spellings that NFC leaves apart but that render identically are also unified:
/// nikhahit + sara aa (with an optional tone mark between) → sara am (ำ), a tone mark
/// typed before an above-vowel (ั ิ ี ึ ื) is moved after it, and a doubled sara e (เเ)
/// → sara ae (แ).
pub fn normalize_text(s: &str) -> String {
    // Names, places and numbers mostly arrive already normal: copying them is ~10× cheaper
    // than rebuilding them (normalising was ~8 % of a run's CPU).
    if already_normal(s) {
        return s.to_owned();
    }
    rebuild(s)
}

/// The full normalisation, char by char.
fn rebuild(s: &str) -> String {
    // Most text is already composed (Thai has nothing NFC changes): skip composing it.
    let composed: Vec<char> = match unicode_normalization::is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => s.chars().collect(),
        _ => s.nfc().collect(),
    };
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut i = 0;
    while let Some(&c) = composed.get(i) {
        i += 1;
        if is_space_like(c) {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        let next = composed.get(i).copied();
        let after = composed.get(i + 1).copied();
        match (c, next, after) {
            // Typed or OCR'd sara am often arrives as its two visual parts.
            (NIKHAHIT, Some(SARA_AA), _) => {
                out.push(SARA_AM);
                i += 1;
            }
            (NIKHAHIT, Some(tone @ '\u{0E48}'..='\u{0E4B}'), Some(SARA_AA)) => {
                out.push(tone);
                out.push(SARA_AM);
                i += 2;
            }
            // A tone mark typed before an above-vowel renders the same; NFC leaves it
            // because those vowels have combining class 0.
            (
                tone @ '\u{0E48}'..='\u{0E4B}',
                Some(v @ ('\u{0E31}' | '\u{0E34}'..='\u{0E37}')),
                _,
            ) => {
                out.push(v);
                out.push(tone);
                i += 1;
            }
            // Thai never writes two sara e in a row; it is a typed แ.
            (SARA_E, Some(SARA_E), _) => {
                out.push(SARA_AE);
                i += 1;
            }
            _ => out.push(arabic_digit(c)),
        }
    }
    out
}

/// Whether [`normalize_text`] would return `s` unchanged, decided conservatively in one
/// pass: ASCII and Thai letters, single inner ASCII spaces, and none of the sequences the
/// normaliser rewrites (Thai digits, nikhahit, a tone before an above-vowel, เเ). Anything
/// else (other scripts, which NFC may change) takes the full path.
fn already_normal(s: &str) -> bool {
    let mut after_space = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let plain = match c {
            ' ' => !after_space,
            '\u{0E50}'..='\u{0E59}' | NIKHAHIT => false,
            '\u{0E48}'..='\u{0E4B}' => {
                !matches!(chars.peek(), Some('\u{0E31}' | '\u{0E34}'..='\u{0E37}'))
            }
            SARA_E => chars.peek() != Some(&SARA_E),
            '\u{0E00}'..='\u{0E7F}' => true,
            c => c.is_ascii() && !c.is_ascii_whitespace() && !c.is_ascii_control(),
        };
        if !plain {
            return false;
        }
        after_space = c == ' ';
    }
    !after_space || s.is_empty()
}

/// Strips one administrative prefix from `s` (which is already trimmed), returning the
/// trimmed remainder, or `None` when `s` does not start with a prefix.
fn strip_one_prefix(s: &str) -> Option<&str> {
    ADMIN_PREFIXES.iter().find_map(|p| {
        let rest = s.strip_prefix(p)?.trim_start_matches(is_space_like);
        if *p == "เขต" && rest.starts_with(CONSTITUENCY) {
            return None;
        }
        Some(rest)
    })
}

/// Removes leading administrative prefixes (จังหวัด, จ., อำเภอ, อ., เขต, แขวง, ตำบล, ต.,
/// เทศบาล, repeatedly, each with any following space) and maps the Bangkok aliases
/// กรุงเทพฯ / กรุงเทพ / กทม. to กรุงเทพมหานคร. The result is trimmed.
///
/// "เขตเลือกตั้ง…" (a constituency) is left alone, and a text that consists only of
/// prefixes ("จังหวัด", "เทศบาลตำบล") is returned unchanged rather than emptied, so it
/// cannot compare equal to every other bare prefix or to a blank field.
pub fn strip_admin_prefix(s: &str) -> String {
    let original = s.trim_matches(is_space_like);
    let mut rest = original;
    while let Some(next) = strip_one_prefix(rest) {
        rest = next;
        if rest.is_empty() {
            return original.to_string();
        }
    }
    let compact: String = rest.chars().filter(|c| !is_space_like(*c)).collect();
    if BANGKOK_ALIASES.contains(&compact.as_str()) {
        return BANGKOK.to_string();
    }
    rest.to_string()
}

/// The comparison key of a place name: [`normalize_text`], then [`strip_admin_prefix`],
/// then all spaces removed. "จ. ขอนแก่น", "จังหวัดขอนแก่น" and "ขอน แก่น" share a key.
pub fn normalize_place(s: &str) -> String {
    strip_admin_prefix(&normalize_text(s))
        .chars()
        .filter(|c| !is_space_like(*c))
        .collect()
}

/// Whether two place names denote the same place by [`normalize_place`]. Two blank
/// fields are equal; a bare prefix only equals the same bare prefix.
pub fn same_place(a: &str, b: &str) -> bool {
    normalize_place(a) == normalize_place(b)
}

/// Compares two numeric fields as numbers: "07", "7", "๗" and " 7 " are all equal.
///
/// Both sides are read with [`parse_count`](super::digits::parse_count) (so a trailing unit word is ignored); if
/// either side is not a number, the texts are compared after
/// [`normalize_text`].
pub fn numbers_equal(a: &str, b: &str) -> bool {
    match (parse_count(a), parse_count(b)) {
        (Some(x), Some(y)) => x == y,
        _ => normalize_text(a) == normalize_text(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_text_collapses_and_converts() {
        assert_eq!(
            normalize_text("  หน่วย\u{00A0}\u{00A0}ที่\u{200B}๑๒  "),
            "หน่วย ที่ 12"
        );
        assert_eq!(normalize_text("a\t\n b"), "a b");
        assert_eq!(normalize_text("\u{200B}\u{FEFF} "), "");
        assert_eq!(normalize_text(""), "");
        // Decomposed and composed forms agree.
        assert_eq!(normalize_text("e\u{0301}"), normalize_text("\u{00E9}"));
    }

    #[test]
    fn normalize_text_unifies_thai_lookalikes() {
        assert_eq!(normalize_text("อ\u{0E4D}\u{0E32}เภอ"), "อำเภอ");
        assert_eq!(
            normalize_text("น\u{0E4D}\u{0E49}\u{0E32}"),
            "น\u{0E49}\u{0E33}"
        );
        assert_eq!(
            normalize_text("น\u{0E49}\u{0E4D}\u{0E32}"),
            "น\u{0E49}\u{0E33}"
        );
        assert_eq!(normalize_text("\u{0E40}\u{0E40}ขวง"), "แขวง");
        assert_eq!(normalize_text("\u{0E4D}"), "\u{0E4D}");
        assert_eq!(normalize_text("หน\u{0E48}\u{0E36}ง"), "หนึ่ง");
        assert_eq!(normalize_text("ส\u{0E48}\u{0E35}"), "สี่");
    }

    #[test]
    fn strips_prefixes() {
        assert_eq!(strip_admin_prefix("จังหวัดขอนแก่น"), "ขอนแก่น");
        assert_eq!(strip_admin_prefix("จ. ขอนแก่น"), "ขอนแก่น");
        assert_eq!(strip_admin_prefix("จ.ขอนแก่น"), "ขอนแก่น");
        assert_eq!(strip_admin_prefix("อำเภอเมืองขอนแก่น"), "เมืองขอนแก่น");
        assert_eq!(strip_admin_prefix("อ.เมือง"), "เมือง");
        assert_eq!(strip_admin_prefix("ตำบล ในเมือง"), "ในเมือง");
        assert_eq!(strip_admin_prefix("ต.ในเมือง"), "ในเมือง");
        assert_eq!(strip_admin_prefix("เขตบางรัก"), "บางรัก");
        assert_eq!(strip_admin_prefix("แขวงสีลม"), "สีลม");
        assert_eq!(strip_admin_prefix("เทศบาลตำบลบ้านสวน"), "บ้านสวน");
        assert_eq!(strip_admin_prefix("ขอนแก่น"), "ขอนแก่น");
        assert_eq!(strip_admin_prefix("อุดรธานี"), "อุดรธานี");
    }

    #[test]
    fn constituency_is_not_a_district() {
        assert_eq!(strip_admin_prefix("เขตเลือกตั้งที่ 3"), "เขตเลือกตั้งที่ 3");
        assert_eq!(strip_admin_prefix("เขต เลือกตั้งที่ 3"), "เขต เลือกตั้งที่ 3");
        assert!(!same_place("เขตเลือกตั้งที่ 3", "เลือกตั้งที่ 3"));
    }

    #[test]
    fn bare_prefix_is_not_emptied() {
        assert_eq!(strip_admin_prefix("จังหวัด"), "จังหวัด");
        assert_eq!(strip_admin_prefix(" อ. "), "อ.");
        assert_eq!(strip_admin_prefix("เทศบาลตำบล"), "เทศบาลตำบล");
        assert!(!same_place("จังหวัด", ""));
        assert!(!same_place("จังหวัด", "อำเภอ"));
        assert!(!same_place("จังหวัด", "ขอนแก่น"));
        assert!(same_place("จังหวัด", "จังหวัด"));
    }

    #[test]
    fn bangkok_aliases() {
        for s in [
            "กรุงเทพฯ",
            "กทม.",
            "กรุงเทพ",
            "กรุงเทพ ฯ",
            "จังหวัดกรุงเทพฯ",
            "กรุงเทพมหานคร",
            "กรุงเทพ มหานคร",
        ] {
            assert_eq!(normalize_place(s), BANGKOK, "{s:?}");
            assert!(same_place(s, "กรุงเทพมหานคร"), "{s:?}");
        }
        assert!(!same_place("กรุงเทพฯ", "นนทบุรี"));
    }

    #[test]
    fn same_place_ignores_spacing_prefixes_and_forms() {
        assert!(same_place("จ. ขอนแก่น", "ขอนแก่น"));
        assert!(same_place("ขอน แก่น", "จังหวัดขอนแก่น"));
        assert!(same_place("อ.เมือง", "อำเภอ เมือง"));
        assert!(same_place("\u{0E40}\u{0E40}ขวงสีลม", "สีลม"));
        assert!(same_place("หมู่ ๓", "หมู่3"));
        assert!(same_place("", "  "));
        assert!(!same_place("ขอนแก่น", "อุดรธานี"));
        assert!(!same_place("ขอนแก่น", ""));
    }

    #[test]
    fn numbers_equal_compares_values_then_text() {
        assert!(numbers_equal("07", "7"));
        assert!(numbers_equal("๗", " 7 "));
        assert!(numbers_equal("1,234", "๑๒๓๔"));
        assert!(!numbers_equal("7", "17"));
        assert!(numbers_equal("ก", " ก "));
        assert!(!numbers_equal("7", "ก"));
        assert!(numbers_equal("-", "-"));
        assert!(!numbers_equal("-", "0"));
    }

    proptest::proptest! {
        /// The fast path never skips a change the full normalisation would make.
        #[test]
        fn text_judged_normal_is_what_the_full_path_returns(
            s in "[ กขคาำิีึืัเแ่้๊๋ํ๐-๙a-z0-9.\u{00A0}\u{200B}\u{0301}é\t]{0,12}"
        ) {
            if already_normal(&s) {
                proptest::prop_assert_eq!(rebuild(&s), s);
            }
        }
    }

    #[test]
    fn the_fast_path_takes_common_names_and_leaves_the_rest() {
        for plain in ["พรรคเพื่อไทย", "นายสมชาย ใจดี", "12", "", "Bangkok 10"]
        {
            assert!(already_normal(plain), "{plain}");
        }
        for changed in [
            " x",
            "x ",
            "a  b",
            "๑๒",
            "เเ",
            "ก\u{0E4D}\u{0E32}",
            "ก่ิ",
            "a\u{00A0}b",
            "e\u{0301}",
        ] {
            assert!(!already_normal(changed), "{changed}");
        }
    }
}
