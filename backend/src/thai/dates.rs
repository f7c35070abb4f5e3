//! Buddhist-era (พ.ศ.) dates as written on forms: numeric, Thai month names, ISO.

use super::normalize::{is_space_like, normalize_text};

/// A calendar date with a Buddhist-era year (BE = CE + 543).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThaiDate {
    /// Day of the month, from 1.
    pub day: u8,
    /// Month, 1 = มกราคม … 12 = ธันวาคม.
    pub month: u8,
    /// Year of the Buddhist era, e.g. 2566.
    pub year_be: u16,
}

/// Per month: full name, abbreviation without dots, and the clipped colloquial form.
const MONTHS: [(&str, &str, &str); 12] = [
    ("มกราคม", "มค", "มกรา"),
    ("กุมภาพันธ์", "กพ", "กุมภา"),
    ("มีนาคม", "มีค", "มีนา"),
    ("เมษายน", "เมย", "เมษา"),
    ("พฤษภาคม", "พค", "พฤษภา"),
    ("มิถุนายน", "มิย", "มิถุนา"),
    ("กรกฎาคม", "กค", "กรกฎา"),
    ("สิงหาคม", "สค", "สิงหา"),
    ("กันยายน", "กย", "กันยา"),
    ("ตุลาคม", "ตค", "ตุลา"),
    ("พฤศจิกายน", "พย", "พฤศจิกา"),
    ("ธันวาคม", "ธค", "ธันวา"),
];

/// Filler words around the parts of a long date ("วันที่ 14 เดือน พฤษภาคม").
const FILLERS: [&str; 3] = ["วันที่", "เดือน", "ที่"];

/// Accepted four-digit BE years; a four-digit year below 2400 without an era marker is
/// read as CE.
const YEAR_BE_RANGE: std::ops::RangeInclusive<u32> = 2400..=9999;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    Be,
    Ce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Num { value: u32, len: usize },
    Month(u8),
    Era(Era),
}

fn is_separator(c: char) -> bool {
    is_space_like(c) || matches!(c, '/' | '-' | '.' | ',')
}

/// Classifies one word (dots already removed); `None` for text that is not part of a date.
fn classify(word: &str) -> Option<Option<Item>> {
    let mut w = word;
    while let Some(rest) = FILLERS.iter().find_map(|f| w.strip_prefix(f)) {
        w = rest;
    }
    if w.is_empty() {
        return Some(None);
    }
    match w {
        "พศ" => return Some(Some(Item::Era(Era::Be))),
        "คศ" => return Some(Some(Item::Era(Era::Ce))),
        _ => {}
    }
    let m = MONTHS
        .iter()
        .position(|(full, abbr, clipped)| w == *full || w == *abbr || w == *clipped)?;
    Some(Some(Item::Month(u8::try_from(m + 1).ok()?)))
}

/// Splits a normalised date into numbers, month names and era markers; `None` on any
/// other text.
fn scan(s: &str) -> Option<Vec<Item>> {
    let chars: Vec<char> = s.chars().collect();
    let mut items = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let len = i - start;
            if len > 4 {
                return None;
            }
            let value = chars
                .get(start..i)?
                .iter()
                .collect::<String>()
                .parse()
                .ok()?;
            items.push(Item::Num { value, len });
        } else if is_separator(c) {
            i += 1;
        } else {
            // A word runs through dots so that "พ.ค." stays one word.
            let mut word = String::new();
            while let Some(&c) = chars.get(i) {
                if c.is_ascii_digit() || (is_separator(c) && c != '.') {
                    break;
                }
                if c != '.' {
                    word.push(c);
                }
                i += 1;
            }
            if let Some(item) = classify(&word)? {
                items.push(item);
            }
        }
    }
    Some(items)
}

fn is_leap_be(year_be: u16) -> bool {
    let ce = i32::from(year_be) - 543;
    (ce % 4 == 0 && ce % 100 != 0) || ce % 400 == 0
}

