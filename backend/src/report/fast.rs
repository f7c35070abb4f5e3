//! A typed reading of output that is already in the schema's own shape (whole-number counts,
//! exact form-type names, no envelope), straight from the text into reports without building
//! a `serde_json::Value` tree first (that tree was ~10 % of a run's CPU). Structured output
//! answers `{"reports": [...]}`, so that envelope is read here too.
//!
//! It only ever answers what the lenient reading would: anything it is not sure of (a count
//! as a string, a duplicate key, another envelope, a number where text belongs) makes it give
//! up, and the caller reads the text leniently. `fuzzing::model_output` checks the promise.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use shared::{
    BallotStatistics, FormInfo, FormType, ReportSet, VoteReport, VoteResult, VoterStatistics,
};

use crate::thai::normalize;

/// The reports in `json` when it is in the schema's own shape; `None` when the lenient
/// reading must decide.
pub(super) fn parse_exact(json: &str) -> Option<ReportSet> {
    let reports = serde_json::from_str::<ExactSet>(json).ok()?.0;
    (!reports.is_empty()).then_some(ReportSet(reports))
}

struct ExactSet(Vec<VoteReport>);

impl<'de> Deserialize<'de> for ExactSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = ExactSet;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a report or a list of reports")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ExactSet, A::Error> {
                let mut reports = Vec::new();
                while let Some(r) = seq.next_element::<ExactReport>()? {
                    reports.push(r.0);
                }
                Ok(ExactSet(reports))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ExactSet, A::Error> {
                match report_from_map(map, true)? {
                    Read::Report(report) => Ok(ExactSet(vec![*report])),
                    Read::Envelope(reports) => Ok(ExactSet(reports)),
                }
            }
        }
        d.deserialize_any(SetVisitor)
    }
}

/// One report inside a list (where envelope keys are ignored, as the lenient reading does).
struct ExactReport(VoteReport);

impl<'de> Deserialize<'de> for ExactReport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ReportVisitor;
        impl<'de> Visitor<'de> for ReportVisitor {
            type Value = ExactReport;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a report object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ExactReport, A::Error> {
                match report_from_map(map, false)? {
                    Read::Report(report) => Ok(ExactReport(*report)),
                    Read::Envelope(_) => Err(de::Error::custom("envelopes are top-level only")),
                }
            }
        }
        d.deserialize_map(ReportVisitor)
    }
}

/// What a top-level object held.
enum Read {
    Report(Box<VoteReport>),
    /// `{"reports": [...]}`, the object root structured output asks for.
    Envelope(Vec<VoteReport>),
}

/// Reads a report's keys. At `top_level` it also reads the structured-output envelope
/// `{"reports": [...]}` alone, and declines the other envelope and error keys.
fn report_from_map<'de, A: MapAccess<'de>>(mut map: A, top_level: bool) -> Result<Read, A::Error> {
    let mut envelope: Option<Vec<ExactReport>> = None;
    let mut form_info: Option<Option<ExactFormInfo>> = None;
    let mut voters: Option<Option<ExactVoters>> = None;
    let mut ballots: Option<Option<ExactBallots>> = None;
    let mut rows: Option<Option<Vec<ExactRow>>> = None;
    while let Some(key) = map.next_key::<Key>()? {
        match key {
            Key::FormInfo => set_once(&mut form_info, map.next_value()?)?,
            Key::VoterStatistics => set_once(&mut voters, map.next_value()?)?,
            Key::BallotStatistics => set_once(&mut ballots, map.next_value()?)?,
            Key::VoteResults => set_once(&mut rows, map.next_value()?)?,
            Key::Reports if top_level => set_once(&mut envelope, map.next_value()?)?,
            Key::Data | Key::Results | Key::Output | Key::Error if top_level => {
                return Err(de::Error::custom("an envelope is read leniently"))
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    let report_keys = form_info.is_some() || ballots.is_some() || rows.is_some();
    if let Some(reports) = envelope {
        // Report keys beside the envelope are left to the lenient reading to weigh.
        if report_keys || voters.is_some() {
            return Err(de::Error::custom("an envelope with report keys beside it"));
        }
        return Ok(Read::Envelope(reports.into_iter().map(|r| r.0).collect()));
    }
    if !report_keys {
        return Err(de::Error::custom("not a vote report"));
    }
    Ok(Read::Report(Box::new(VoteReport {
        form_info: form_info.flatten().map(|f| f.0).unwrap_or_default(),
        voter_statistics: voters.flatten().map(|v| v.0).unwrap_or_default(),
        ballot_statistics: ballots.flatten().map(|b| b.0).unwrap_or_default(),
        vote_results: rows
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.0)
            .collect(),
    })))
}

/// A report's keys, and the keys of an envelope around one.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    FormInfo,
    VoterStatistics,
    BallotStatistics,
    VoteResults,
    Data,
    Reports,
    Results,
    Output,
    Error,
    #[serde(other)]
    Other,
}

/// Reads `T` from a JSON object only: a derived struct would also take an array by position,
/// which the lenient reading refuses.
fn from_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    struct MapOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for MapOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(MapOnly(std::marker::PhantomData))
}

