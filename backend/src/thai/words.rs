//! Thai number words ⇄ integers for 0..=9,999,999 (the ได้คะแนน "in letters" column).

use thiserror::Error;

use super::normalize::{is_space_like, normalize_text};

/// The largest value [`to_words`] renders and [`parse_words`] accepts.
pub const MAX_WORDS_VALUE: u64 = 9_999_999;

/// Why a text is not a well-formed Thai number. Positions (`at`) are char offsets into
/// [`normalize_text`] of the input.
#[derive(Debug, Error, PartialEq, Eq, Clone)]
pub enum WordsError {
    /// Nothing but whitespace (and possibly an empty pair of parentheses).
    #[error("no number words")]
    Empty,
    /// Text at `at` that is not a number word; `rest` is everything from there on.
    #[error("unknown text at char {at}: {rest:?}")]
    UnknownText { at: usize, rest: String },
    /// Known words in an order that is not a number ("สิบร้อย", "สองสาม", "เอ็ด").
    #[error("malformed number at char {at}: {reason}")]
    Malformed { at: usize, reason: String },
    /// A well-formed number above [`MAX_WORDS_VALUE`].
    #[error("{0} is above the maximum of 9999999")]
    OutOfRange(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Digit(u8),
    /// เอ็ด: a units one after a higher place.
    Ed,
    /// ยี่ not followed by สิบ.
    Yi,
    /// ยี่สิบ: two tens.
    YiSip,
    /// A place word with its power of ten (สิบ = 1 … ล้าน = 6).
    Place(u32),
    /// A unit word (คะแนน, บัตร, คน) allowed at the end.
    Unit,
    /// ถ้วน ("exactly") allowed at the end.
    Thuan,
}

const LEXICON: [(&str, Tok); 22] = [
    ("ศูนย์", Tok::Digit(0)),
    ("หนึ่ง", Tok::Digit(1)),
    ("สอง", Tok::Digit(2)),
    ("สาม", Tok::Digit(3)),
    ("สี่", Tok::Digit(4)),
    ("ห้า", Tok::Digit(5)),
    ("หก", Tok::Digit(6)),
    ("เจ็ด", Tok::Digit(7)),
    ("แปด", Tok::Digit(8)),
    ("เก้า", Tok::Digit(9)),
    ("เอ็ด", Tok::Ed),
    ("ยี่สิบ", Tok::YiSip),
    ("ยี่", Tok::Yi),
    ("สิบ", Tok::Place(1)),
    ("ร้อย", Tok::Place(2)),
    ("พัน", Tok::Place(3)),
    ("หมื่น", Tok::Place(4)),
    ("แสน", Tok::Place(5)),
    ("ล้าน", Tok::Place(6)),
    ("คะแนน", Tok::Unit),
    ("บัตร", Tok::Unit),
    ("คน", Tok::Unit),
];
const THUAN: &str = "ถ้วน";

fn digit_word(d: u64) -> &'static str {
    match d {
        0 => "ศูนย์",
        1 => "หนึ่ง",
        2 => "สอง",
        3 => "สาม",
        4 => "สี่",
        5 => "ห้า",
        6 => "หก",
        7 => "เจ็ด",
        8 => "แปด",
        _ => "เก้า",
    }
}

fn place_word(p: u32) -> &'static str {
    match p {
        1 => "สิบ",
        2 => "ร้อย",
        3 => "พัน",
        4 => "หมื่น",
        5 => "แสน",
        _ => "ล้าน",
    }
}

