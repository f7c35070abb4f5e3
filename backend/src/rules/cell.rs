//! One handwritten count as OCR gives it: digits, Thai words, or an unreadable mark.

use crate::thai::words::{parse_words, to_words};

/// A count as read from a line. Either part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Cell {
    /// The digits as a number ("-" reads as 0).
    pub digits: Option<u64>,
    /// The digits as written (Arabic, no separators), for glued-number repair.
    pub digit_text: String,
    /// The words column, when it parses as a number.
    pub words: Option<u64>,
    /// The words as written, when they parse.
    pub words_text: Option<String>,
    /// Written as "?" or "…".
    pub unreadable: bool,
}

/// How far a value can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(super) enum Trust {
    /// Nothing read.
    #[default]
    None,
    /// Computed from identities or other rows.
    Derived,
    /// Digits only: a handwritten look-alike may have been misread.
    Digits,
    /// Backed by the words column (words win over digits, vote-forms I4).
    Words,
}

/// A value with its trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Val {
    pub v: Option<u64>,
    pub trust: Trust,
}

impl Val {
    pub fn derived(v: u64) -> Val {
        Val {
            v: Some(v),
            trust: Trust::Derived,
        }
    }

    /// May be replaced when an identity says it is wrong.
    pub fn weak(&self) -> bool {
        self.trust < Trust::Words
    }
}

impl Cell {
    /// True when nothing at all was read.
    pub fn is_empty(&self) -> bool {
        self.digits.is_none() && self.words.is_none() && !self.unreadable
    }

    /// The best reading: the words when they parse, else the digits.
    pub fn val(&self) -> Val {
        match (self.words, self.digits) {
            (Some(w), _) => Val {
                v: Some(w),
                trust: Trust::Words,
            },
            (None, Some(d)) => Val {
                v: Some(d),
                trust: Trust::Digits,
            },
            (None, None) => Val::default(),
        }
    }
}

fn is_marker(c: char) -> bool {
    matches!(c, '?' | '…')
}

/// Byte offset where the count starts in `s` (a normalised line without its label): the
/// first digit, unreadable mark, lone dash or opening parenthesis.
pub(super) fn value_start(s: &str) -> Option<usize> {
    let mut prev = ' ';
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map_or(' ', |&(_, n)| n);
        let lone_dash = c == '-' && prev == ' ' && matches!(next, ' ' | '(');
        if c.is_ascii_digit()
            || is_marker(c)
            || c == '('
            || lone_dash
            || (c == '.' && s[i..].starts_with("..."))
        {
            return Some(i);
        }
        prev = c;
    }
    None
}

/// Reads a count cell such as "460 บัตร (สี่ร้อยหกสิบ)", "- (ศูนย์)", "? คน", "2711 (สิบเอ็ด)".
/// `s` starts at the count (see [`value_start`]).
pub(super) fn parse_cell(s: &str) -> Cell {
    let mut cell = Cell::default();
    let (before, words) = match s.find('(') {
        Some(open) => {
            let inner = &s[open + 1..];
            let inner = inner.find(')').map_or(inner, |close| &inner[..close]);
            (&s[..open], Some(inner.trim()))
        }
        None => (s, None),
    };
    let before = before.trim();
    if before.starts_with(is_marker) || before.starts_with("...") {
        cell.unreadable = true;
    } else if before == "-" || before.starts_with("- ") {
        cell.digits = Some(0);
        cell.digit_text.push('0');
    } else {
        // Digits with optional thousands separators, then maybe a unit word.
        let mut text = String::new();
        for c in before.chars() {
            if c.is_ascii_digit() {
                text.push(c);
            } else if c != ',' {
                break;
            }
        }
        if !text.is_empty() {
            cell.digits = text.parse::<u64>().ok();
            cell.digit_text = text;
        }
    }
    if let Some(w) = words {
        if w == "-" {
            cell.words = Some(0);
            cell.words_text = Some(w.to_string());
        } else if let Some(n) = cell.digits.filter(|&d| to_words(d).is_ok_and(|c| c == w)) {
            // The common case, words agreeing with the digits: no need to parse them.
            cell.words = Some(n);
            cell.words_text = Some(w.to_string());
        } else if let Ok(n) = parse_words(w) {
            cell.words = Some(n);
            cell.words_text = Some(w.to_string());
        }
    }
    cell
}

/// Values one handwritten look-alike digit away from `text` (1↔7, 5↔6, 3↔8, 4↔9, 0↔6).
pub(super) fn confusions(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.char_indices().flat_map(move |(i, c)| {
        let twins: &[char] = match c {
            '1' => &['7'],
            '7' => &['1'],
            '5' => &['6'],
            '6' => &['5', '0'],
            '3' => &['8'],
            '8' => &['3'],
            '4' => &['9'],
            '9' => &['4'],
            '0' => &['6'],
            _ => &[],
        };
        twins.iter().filter_map(move |t| {
            let mut s = String::with_capacity(text.len());
            s.push_str(&text[..i]);
            s.push(*t);
            s.push_str(&text[i + c.len_utf8()..]);
            s.parse::<u64>().ok()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_digits_words_and_marks() {
        let c = parse_cell("460 บัตร (สี่ร้อยหกสิบ)");
        assert_eq!((c.digits, c.words), (Some(460), Some(460)));
        let c = parse_cell("466 (สี่ร้อยหกสิบ)");
        assert_eq!(
            c.val(),
            Val {
                v: Some(460),
                trust: Trust::Words
            }
        );
        let c = parse_cell("- (ศูนย์)");
        assert_eq!((c.digits, c.words), (Some(0), Some(0)));
        assert!(parse_cell("? คน").unreadable);
        assert!(parse_cell("… (สิบ)").unreadable);
        assert_eq!(parse_cell("1,234 คน").digits, Some(1234));
        assert_eq!(parse_cell("2711").digit_text, "2711");
        assert_eq!(parse_cell("99999999999999999999999").digits, None);
    }

    #[test]
    fn finds_where_the_value_starts() {
        assert_eq!(value_start("บัตรดี 439 บัตร"), Some("บัตรดี ".len()));
        assert_eq!(value_start("บัตรดี439"), Some("บัตรดี".len()));
        assert_eq!(value_start("abc - (ศูนย์)"), Some(4));
        assert_eq!(value_start("ไม่มี"), None);
    }

    #[test]
    fn look_alike_digits() {
        let all: Vec<u64> = confusions("160").collect();
        assert_eq!(all, vec![760, 150, 100, 166]);
    }
}
