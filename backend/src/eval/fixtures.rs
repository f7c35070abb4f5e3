//! Worked examples for evaluator tests, modelled on the original project's record.

use shared::{
    BallotStatistics, FormInfo, FormType, ReportSet, VoteReport, VoteResult, VoterStatistics,
};

/// A constituency report whose identities all hold.
pub fn constituency() -> VoteReport {
    VoteReport {
        form_info: FormInfo {
            form_type: Some(FormType::Constituency),
            date: Some("14/05/2566".into()),
            province: Some("กรุงเทพมหานคร".into()),
            district: Some("บางพลัด".into()),
            sub_district: Some("บางบำหรุ".into()),
            constituency_number: Some("7".into()),
            polling_station_number: Some("4".into()),
        },
        voter_statistics: VoterStatistics {
            eligible_voters: Some(806),
            voters_present: Some(460),
        },
        ballot_statistics: BallotStatistics {
            ballots_allocated: Some(620),
            ballots_used: Some(460),
            good_ballots: Some(439),
            bad_ballots: Some(4),
            no_vote_ballots: Some(17),
            ballots_remaining: Some(160),
        },
        vote_results: vec![
            row(1, 200, "สองร้อย"),
            row(2, 163, "หนึ่งร้อยหกสิบสาม"),
            row(3, 76, "เจ็ดสิบหก"),
            row(4, 0, "ศูนย์"),
        ],
    }
}

/// A party-list report of the same unit.
pub fn party_list() -> VoteReport {
    let mut r = constituency();
    r.form_info.form_type = Some(FormType::PartyList);
    r.ballot_statistics.good_ballots = Some(440);
    r.ballot_statistics.bad_ballots = Some(5);
    r.ballot_statistics.no_vote_ballots = Some(15);
    r.vote_results = vec![row(1, 300, "สามร้อย"), row(2, 140, "หนึ่งร้อยสี่สิบ")];
    r
}

/// One vote row with digits and words.
pub fn row(number: u32, votes: u64, words: &str) -> VoteResult {
    VoteResult {
        number: Some(number),
        candidate_name: Some(format!("ผู้สมัคร {number}")),
        party_name: Some(format!("พรรค {number}")),
        vote_count: Some(votes),
        vote_count_text: Some(words.into()),
    }
}

/// Both forms of the unit.
pub fn both() -> ReportSet {
    ReportSet(vec![constituency(), party_list()])
}
