//! The true content of a unit's forms: the label every generated record carries.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use shared::report::{
    BallotStatistics, FormInfo, FormType, VoteReport, VoteResult, VoterStatistics,
};

use super::names::{
    party_name, District, FEMALE_NAMES, FEMALE_TITLES, MALE_NAMES, MALE_TITLES, SURNAMES,
};
use serde::{Deserialize, Serialize};

/// Which general election a generated form belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Election {
    /// 14 May 2023 (14/05/2566), up to 67 party-list rows.
    Y2566,
    /// 8 February 2026 (08/02/2569), 57 party-list rows.
    Y2569,
}

impl Election {
    /// Buddhist-era year.
    pub fn year_be(self) -> u32 {
        match self {
            Election::Y2566 => 2566,
            Election::Y2569 => 2569,
        }
    }

    /// Polling day as the labels write it, "dd/mm/yyyy" in the Buddhist era.
    pub fn date_numeric(self) -> &'static str {
        match self {
            Election::Y2566 => "14/05/2566",
            Election::Y2569 => "08/02/2569",
        }
    }

    /// Day of month and Thai month name of polling day.
    pub(crate) fn day_month(self) -> (u32, &'static str) {
        match self {
            Election::Y2566 => (14, "พฤษภาคม"),
            Election::Y2569 => (8, "กุมภาพันธ์"),
        }
    }

    /// Rows of the party-list form.
    pub fn party_count(self) -> usize {
        match self {
            Election::Y2566 => 67,
            Election::Y2569 => 57,
        }
    }
}

/// Which polling unit a record is about.
pub(crate) struct UnitSpec {
    pub district: &'static District,
    pub sub: &'static str,
    pub unit_no: u32,
    pub election: Election,
}

impl UnitSpec {
    /// The header as the label writes it: names without เขต/แขวง prefixes, numbers as
    /// Arabic strings, the date as "dd/mm/yyyy" (Buddhist era).
    pub fn form_info(&self, form_type: FormType) -> FormInfo {
        FormInfo {
            form_type: Some(form_type),
            date: Some(self.election.date_numeric().to_string()),
            province: Some(self.district.province.to_string()),
            district: Some(self.district.name.to_string()),
            sub_district: Some(self.sub.to_string()),
            constituency_number: Some(self.district.constituency.to_string()),
            polling_station_number: Some(self.unit_no.to_string()),
        }
    }
}

/// Who is on the ballots of a constituency: candidates (name with title, party) and the
/// party list.
pub(crate) struct Roster {
    pub candidates: Vec<(String, &'static str)>,
    pub parties: Vec<&'static str>,
}

/// Candidates and parties for one constituency.
pub(crate) fn roster(
    rng: &mut ChaCha8Rng,
    election: Election,
    party_list: bool,
    max_parties: Option<usize>,
) -> Roster {
    let year = election.year_be();
    let n = rng.gen_range(6..=18usize);
    // Big parties field candidates almost everywhere; draw from the first 30 names.
    let mut pool: Vec<usize> = (0..30).collect();
    pool.shuffle(rng);
    let candidates = pool
        .iter()
        .take(n)
        .map(|&p| {
            let female = rng.gen_bool(0.3);
            let (titles, firsts) = if female {
                (FEMALE_TITLES, FEMALE_NAMES)
            } else {
                (MALE_TITLES, MALE_NAMES)
            };
            let title = titles[rng.gen_range(0..titles.len())];
            let first = firsts[rng.gen_range(0..firsts.len())];
            let last = SURNAMES[rng.gen_range(0..SURNAMES.len())];
            (format!("{title}{first} {last}"), party_name(p, year))
        })
        .collect();
    let count = if party_list {
        election
            .party_count()
            .min(max_parties.unwrap_or(usize::MAX))
            .max(1)
    } else {
        0
    };
    let parties = (0..count).map(|i| party_name(i, year)).collect();
    Roster {
        candidates,
        parties,
    }
}

/// Rounded share of `n`.
fn share(n: u64, f: f64) -> u64 {
    (n as f64 * f).round() as u64
}

/// Ballot statistics that satisfy I1 and I2 for `used` ballots.
pub(crate) fn ballots(
    rng: &mut ChaCha8Rng,
    used: u64,
    allocated: u64,
    bad_max: f64,
    nv_max: f64,
) -> BallotStatistics {
    let bad = share(used, rng.gen_range(0.0..bad_max));
    let no_vote = share(used, rng.gen_range(0.0..nv_max)).min(used - bad.min(used));
    let good = used.saturating_sub(bad + no_vote);
    BallotStatistics {
        ballots_allocated: Some(allocated),
        ballots_used: Some(used),
        good_ballots: Some(good),
        bad_ballots: Some(bad),
        no_vote_ballots: Some(no_vote),
        ballots_remaining: Some(allocated.saturating_sub(used)),
    }
}

/// Ballots sent to a unit: near the roll, sometimes below it (vote-forms S3), never below
/// what was used; often a round number.
fn allocation(rng: &mut ChaCha8Rng, eligible: u64, used: u64) -> u64 {
    let mut a = share(eligible, rng.gen_range(0.72..1.03)).max(used + rng.gen_range(5..40));
    if rng.gen_bool(0.5) {
        a = a.div_ceil(10) * 10;
    }
    a
}

/// Splits `total` over `n` rows: a few leaders, a long tail of small and zero rows.
pub(crate) fn distribute(
    rng: &mut ChaCha8Rng,
    total: u64,
    n: usize,
    zero_p: f64,
    leaders: usize,
) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let mut w: Vec<f64> = (0..n)
        .map(|_| {
            if rng.gen_bool(zero_p) {
                0.0
            } else {
                rng.gen::<f64>().powi(4) * 0.3
            }
        })
        .collect();
    for _ in 0..leaders.min(n) {
        let i = rng.gen_range(0..n);
        w[i] += rng.gen_range(0.5..3.0);
    }
    let sum: f64 = w.iter().sum();
    if sum <= 0.0 {
        w[0] = 1.0;
    }
    let sum: f64 = w.iter().sum();
    let exact: Vec<f64> = w.iter().map(|x| total as f64 * x / sum).collect();
    let mut votes: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = votes.iter().sum();
    // Largest remainder: hand out what flooring left, biggest fractions first.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = total.saturating_sub(given);
    for &i in order.iter().cycle().take(n * 2) {
        if left == 0 {
            break;
        }
        if w[i] > 0.0 {
            votes[i] += 1;
            left -= 1;
        }
    }
    votes[0] += left;
    votes
}