/// A key seen twice is left to the lenient reading (which keeps the last).
fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom("duplicate key"));
    }
    *slot = Some(value);
    Ok(())
}

/// Text as the lenient reading keeps it: trimmed, and absent when it is only spaces.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| {
        if s.chars().all(normalize::is_space_like) {
            None
        } else if s.trim().len() == s.len() {
            Some(s)
        } else {
            Some(s.trim().to_string())
        }
    }))
}

/// Only the schema's exact names; the lenient reading knows the variants.
fn form_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FormType>, D::Error> {
    // Borrowed: a name with escapes in it is left to the lenient reading.
    let s: Option<&'de str> = Option::deserialize(d)?;
    match s {
        None => Ok(None),
        Some("Constituency") => Ok(Some(FormType::Constituency)),
        Some("PartyList") => Ok(Some(FormType::PartyList)),
        Some(_) => Err(de::Error::custom("a form type read leniently")),
    }
}

/// `FormInfo` with text fields read as [`text`].
struct ExactFormInfo(FormInfo);

impl<'de> Deserialize<'de> for ExactFormInfo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "form_type")]
            form_type: Option<FormType>,
            #[serde(default, deserialize_with = "text")]
            date: Option<String>,
            #[serde(default, deserialize_with = "text")]
            province: Option<String>,
            #[serde(default, deserialize_with = "text")]
            district: Option<String>,
            #[serde(default, deserialize_with = "text")]
            sub_district: Option<String>,
            #[serde(default, deserialize_with = "text")]
            constituency_number: Option<String>,
            #[serde(default, deserialize_with = "text")]
            polling_station_number: Option<String>,
        }
        let r: Raw = from_map(d)?;
        Ok(ExactFormInfo(FormInfo {
            form_type: r.form_type,
            date: r.date,
            province: r.province,
            district: r.district,
            sub_district: r.sub_district,
            constituency_number: r.constituency_number,
            polling_station_number: r.polling_station_number,
        }))
    }
}

/// Voter counts as plain whole numbers.
struct ExactVoters(VoterStatistics);

impl<'de> Deserialize<'de> for ExactVoters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            eligible_voters: Option<u64>,
            #[serde(default)]
            voters_present: Option<u64>,
        }
        let r: Raw = from_map(d)?;
        Ok(ExactVoters(VoterStatistics {
            eligible_voters: r.eligible_voters,
            voters_present: r.voters_present,
        }))
    }
}

/// Ballot counts as plain whole numbers.
struct ExactBallots(BallotStatistics);

impl<'de> Deserialize<'de> for ExactBallots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            ballots_allocated: Option<u64>,
            #[serde(default)]
            ballots_used: Option<u64>,
            #[serde(default)]
            good_ballots: Option<u64>,
            #[serde(default)]
            bad_ballots: Option<u64>,
            #[serde(default)]
            no_vote_ballots: Option<u64>,
            #[serde(default)]
            ballots_remaining: Option<u64>,
        }
        let r: Raw = from_map(d)?;
        Ok(ExactBallots(BallotStatistics {
            ballots_allocated: r.ballots_allocated,
            ballots_used: r.ballots_used,
            good_ballots: r.good_ballots,
            bad_ballots: r.bad_ballots,
            no_vote_ballots: r.no_vote_ballots,
            ballots_remaining: r.ballots_remaining,
        }))
    }
}

/// One row of section 3, numbers and counts as plain whole numbers.
struct ExactRow(VoteResult);

impl<'de> Deserialize<'de> for ExactRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            number: Option<u32>,
            #[serde(default, deserialize_with = "text")]
            candidate_name: Option<String>,
            #[serde(default, deserialize_with = "text")]
            party_name: Option<String>,
            #[serde(default)]
            vote_count: Option<u64>,
            #[serde(default, deserialize_with = "text")]
            vote_count_text: Option<String>,
        }
        let r: Raw = from_map(d)?;
        Ok(ExactRow(VoteResult {
            number: r.number,
            candidate_name: r.candidate_name,
            party_name: r.party_name,
            vote_count: r.vote_count,
            vote_count_text: r.vote_count_text,
        }))
    }
}
