//! The bundled dataset `vote-extraction-bangbamru-1-10`: a synthetic stand-in for the
//! original project's ten Bang Bamru units, both forms each, with one known label defect.

use serde_json::json;
use shared::dataset::DatasetRecord;
use shared::report::{BallotStatistics, FormType, VoteReport};

use super::generate::{build_record, record_rng, Election, NoiseLevel};
use super::names::{District, BANGKOK};
use super::truth::{ballots, refit, roster, truth, UnitSpec};

/// Name of the bundled dataset.
pub const BUILTIN_DATASET_NAME: &str = "vote-extraction-bangbamru-1-10";

/// Fixed seed: the bundled records never change between builds.
const SEED: u64 = 2566_0514;

/// The record whose label carries the original project's defect.
const DEFECT_UNIT: u32 = 1;

const LABEL_NOTE: &str =
    "ballots_used copied from good_ballots, as in the original v1-llm-generated labels";

static BANG_PHLAT: District = District {
    province: BANGKOK,
    name: "บางพลัด",
    subs: &["บางบำหรุ"],
    constituency: 7,
};

/// What the bundled dataset is, for listings.
pub fn builtin_description() -> &'static str {
    "Ten polling units (1–10) of แขวงบางบำหรุ, เขตบางพลัด, กรุงเทพมหานคร, constituency 7, \
     14/05/2566: OCR-style text of both ส.ส. 5/18 forms per unit (constituency and party list) \
     with realistic handwriting/OCR noise, and true labels. Synthetic, modelled on the original \
     project's dataset of the same name. One label (บางบำหรุ1) deliberately repeats the \
     original's defect: its constituency ballots_used equals good_ballots (439 vs 460), \
     breaking I1, for label audits to find."
}

/// The ten records, ids "บางบำหรุ1".."บางบำหรุ10", in unit order.
pub fn builtin_dataset() -> Vec<DatasetRecord> {
    // One constituency: every unit shares the same candidates and party list.
    let mut rng = record_rng(SEED, u64::MAX);
    let roster = roster(&mut rng, Election::Y2566, true, None);
    (1..=10u32)
        .map(|unit| {
            let mut rng = record_rng(SEED, u64::from(unit));
            let spec = UnitSpec { district: &BANG_PHLAT, sub: "บางบำหรุ", unit_no: unit, election: Election::Y2566 };
            let mut reports = truth(&mut rng, &spec, &roster, true);
            if unit == DEFECT_UNIT {
                original_example(&mut rng, &mut reports);
            }
            let mut record = build_record(&mut rng, &spec, reports, NoiseLevel::Realistic);
            record.id = format!("บางบำหรุ{unit}");
            let meta = &mut record.metadata;
            meta.insert("dataset".into(), json!(BUILTIN_DATASET_NAME));
            meta.insert("unit".into(), json!(unit));
            meta.insert(
                "original_image_paths".into(),
                json!((1..=6).map(|p| format!("assets/ss5-18-images/บางบำหรุ{unit}_page{p}.jpg")).collect::<Vec<_>>()),
            );
            if unit == DEFECT_UNIT {
                copy_good_into_used(&mut record.expected_output.0);
                meta.insert("label_note".into(), json!(LABEL_NOTE));
                meta.insert(
                    "label_defect".into(),
                    json!({"field": "Constituency.ballot_statistics.ballots_used", "label": 439, "true": 460}),
                );
            }
            record
        })
        .collect()
}

/// Sets the unit's true numbers to the original project's example record (vote-forms §3):
/// 806 eligible, 460 present, 620 allocated, 460 used = 439 good + 4 bad + 17 no-vote,
/// 160 remaining.
fn original_example(rng: &mut rand_chacha::ChaCha8Rng, reports: &mut [VoteReport]) {
    for report in reports.iter_mut() {
        report.voter_statistics.eligible_voters = Some(806);
        report.voter_statistics.voters_present = Some(460);
        let stats = match report.form_info.form_type {
            Some(FormType::Constituency) => BallotStatistics {
                ballots_allocated: Some(620),
                ballots_used: Some(460),
                good_ballots: Some(439),
                bad_ballots: Some(4),
                no_vote_ballots: Some(17),
                ballots_remaining: Some(160),
            },
            _ => ballots(rng, 460, 620, 0.04, 0.03),
        };
        refit(rng, report, stats);
    }
}

/// The defect: the constituency label's used ballots are the good-ballot figure.
fn copy_good_into_used(reports: &mut [VoteReport]) {
    for report in reports
        .iter_mut()
        .filter(|r| r.form_info.form_type == Some(FormType::Constituency))
    {
        report.ballot_statistics.ballots_used = report.ballot_statistics.good_ballots;
    }
}
