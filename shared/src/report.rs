//! The vote report: what a model extracts from a ส.ส. 5/18 form and what a dataset record
//! expects.
//!
//! Follows the original project's `ELECTION_DATA_SCHEMA` with its defects fixed: voter
//! statistics are kept, every count is `Option<u64>` (`None` = unreadable, never equal to 0),
//! and one record may hold both the constituency and the party-list report.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Which of the two ส.ส. 5/18 variants a report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FormType {
    /// แบบแบ่งเขตเลือกตั้ง: votes per candidate number.
    Constituency,
    /// แบบบัญชีรายชื่อ (บช): votes per party number.
    PartyList,
}

impl FormType {
    /// The name used in JSON and in field paths.
    pub fn as_str(self) -> &'static str {
        match self {
            FormType::Constituency => "Constituency",
            FormType::PartyList => "PartyList",
        }
    }
}

/// Header of the form: identifies the polling unit and the variant.
///
/// Numbers here are strings as on the original schema ("7", "๗"); evaluators compare them
/// as numbers after normalisation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormInfo {
    pub form_type: Option<FormType>,
    /// Election date as written, e.g. "14/05/2566" or "14 พฤษภาคม 2566" (Buddhist era).
    pub date: Option<String>,
    pub province: Option<String>,
    /// อำเภอ / เขต.
    pub district: Option<String>,
    /// ตำบล / แขวง.
    pub sub_district: Option<String>,
    pub constituency_number: Option<String>,
    pub polling_station_number: Option<String>,
}

/// Section 1 of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoterStatistics {
    /// 1.1 eligible voters on the roll.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub eligible_voters: Option<u64>,
    /// 1.2 voters who showed up.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub voters_present: Option<u64>,
}

/// Section 2 of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotStatistics {
    /// 2.1 ballots allocated to the unit.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub ballots_allocated: Option<u64>,
    /// 2.2 ballots used.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub ballots_used: Option<u64>,
    /// 2.2.1 valid ballots.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub good_ballots: Option<u64>,
    /// 2.2.2 invalid ballots.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub bad_ballots: Option<u64>,
    /// 2.2.3 ballots that chose nobody.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub no_vote_ballots: Option<u64>,
    /// 2.3 ballots left over.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub ballots_remaining: Option<u64>,
}

impl BallotStatistics {
    /// The six fields by name, in form order.
    pub fn fields(&self) -> [(&'static str, Option<u64>); 6] {
        [
            ("ballots_allocated", self.ballots_allocated),
            ("ballots_used", self.ballots_used),
            ("good_ballots", self.good_ballots),
            ("bad_ballots", self.bad_ballots),
            ("no_vote_ballots", self.no_vote_ballots),
            ("ballots_remaining", self.ballots_remaining),
        ]
    }
    /// Sets the field named as [`BallotStatistics::fields`] names it; false for another name.
    pub fn set(&mut self, name: &str, value: Option<u64>) -> bool {
        let slot = match name {
            "ballots_allocated" => &mut self.ballots_allocated,
            "ballots_used" => &mut self.ballots_used,
            "good_ballots" => &mut self.good_ballots,
            "bad_ballots" => &mut self.bad_ballots,
            "no_vote_ballots" => &mut self.no_vote_ballots,
            "ballots_remaining" => &mut self.ballots_remaining,
            _ => return false,
        };
        *slot = value;
        true
    }
}

impl VoterStatistics {
    /// The two fields by name, in form order.
    pub fn fields(&self) -> [(&'static str, Option<u64>); 2] {
        [
            ("eligible_voters", self.eligible_voters),
            ("voters_present", self.voters_present),
        ]
    }
}

/// One row of section 3: a candidate (constituency) or a party (party list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteResult {
    /// Candidate number or party-list number.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub number: Option<u32>,
    /// Constituency form only.
    pub candidate_name: Option<String>,
    pub party_name: Option<String>,
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub vote_count: Option<u64>,
    /// The count in Thai words as written on the form, e.g. "เจ็ดสิบหก".
    pub vote_count_text: Option<String>,
}

/// One extracted form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteReport {
    #[serde(default)]
    pub form_info: FormInfo,
    #[serde(default)]
    pub voter_statistics: VoterStatistics,
    #[serde(default)]
    pub ballot_statistics: BallotStatistics,
    #[serde(default)]
    pub vote_results: Vec<VoteResult>,
}

