//! Fuzz target bodies. Each takes arbitrary bytes, must never panic, and checks the promise
//! its parser makes (a round trip, or idempotence), panicking when it is broken.
//!
//! They run two ways: coverage-guided for a bounded time by cargo-fuzz (`make fuzz`, the
//! crate in `fuzz/`), and by `cargo test` over the seed inputs and every crash found so far
//! (`tests/fuzz_regressions.rs` reads `tests/fuzz/<target>/`).

use crate::dataset::stream::parse_dataset;
use crate::report::parse_output;
use crate::thai::dates::{format_long, format_numeric, parse_date};
use crate::thai::digits::{parse_count, to_arabic_digits, to_thai_digits};
use crate::thai::words::{parse_words, to_words};

/// One fuzz target: its name (the folder of its inputs) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("model_output", model_output),
    ("thai_numbers", thai_numbers),
    ("thai_dates", thai_dates),
    ("dataset_import", dataset_import),
];

/// The model-output parser: whatever it accepts, it accepts again in canonical form and
/// reads the same reports (normalisation is idempotent).
pub fn model_output(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(exact) = crate::report::parse_exact_only(text) {
        assert_eq!(
            Ok(exact),
            crate::report::parse_leniently(text),
            "the typed path read {text:?} unlike the lenient one"
        );
    }
    if let Ok(set) = parse_output(text) {
        let canonical = serde_json::to_string(&set).expect("a report set serialises");
        let again = parse_output(&canonical)
            .unwrap_or_else(|e| panic!("canonical output {canonical} refused: {e}"));
        assert_eq!(again, set, "re-reading {canonical} changed the reports");
    }
}

/// Thai number words and digit counts: words written for a number read back as it; the
/// count parser reads Thai digits as it reads Arabic ones.
pub fn thai_numbers(data: &[u8]) {
    if let Some(bytes) = data.get(..8) {
        let n = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        if let Ok(words) = to_words(n) {
            assert_eq!(parse_words(&words).ok(), Some(n), "{n} written as {words}");
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = parse_words(text) {
        if let Ok(words) = to_words(n) {
            assert_eq!(parse_words(&words).ok(), Some(n), "{text:?} read as {n}");
        }
    }
    let arabic = to_arabic_digits(text);
    assert_eq!(
        parse_count(text),
        parse_count(&arabic),
        "{text:?} and {arabic:?} read differently"
    );
    let _ = parse_count(&to_thai_digits(text));
}

/// Form dates: a parsed date written back either way parses to the same date.
pub fn thai_dates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(date) = parse_date(text) {
        for written in [format_numeric(date), format_long(date)] {
            assert_eq!(
                parse_date(&written),
                Some(date),
                "{text:?} written as {written:?}"
            );
        }
    }
}

/// The dataset importer: records it accepts, written out as a JSON array, import again as
/// the same records.
pub fn dataset_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(records) = parse_dataset(text) {
        let written = serde_json::to_string(&records).expect("records serialise");
        let again = parse_dataset(&written)
            .unwrap_or_else(|e| panic!("written records {written} refused: {e:?}"));
        assert_eq!(again, records, "re-importing {written} changed the records");
    }
}
