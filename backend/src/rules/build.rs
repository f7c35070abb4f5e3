//! From raw forms to repaired vote reports.

use shared::report::{BallotStatistics, FormType, VoteReport, VoteResult, VoterStatistics};

use super::cell::{Trust, Val};
use super::parse::{RawForm, ALLOCATED, BAD, ELIGIBLE, GOOD, NO_VOTE, PRESENT, REMAINING, USED};
use super::repair::Ballots;
use super::rows::{good_witness, order_rows, repair_rows, row_sum, Row};

/// Titles that start a candidate's name: rows with them belong to a constituency form.
const TITLES: [&str; 6] = ["นาย", "นาง", "ว่าที่", "ดร.", "ร.ต.", "พ.ต."];

/// Constituency tables are short; a long table is a party list.
const LONG_TABLE: usize = 25;

fn guess_type(form: &RawForm) -> Option<FormType> {
    if let Some(t) = form.declared.or(form.hint) {
        return Some(t);
    }
    if form.rows.len() > LONG_TABLE {
        return Some(FormType::PartyList);
    }
    let titled = form
        .rows
        .iter()
        .filter(|r| TITLES.iter().any(|t| r.middle.starts_with(t)))
        .count();
    (titled * 2 > form.rows.len()).then_some(FormType::Constituency)
}

fn other(t: FormType) -> FormType {
    match t {
        FormType::Constituency => FormType::PartyList,
        FormType::PartyList => FormType::Constituency,
    }
}

/// Repaired reports, in the order the forms appear.
pub(super) fn build_reports(forms: Vec<RawForm>) -> Vec<VoteReport> {
    let guessed: Vec<Option<FormType>> = forms.iter().map(guess_type).collect();
    let mut built: Vec<(VoteReport, [Val; 8])> = forms
        .into_iter()
        .enumerate()
        .map(|(i, form)| {
            // An unknown form beside a known one is the other variant.
            let neighbour = guessed
                .iter()
                .enumerate()
                .find_map(|(j, t)| if j != i { *t } else { None });
            let t = guessed[i]
                .or(neighbour.map(other))
                .unwrap_or(FormType::Constituency);
            build_one(form, t)
        })
        .collect();
    if let [(a, va), (b, vb)] = built.as_mut_slice() {
        if a.form_info.form_type != b.form_info.form_type {
            share_voters(a, va, b, vb);
        }
    }
    built.into_iter().map(|(r, _)| r).collect()
}

/// Both forms of a unit print the same 1.1 and 1.2 (vote-forms S5): fill a gap from the
/// other form, and settle a disagreement in favour of the better-trusted reading.
fn share_voters(a: &mut VoteReport, va: &[Val; 8], b: &mut VoteReport, vb: &[Val; 8]) {
    let pick = |x: Val, y: Val| -> Option<u64> {
        match (x.v, y.v) {
            (Some(_), Some(_)) if y.trust > x.trust => y.v,
            (Some(_), _) => x.v,
            (None, _) => y.v,
        }
    };
    for (i, slot_a, slot_b) in [
        (
            ELIGIBLE,
            &mut a.voter_statistics.eligible_voters,
            &mut b.voter_statistics.eligible_voters,
        ),
        (
            PRESENT,
            &mut a.voter_statistics.voters_present,
            &mut b.voter_statistics.voters_present,
        ),
    ] {
        let (x, y) = (va[i], vb[i]);
        if (x.v != y.v && x.trust != y.trust) || x.v.is_none() || y.v.is_none() {
            *slot_a = pick(x, y);
            *slot_b = pick(y, x);
        }
    }
}

fn build_one(form: RawForm, form_type: FormType) -> (VoteReport, [Val; 8]) {
    let mut rows = order_rows(form.rows);
    let vals = form
        .stats
        .clone()
        .map(|c| c.map_or_else(Val::default, |c| c.val()));
    let texts = form
        .stats
        .map(|c| c.map(|c| c.digit_text).unwrap_or_default());
    let total = form.total.as_ref().map_or_else(Val::default, |c| c.val());
    let witness = good_witness(total, row_sum(&rows), vals[GOOD].v);
    let mut ballots = Ballots { vals, texts };
    ballots.repair(witness);
    repair_rows(&mut rows, ballots.vals[GOOD].v);
    if ballots.vals[GOOD].v.is_none() {
        let sum = row_sum(&rows);
        if sum.trust >= Trust::Digits {
            ballots.witness_good(sum);
            ballots.fill();
        }
    }
    let v = ballots.vals.map(|x| x.v);
    let mut info = form.info;
    info.form_type = Some(form_type);
    let report = VoteReport {
        form_info: info,
        voter_statistics: VoterStatistics {
            eligible_voters: v[ELIGIBLE],
            voters_present: v[PRESENT],
        },
        ballot_statistics: BallotStatistics {
            ballots_allocated: v[ALLOCATED],
            ballots_used: v[USED],
            good_ballots: v[GOOD],
            bad_ballots: v[BAD],
            no_vote_ballots: v[NO_VOTE],
            ballots_remaining: v[REMAINING],
        },
        vote_results: rows.into_iter().map(|r| result(r, form_type)).collect(),
    };
    (report, ballots.vals)
}

fn party(s: &str) -> Option<String> {
    let s = s.strip_prefix("พรรค").unwrap_or(s).trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn result(row: Row, form_type: FormType) -> VoteResult {
    let (candidate_name, party_name) = match form_type {
        FormType::PartyList => (None, party(&row.middle)),
        FormType::Constituency => {
            let toks: Vec<&str> = row.middle.split(' ').filter(|t| !t.is_empty()).collect();
            let split = match toks.iter().position(|t| t.starts_with("พรรค")) {
                Some(k) if k > 0 => Some(k),
                _ if toks.len() >= 2 => Some(toks.len() - 1),
                _ => None,
            };
            match split {
                Some(k) => {
                    let (name, rest) = toks.split_at(k);
                    (Some(name.join(" ")), party(&rest.join(" ")))
                }
                None => ((!row.middle.is_empty()).then(|| row.middle.clone()), None),
            }
        }
    };
    VoteResult {
        number: Some(row.number),
        candidate_name,
        party_name,
        vote_count: row.val.v,
        vote_count_text: row.cell.words_text,
    }
}
