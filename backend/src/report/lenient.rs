//! Field-by-field conversion of a JSON value into a [`VoteReport`], tolerant of the
//! harmless variations models produce and precise about the rest.

use serde_json::{Map, Value};
use shared::{BallotStatistics, FormInfo, FormType, VoteReport, VoteResult, VoterStatistics};

use super::{kind_of, ParseError};
use crate::thai::{digits, normalize, words};

/// Where a value is, rendered only when an error names it (building every field's path
/// was ~6 % of a run's CPU).
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root(&'a str),
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl Loc<'_> {
    fn render(&self) -> String {
        match self {
            Loc::Root(p) => (*p).to_string(),
            Loc::Key(parent, key) => {
                let base = parent.render();
                if base.is_empty() {
                    (*key).to_string()
                } else {
                    format!("{base}.{key}")
                }
            }
            Loc::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// Converts one JSON object into a report; `path` prefixes every error.
pub fn report_from_value(value: &Value, path: &str) -> Result<VoteReport, ParseError> {
    let root = Loc::Root(path);
    let path = &root;
    let obj = as_object(value, path)?;
    let form_info = match obj.get("form_info") {
        Some(v) if !v.is_null() => form_info(v, &Loc::Key(path, "form_info"))?,
        _ => FormInfo::default(),
    };
    let voter_statistics = match obj.get("voter_statistics") {
        Some(v) if !v.is_null() => {
            let p = Loc::Key(path, "voter_statistics");
            let o = as_object(v, &p)?;
            VoterStatistics {
                eligible_voters: count(o, "eligible_voters", &p)?,
                voters_present: count(o, "voters_present", &p)?,
            }
        }
        _ => VoterStatistics::default(),
    };
    let ballot_statistics = match obj.get("ballot_statistics") {
        Some(v) if !v.is_null() => {
            let p = Loc::Key(path, "ballot_statistics");
            let o = as_object(v, &p)?;
            BallotStatistics {
                ballots_allocated: count(o, "ballots_allocated", &p)?,
                ballots_used: count(o, "ballots_used", &p)?,
                good_ballots: count(o, "good_ballots", &p)?,
                bad_ballots: count(o, "bad_ballots", &p)?,
                no_vote_ballots: count(o, "no_vote_ballots", &p)?,
                ballots_remaining: count(o, "ballots_remaining", &p)?,
            }
        }
        _ => BallotStatistics::default(),
    };
    let rows_at = Loc::Key(path, "vote_results");
    let vote_results = match obj.get("vote_results") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(rows)) => rows
            .iter()
            .enumerate()
            .map(|(i, row)| vote_result(row, &Loc::Index(&rows_at, i)))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(field_err(
                &rows_at,
                format!("expected a list of rows, got {}", kind_of(other)),
            ))
        }
    };
    if obj.get("form_info").is_none()
        && obj.get("ballot_statistics").is_none()
        && obj.get("vote_results").is_none()
    {
        return Err(field_err(
            path,
            "is not a vote report (no form_info, ballot_statistics or vote_results)".into(),
        ));
    }
    Ok(VoteReport {
        form_info,
        voter_statistics,
        ballot_statistics,
        vote_results,
    })
}

fn form_info(value: &Value, path: &Loc<'_>) -> Result<FormInfo, ParseError> {
    let o = as_object(value, path)?;
    Ok(FormInfo {
        form_type: match o.get("form_type") {
            None | Some(Value::Null) => None,
            Some(v) => Some(form_type(v, &Loc::Key(path, "form_type"))?),
        },
        date: text(o, "date", path)?,
        province: text(o, "province", path)?,
        district: text(o, "district", path)?,
        sub_district: text(o, "sub_district", path)?,
        constituency_number: text(o, "constituency_number", path)?,
        polling_station_number: text(o, "polling_station_number", path)?,
    })
}