/// Renders `n` in canonical Thai number words: ศูนย์ for 0, สิบ (not หนึ่งสิบ), ยี่สิบ,
/// เอ็ด for a units one after any higher place, zero places skipped, and หนึ่ง kept before
/// ร้อย/พัน/หมื่น/แสน/ล้าน. 101 → "หนึ่งร้อยเอ็ด", 1_000_001 → "หนึ่งล้านเอ็ด".
///
/// Errors with [`WordsError::OutOfRange`] above [`MAX_WORDS_VALUE`].
pub fn to_words(n: u64) -> Result<String, WordsError> {
    if n > MAX_WORDS_VALUE {
        return Err(WordsError::OutOfRange(n));
    }
    if n == 0 {
        return Ok(digit_word(0).to_string());
    }
    let mut out = String::new();
    for p in (1..=6u32).rev() {
        match ((n / 10u64.pow(p)) % 10, p) {
            (0, _) => {}
            (1, 1) => out.push_str("สิบ"),
            (2, 1) => out.push_str("ยี่สิบ"),
            (d, _) => {
                out.push_str(digit_word(d));
                out.push_str(place_word(p));
            }
        }
    }
    match n % 10 {
        0 => {}
        1 if n >= 10 => out.push_str("เอ็ด"),
        d => out.push_str(digit_word(d)),
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Token {
    tok: Tok,
    at: usize,
}

fn malformed(at: usize, reason: &str) -> WordsError {
    WordsError::Malformed {
        at,
        reason: reason.to_string(),
    }
}

/// Splits normalised text into tokens, skipping whitespace and one pair of surrounding
/// parentheses, longest word first.
fn tokenize(text: &str) -> Result<Vec<Token>, WordsError> {
    let mut chars: Vec<(usize, char)> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| !is_space_like(*c))
        .collect();
    if let (Some((_, '(' | '（')), Some((_, ')' | '）'))) = (chars.first(), chars.last()) {
        if chars.len() >= 2 {
            chars.remove(0);
            chars.pop();
        }
    }
    let compact: String = chars.iter().map(|(_, c)| c).collect();
    let pos = |idx: usize| chars.get(idx).map_or(text.chars().count(), |(i, _)| *i);

    let mut tokens = Vec::new();
    let (mut byte, mut idx) = (0usize, 0usize);
    while let Some(rest) = compact.get(byte..).filter(|r| !r.is_empty()) {
        let found = LEXICON
            .iter()
            .chain(std::iter::once(&(THUAN, Tok::Thuan)))
            .filter(|(w, _)| rest.starts_with(w))
            .max_by_key(|(w, _)| w.len());
        let Some((word, tok)) = found else {
            return Err(WordsError::UnknownText {
                at: pos(idx),
                rest: rest.to_string(),
            });
        };
        tokens.push(Token {
            tok: *tok,
            at: pos(idx),
        });
        byte += word.len();
        idx += word.chars().count();
    }
    Ok(tokens)
}

/// Parses a run of place terms below a million. `leading` allows the first place word to
/// stand without a digit (ร้อยยี่สิบ); `after_higher` says a higher place (ล้าน) precedes,
/// which licenses เอ็ด.
fn parse_group(toks: &[Token], leading: bool, after_higher: bool) -> Result<u64, WordsError> {
    let mut total = 0u64;
    let mut upper = 6u32;
    let mut pending: Option<u64> = None;
    let mut seen_place = after_higher;
    let mut closed = false;
    for (i, t) in toks.iter().enumerate() {
        if closed {
            return Err(malformed(t.at, "nothing may follow เอ็ด"));
        }
        let place = match t.tok {
            Tok::Digit(d) => {
                if pending.is_some() {
                    return Err(malformed(t.at, "two digits in a row"));
                }
                pending = Some(u64::from(d));
                continue;
            }
            Tok::Ed => {
                if pending.is_some() {
                    return Err(malformed(t.at, "a digit directly before เอ็ด"));
                }
                if !seen_place {
                    return Err(malformed(t.at, "เอ็ด must follow a higher place"));
                }
                total += 1;
                closed = true;
                continue;
            }
            Tok::Yi => return Err(malformed(t.at, "ยี่ is only valid directly before สิบ")),
            Tok::YiSip => {
                if pending.take().is_some() {
                    return Err(malformed(t.at, "a digit directly before ยี่สิบ"));
                }
                pending = Some(2);
                1
            }
            Tok::Place(p) => p,
            Tok::Unit | Tok::Thuan => return Err(malformed(t.at, "unit word inside the number")),
        };
        if place >= upper {
            return Err(malformed(t.at, "place word repeated or out of order"));
        }
        let digit = match (pending.take(), place) {
            (Some(1), 1) if t.tok != Tok::YiSip => {
                return Err(malformed(t.at, "หนึ่งสิบ is written สิบ"))
            }
            (Some(2), 1) if t.tok != Tok::YiSip => {
                return Err(malformed(t.at, "สองสิบ is written ยี่สิบ"))
            }
            (Some(d), _) => d,
            (None, 1) => 1,
            (None, _) if leading && i == 0 => 1,
            (None, _) => return Err(malformed(t.at, "place word without a digit")),
        };
        total += digit * 10u64.pow(place);
        upper = place;
        seen_place = true;
    }
    Ok(total + pending.unwrap_or(0))
}

/// Parses Thai number words into an integer in 0..=[`MAX_WORDS_VALUE`].
///
/// Accepts the canonical form of [`to_words`] and these variants: หนึ่ง for เอ็ด in the
/// units place (หนึ่งร้อยหนึ่ง = 101); a first ร้อย/พัน/หมื่น/แสน/ล้าน without หนึ่ง
/// (ร้อยยี่สิบ = 120); whitespace anywhere; one pair of surrounding parentheses; a trailing
/// unit word (คะแนน/บัตร/คน) and/or ถ้วน; NFC and the other fixes of [`normalize_text`].
///
/// Anything that is not a well-formed number is an error, never a guessed value: unknown
/// text, places repeated or out of order, หนึ่งสิบ, สองสิบ, ยี่ without สิบ, เอ็ด without a
/// higher place before it, two digits in a row, ศูนย์ inside a number, values above the
/// maximum.
pub fn parse_words(s: &str) -> Result<u64, WordsError> {
    let text = normalize_text(s);
    let mut toks = tokenize(&text)?;
    if toks.is_empty() {
        return Err(WordsError::Empty);
    }
    let (mut unit_seen, mut thuan_seen) = (false, false);
    while let Some(last) = toks.last() {
        match last.tok {
            Tok::Unit if !unit_seen => unit_seen = true,
            Tok::Thuan if !thuan_seen => thuan_seen = true,
            _ => break,
        }
        toks.pop();
    }
    let Some(first) = toks.first().copied() else {
        return Err(malformed(0, "a unit word or ถ้วน without a number"));
    };
    if first.tok == Tok::Digit(0) {
        return match toks.get(1) {
            None => Ok(0),
            Some(t) => Err(malformed(t.at, "nothing may follow ศูนย์")),
        };
    }
    if let Some(t) = toks.iter().find(|t| t.tok == Tok::Digit(0)) {
        return Err(malformed(t.at, "ศูนย์ inside a number"));
    }
    let millions: Vec<usize> = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.tok == Tok::Place(6))
        .map(|(i, _)| i)
        .collect();
    let value = match millions.as_slice() {
        [] => parse_group(&toks, true, false)?,
        [i] => {
            let (high, low) = toks.split_at(*i);
            let high = if high.is_empty() {
                1
            } else {
                parse_group(high, true, false)?
            };
            high * 1_000_000 + parse_group(low.get(1..).unwrap_or(&[]), false, true)?
        }
        [_, second, ..] => {
            let at = toks.get(*second).map_or(0, |t| t.at);
            return Err(malformed(at, "ล้าน used twice"));
        }
    };
    if value > MAX_WORDS_VALUE {
        return Err(WordsError::OutOfRange(value));
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