fn days_in_month(month: u8, year_be: u16) -> u8 {
    match month {
        2 if is_leap_be(year_be) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn year_be(value: u32, len: usize, era: Option<Era>) -> Option<u16> {
    let be = match (len, era) {
        (2, Some(Era::Ce)) => 2000 + value + 543,
        (2, _) => 2500 + value,
        (4, Some(Era::Be)) => value,
        (4, Some(Era::Ce)) => value + 543,
        (4, None) if value >= *YEAR_BE_RANGE.start() => value,
        (4, None) => value + 543,
        _ => return None,
    };
    if YEAR_BE_RANGE.contains(&be) {
        u16::try_from(be).ok()
    } else {
        None
    }
}

fn build(day: u32, month: u32, year: u16) -> Option<ThaiDate> {
    let day = u8::try_from(day).ok()?;
    let month = u8::try_from(month).ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(month, year) {
        return None;
    }
    Some(ThaiDate {
        day,
        month,
        year_be: year,
    })
}

/// Parses a date as written on a form into a BE date.
///
/// Accepted: "14/05/2566", "14/5/2566", "๑๔/๐๕/๒๕๖๖", "14-05-2566", "14.05.2566",
/// "14 พฤษภาคม 2566", "14 พ.ค. 2566", "14 พฤษภา 66", "วันที่ 14 เดือน พฤษภาคม พ.ศ. 2566",
/// and year-first "2023-05-14". A two-digit year is BE 25xx (20xx CE after ค.ศ.). A
/// four-digit year is BE when ≥ 2400 or marked พ.ศ., and CE (+543) when below 2400 or
/// marked ค.ศ.; the resulting BE year must be in 2400..=9999. Day and month are
/// validated (29 February only in leap years). Anything else is `None`.
pub fn parse_date(s: &str) -> Option<ThaiDate> {
    let items = scan(&normalize_text(s))?;
    let num = |item: &Item, lens: &[usize]| match *item {
        Item::Num { value, len } if lens.contains(&len) => Some((value, len)),
        _ => None,
    };
    let (head, era) = match items.as_slice() {
        [head @ .., Item::Era(e), last @ Item::Num { .. }] => {
            let mut h = head.to_vec();
            h.push(*last);
            (h, Some(*e))
        }
        other => (other.to_vec(), None),
    };
    match head.as_slice() {
        [d, Item::Month(m), y] => {
            let (day, _) = num(d, &[1, 2])?;
            let (value, len) = num(y, &[2, 4])?;
            build(day, u32::from(*m), year_be(value, len, era)?)
        }
        [a, b, c] if era.is_none() && num(a, &[4]).is_some() => {
            let (value, len) = num(a, &[4])?;
            build(
                num(c, &[1, 2])?.0,
                num(b, &[1, 2])?.0,
                year_be(value, len, None)?,
            )
        }
        [d, m, y] => {
            let (value, len) = num(y, &[2, 4])?;
            build(
                num(d, &[1, 2])?.0,
                num(m, &[1, 2])?.0,
                year_be(value, len, era)?,
            )
        }
        _ => None,
    }
}

/// Formats as "DD/MM/YYYY" with the BE year, e.g. "14/05/2566".
pub fn format_numeric(d: ThaiDate) -> String {
    format!("{:02}/{:02}/{}", d.day, d.month, d.year_be)
}

/// Formats as "D <full month name> YYYY", e.g. "14 พฤษภาคม 2566". An invalid month
/// number is written as a number.
pub fn format_long(d: ThaiDate) -> String {
    match MONTHS.get(usize::from(d.month).wrapping_sub(1)) {
        Some((name, _, _)) => format!("{} {} {}", d.day, name, d.year_be),
        None => format!("{} {} {}", d.day, d.month, d.year_be),
    }
}

/// Whether two date fields agree: equal dates when both parse, otherwise equal after
/// [`normalize_text`].
pub fn same_date(a: &str, b: &str) -> bool {
    match (parse_date(a), parse_date(b)) {
        (Some(x), Some(y)) => x == y,
        _ => normalize_text(a) == normalize_text(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAY_14: ThaiDate = ThaiDate {
        day: 14,
        month: 5,
        year_be: 2566,
    };

    #[test]
    fn parses_all_documented_spellings() {
        for s in [
            "14/05/2566",
            "14/5/2566",
            "๑๔/๐๕/๒๕๖๖",
            "14-05-2566",
            "14.05.2566",
            " 14 / 05 / 2566 ",
            "14 พฤษภาคม 2566",
            "14 พ.ค. 2566",
            "14 พ.ค. 66",
            "14พ.ค.66",
            "14 พค 2566",
            "14 พฤษภา 66",
            "๑๔ พฤษภาคม ๒๕๖๖",
            "วันที่ 14 เดือน พฤษภาคม พ.ศ. 2566",
            "วันที่๑๔ เดือนพฤษภาคม พ.ศ.๒๕๖๖",
            "14 พฤษภาคม พ.ศ. 2566",
            "2023-05-14",
            "2566-05-14",
            "14/05/2023",
            "14/05/66",
            "14 พฤษภาคม ค.ศ. 2023",
        ] {
            assert_eq!(parse_date(s), Some(MAY_14), "{s:?}");
        }
    }

    #[test]
    fn all_months_by_every_name() {
        let abbrs = [
            "ม.ค.",
            "ก.พ.",
            "มี.ค.",
            "เม.ย.",
            "พ.ค.",
            "มิ.ย.",
            "ก.ค.",
            "ส.ค.",
            "ก.ย.",
            "ต.ค.",
            "พ.ย.",
            "ธ.ค.",
        ];
        for (i, ((full, _, clipped), abbr)) in MONTHS.iter().zip(abbrs).enumerate() {
            let want = ThaiDate {
                day: 1,
                month: i as u8 + 1,
                year_be: 2567,
            };
            for name in [*full, abbr, *clipped] {
                assert_eq!(parse_date(&format!("1 {name} 2567")), Some(want), "{name}");
            }
        }
    }

    #[test]
    fn rejects_invalid_dates_and_text() {
        for s in [
            "",
            "-",
            "32/05/2566",
            "0/05/2566",
            "14/13/2566",
            "14/00/2566",
            "31/04/2566",
            "29/02/2566",
            "29/02/2443",
            "14/05/566",
            "14/05",
            "14 พฤษภาคม",
            "14 มีนา คม 2566",
            "14 พฤษภาคม 2566 เวลา",
            "14/05/02566",
            "14/05/1500",
            "2023-14-05",
            "105/5/2566",
            "14 ธค. พ.ศ.",
            "พ.ศ. 2566",
            "14/05/พ.ศ.",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        assert!(parse_date("29/02/2567").is_some()); // 2024
        assert!(parse_date("29/02/2543").is_some()); // 2000
        assert!(parse_date("29/02/2443").is_none()); // 1900
        assert!(parse_date("29/02/2566").is_none()); // 2023
    }

    #[test]
    fn formats() {
        assert_eq!(format_numeric(MAY_14), "14/05/2566");
        assert_eq!(format_long(MAY_14), "14 พฤษภาคม 2566");
        assert_eq!(
            format_long(ThaiDate {
                day: 1,
                month: 13,
                year_be: 2566
            }),
            "1 13 2566"
        );
    }

    #[test]
    fn same_date_compares_dates_then_text() {
        assert!(same_date("14/05/2566", "14 พ.ค. 66"));
        assert!(same_date("2023-05-14", "๑๔ พฤษภาคม ๒๕๖๖"));
        assert!(!same_date("14/05/2566", "15/05/2566"));
        assert!(same_date("ไม่ระบุ", " ไม่ระบุ "));
        assert!(!same_date("14/05/2566", "ไม่ระบุ"));
    }

    fn valid_date() -> impl Strategy<Value = ThaiDate> {
        (2400u16..=9999, 1u8..=12).prop_flat_map(|(y, m)| {
            (1..=days_in_month(m, y)).prop_map(move |d| ThaiDate {
                day: d,
                month: m,
                year_be: y,
            })
        })
    }

    proptest! {
        #[test]
        fn format_parse_round_trip(d in valid_date()) {
            prop_assert_eq!(parse_date(&format_numeric(d)), Some(d));
            prop_assert_eq!(parse_date(&format_long(d)), Some(d));
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
        }
    }
}