/// Accepts the schema's names and the obvious variants, in English and Thai.
fn form_type(value: &Value, path: &Loc<'_>) -> Result<FormType, ParseError> {
    let Value::String(s) = value else {
        return Err(field_err(
            path,
            format!("expected a string, got {}", kind_of(value)),
        ));
    };
    let key: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || ('\u{0E00}'..='\u{0E7F}').contains(c))
        .collect();
    match key.as_str() {
        "constituency" | "แบ่งเขตเลือกตั้ง" | "แบ่งเขต" | "แบบแบ่งเขตเลือกตั้ง" => {
            Ok(FormType::Constituency)
        }
        "partylist" | "party" | "บัญชีรายชื่อ" | "แบบบัญชีรายชื่อ" | "บช" => {
            Ok(FormType::PartyList)
        }
        _ => Err(field_err(
            path,
            format!("unknown form type \"{s}\" (expected Constituency or PartyList)"),
        )),
    }
}

fn vote_result(value: &Value, path: &Loc<'_>) -> Result<VoteResult, ParseError> {
    let o = as_object(value, path)?;
    let number = match count(o, "number", path)? {
        Some(n) => Some(u32::try_from(n).map_err(|_| {
            field_err(
                &Loc::Key(path, "number"),
                format!("row number {n} is out of range"),
            )
        })?),
        None => None,
    };
    Ok(VoteResult {
        number,
        candidate_name: text(o, "candidate_name", path)?,
        party_name: text(o, "party_name", path)?,
        vote_count: count(o, "vote_count", path)?,
        vote_count_text: text(o, "vote_count_text", path)?,
    })
}

/// A count: a non-negative integer, or a string of digits (Thai or Arabic, with separators),
/// or Thai number words. `null`, absent, "" and "-"-like unreadable marks become `None`.
fn count(o: &Map<String, Value>, key: &str, path: &Loc<'_>) -> Result<Option<u64>, ParseError> {
    let p = Loc::Key(path, key);
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u))
            } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0) {
                if f <= 9.0e15 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(Some(f as u64))
                } else {
                    Err(field_err(&p, format!("count {n} is out of range")))
                }
            } else {
                Err(field_err(
                    &p,
                    format!("expected a non-negative whole number, got {n}"),
                ))
            }
        }
        Some(Value::String(s)) => {
            let t = s.trim();
            if t.is_empty() || matches!(t, "null" | "None" | "N/A" | "n/a" | "?" | "…" | "...") {
                return Ok(None);
            }
            if let Some(n) = digits::parse_count(t) {
                return Ok(Some(n));
            }
            words::parse_words(t).map(Some).map_err(|_| {
                field_err(
                    &p,
                    format!("\"{s}\" is neither a number nor Thai number words"),
                )
            })
        }
        Some(other) => Err(field_err(
            &p,
            format!("expected a count, got {}", kind_of(other)),
        )),
    }
}

/// A text field; numbers are accepted and rendered as strings ("7" for 7).
fn text(o: &Map<String, Value>, key: &str, path: &Loc<'_>) -> Result<Option<String>, ParseError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        // Text that normalises to nothing (spaces, zero-width breaks) is absent.
        Some(Value::String(s)) => Ok(if s.chars().all(normalize::is_space_like) {
            None
        } else {
            Some(s.trim().to_string())
        }),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(field_err(
            &Loc::Key(path, key),
            format!("expected text, got {}", kind_of(other)),
        )),
    }
}

fn as_object<'a>(value: &'a Value, path: &Loc<'_>) -> Result<&'a Map<String, Value>, ParseError> {
    value
        .as_object()
        .ok_or_else(|| field_err(path, format!("expected an object, got {}", kind_of(value))))
}

/// An error at `path` (the whole value is `$`).
fn field_err(path: &Loc<'_>, message: String) -> ParseError {
    let path = path.render();
    ParseError::Field {
        path: if path.is_empty() { "$".into() } else { path },
        message,
    }
}