/// The reports of one record: one or two forms (constituency and party list), paired by
/// `form_type` when scored. Serialises as a JSON array; deserialises from an array or from a
/// single report object.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ReportSet(pub Vec<VoteReport>);

impl<'de> Deserialize<'de> for ReportSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Dispatch on the JSON type itself: an untagged enum would also read a short array
        // as one report's fields by position, and would hide the real error behind "did not
        // match any variant".
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = ReportSet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a report object or an array of report objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ReportSet, A::Error> {
                Vec::<VoteReport>::deserialize(SeqAccessDeserializer::new(seq)).map(ReportSet)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ReportSet, A::Error> {
                VoteReport::deserialize(MapAccessDeserializer::new(map)).map(|r| ReportSet(vec![r]))
            }
        }
        deserializer.deserialize_any(SetVisitor)
    }
}

impl ReportSet {
    /// The report of the given form type, if the set holds one.
    pub fn by_type(&self, form_type: FormType) -> Option<&VoteReport> {
        self.0
            .iter()
            .find(|r| r.form_info.form_type == Some(form_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ballot_field_can_be_set_by_its_name() {
        let mut b = BallotStatistics::default();
        for (i, (name, _)) in BallotStatistics::default().fields().iter().enumerate() {
            assert!(b.set(name, Some(i as u64)));
        }
        let values: Vec<Option<u64>> = b.fields().iter().map(|(_, v)| *v).collect();
        assert_eq!(values, (0..6).map(Some).collect::<Vec<_>>());
        assert!(!b.set("voters_present", Some(1)));
    }

    #[test]
    fn report_set_accepts_object_or_array() {
        let one: ReportSet =
            serde_json::from_str(r#"{"form_info":{"form_type":"PartyList"}}"#).expect("object");
        assert_eq!(one.0.len(), 1);
        let many: ReportSet = serde_json::from_str(
            r#"[{"form_info":{"form_type":"Constituency"}},{"form_info":{"form_type":"PartyList"}}]"#,
        )
        .expect("array");
        assert_eq!(many.0.len(), 2);
        assert!(many.by_type(FormType::PartyList).is_some());
        assert_eq!(
            serde_json::to_string(&one).expect("ser").chars().next(),
            Some('[')
        );
    }

    #[test]
    fn null_count_stays_distinct_from_zero() {
        let r: BallotStatistics =
            serde_json::from_str(r#"{"bad_ballots":null,"good_ballots":0}"#).expect("parse");
        assert_eq!(r.bad_ballots, None);
        assert_eq!(r.good_ballots, Some(0));
        assert_ne!(r.bad_ballots, r.good_ballots);
    }

    #[test]
    fn an_array_is_always_a_list_of_reports_never_one_report_by_position() {
        // Three objects once read as form_info, voter_statistics and ballot_statistics.
        let set: ReportSet = serde_json::from_str(r#"[{}, {}, {}]"#).expect("array");
        assert_eq!(set.0.len(), 3);
        let err =
            serde_json::from_str::<ReportSet>(r#"[{"ballot_statistics": {"good_ballots": 1.5}}]"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("1.5"), "{err}");
        assert!(serde_json::from_str::<ReportSet>("7").is_err());
    }

    #[test]
    fn whole_floats_are_counts() {
        let set: ReportSet = serde_json::from_str(
            r#"{"ballot_statistics": {"ballots_remaining": 3987077.0}, "vote_results": [{"number": 3.0, "vote_count": 76.0}]}"#,
        )
        .expect("whole floats");
        assert_eq!(
            set.0[0].ballot_statistics.ballots_remaining,
            Some(3_987_077)
        );
        assert_eq!(set.0[0].vote_results[0].number, Some(3));
    }
}