/// True reports of the unit: the constituency form, then the party-list form when the
/// roster has parties. Identities I1–I4 hold in both; S5 (same 1.1 and 1.2) holds.
pub(crate) fn truth(
    rng: &mut ChaCha8Rng,
    spec: &UnitSpec,
    roster: &Roster,
    party_list: bool,
) -> Vec<VoteReport> {
    let eligible = rng.gen_range(400..=1200u64);
    let present = share(eligible, rng.gen_range(0.55..0.85));
    let voters = VoterStatistics {
        eligible_voters: Some(eligible),
        voters_present: Some(present),
    };

    // Constituency used ballots normally equal those who showed up (S1).
    let used = if rng.gen_bool(0.93) {
        present
    } else {
        present.saturating_sub(rng.gen_range(1..=2))
    };
    let allocated = allocation(rng, eligible, used);
    let ballot_stats = ballots(rng, used, allocated, 0.03, 0.05);
    let good = ballot_stats.good_ballots.unwrap_or(0);
    let leaders = rng.gen_range(2..=3);
    let votes = distribute(rng, good, roster.candidates.len(), 0.08, leaders);
    let rows = roster
        .candidates
        .iter()
        .zip(votes)
        .enumerate()
        .map(|(i, ((name, party), v))| row(i, Some(name.clone()), party, v))
        .collect();
    let mut reports = vec![VoteReport {
        form_info: spec.form_info(FormType::Constituency),
        voter_statistics: voters.clone(),
        ballot_statistics: ballot_stats,
        vote_results: rows,
    }];

    if party_list && !roster.parties.is_empty() {
        // The two ballot boxes can differ by a ballot or two (the "surplus" of vote-forms S5).
        let used_pl = if rng.gen_bool(0.9) {
            used
        } else {
            present.saturating_sub(rng.gen_range(0..=2))
        };
        let allocated_pl = if rng.gen_bool(0.7) && allocated >= used_pl {
            allocated
        } else {
            allocation(rng, eligible, used_pl)
        };
        let stats = ballots(rng, used_pl, allocated_pl, 0.04, 0.03);
        let good = stats.good_ballots.unwrap_or(0);
        let n = roster.parties.len();
        let leaders = rng.gen_range(3..=5);
        let votes = distribute(rng, good, n, 0.3, leaders);
        let rows = roster
            .parties
            .iter()
            .zip(votes)
            .enumerate()
            .map(|(i, (p, v))| row(i, None, p, v))
            .collect();
        reports.push(VoteReport {
            form_info: spec.form_info(FormType::PartyList),
            voter_statistics: voters,
            ballot_statistics: stats,
            vote_results: rows,
        });
    }
    reports
}

fn row(i: usize, candidate_name: Option<String>, party: &str, votes: u64) -> VoteResult {
    VoteResult {
        number: Some(i as u32 + 1),
        candidate_name,
        party_name: Some(party.to_string()),
        vote_count: Some(votes),
        vote_count_text: crate::thai::words::to_words(votes).ok(),
    }
}

/// Replaces the report's ballot statistics and redraws its votes to sum to the new good
/// ballots, keeping I1–I4.
pub(crate) fn refit(rng: &mut ChaCha8Rng, report: &mut VoteReport, stats: BallotStatistics) {
    let good = stats.good_ballots.unwrap_or(0);
    let votes = distribute(rng, good, report.vote_results.len(), 0.1, 3);
    for (row, v) in report.vote_results.iter_mut().zip(votes) {
        row.vote_count = Some(v);
        row.vote_count_text = crate::thai::words::to_words(v).ok();
    }
    report.ballot_statistics = stats;
}
