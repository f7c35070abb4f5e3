use proptest::prelude::*;

use super::extract;
use crate::dataset::{generate_record, GeneratorConfig, NoiseLevel};

fn config() -> GeneratorConfig {
    GeneratorConfig {
        seed: 11,
        records: 0,
        noise: NoiseLevel::Heavy,
        max_parties: Some(20),
        ..Default::default()
    }
}

/// The largest char boundary at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in ".*") {
        let _ = extract(&s);
    }

    #[test]
    fn never_panics_on_form_like_text(
        s in "(แบบ ส.ส. 5/18( \\(บช\\))?|[0-9๐-๙]{1,25}(\\.[0-9]){0,3}|บัตรดี|บัตรเสีย|ที่ใช้|เหลือ|จัดสรร|รวมคะแนนทั้งสิ้น|\\(|\\)|-|\\?|…|[ก-ฮ]{1,4}|หนึ่งร้อยเอ็ด|สิบ| |\n){0,60}"
    ) {
        let _ = extract(&s);
    }

    #[test]
    fn never_panics_on_mutated_generated_text(
        index in 0usize..40,
        cut in (any::<usize>(), any::<usize>()),
        drops in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let text = generate_record(&config(), index).input.text.unwrap_or_default();
        let mut lines: Vec<&str> = text.lines().collect();
        for d in drops {
            if !lines.is_empty() {
                lines.remove(d % lines.len());
            }
        }
        let joined = lines.join("\n");
        let a = floor_boundary(&joined, cut.0 % (joined.len() + 1));
        let b = floor_boundary(&joined, cut.1 % (joined.len() + 1));
        let (a, b) = (a.min(b), a.max(b));
        let _ = extract(&joined);
        let _ = extract(&joined[a..b]);
        let _ = extract(&joined[..a]);
    }
}
