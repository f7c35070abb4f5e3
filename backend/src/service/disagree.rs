//! Where compared experiments disagree, found without holding their outcomes: each trial is
//! reduced to a glance (overall, failed or not, a fingerprint of its failing fields) while
//! its scores stream into a table; only the listed disagreements are read again, for their
//! field names.

use std::collections::{BTreeSet, HashMap};

use shared::{Disagreement, RecordScores};

use super::{Service, ServiceResult};
use crate::eval::table::ScoreTable;
use crate::outcome::RecordOutcome;
use crate::stats;

/// Most disagreeing records listed.
const MAX_DISAGREEMENTS: usize = 200;

/// A first-repetition trial, reduced to what tells whether two experiments disagree on it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Glance {
    pub(super) index: usize,
    pub(super) overall: f64,
    pub(super) failed: bool,
    /// A stable fingerprint (FNV-1a) of the failing fields: glances are stored, so it must
    /// not change between builds.
    pub(super) failing_fields: u64,
}

/// Glances of an experiment's first repetitions, by record id.
pub(super) type Glances = HashMap<Box<str>, Glance>;

impl Service {
    /// An experiment's score table and the glances of its first repetitions: a finished
    /// experiment's from its stored columns (stored now when they were not), any other's
    /// read from its trials a page at a time.
    pub(super) async fn score_table(&self, id: &str) -> ServiceResult<(ScoreTable, Glances)> {
        let terminal = self.store.get_experiment(id).await?.status.is_terminal();
        if terminal {
            if let Some(stored) = self.stored_score_columns(id).await? {
                return Ok(stored);
            }
        }
        let mut table = ScoreTable::default();
        let mut glances = Glances::new();
        self.each_stored_trial(id, |o| {
            table.push(&o.record_id, o.repetition, &o.scores);
            if o.repetition == 0 {
                glances.insert(o.record_id.as_str().into(), glance(o));
            }
        })
        .await?;
        if terminal {
            // A failure only costs the next comparison a read of every trial.
            if let Err(e) = self.store_score_columns(id, &table, &glances).await {
                tracing::warn!(error = %e, "cannot store an experiment's score columns");
            }
        }
        Ok((table, glances))
    }

    /// Records (first repetition, in the first experiment's order) where the experiments'
    /// verdicts differ — a field right in one and wrong in another, or a failure in only
    /// some — the first [`MAX_DISAGREEMENTS`] of them, and how many records all ran.
    pub(super) async fn disagreements(
        &self,
        ids: &[String],
        glances: &[Glances],
    ) -> ServiceResult<(Vec<Disagreement>, u64)> {
        let Some(first) = glances.first() else {
            return Ok((Vec::new(), 0));
        };
        let mut paired = 0u64;
        let mut listed: Vec<(usize, &str)> = Vec::new();
        for (id, base) in first {
            let per: Vec<Option<&Glance>> = glances.iter().map(|g| g.get(id)).collect();
            paired += u64::from(per.iter().all(Option::is_some));
            let differs = per[1..].iter().any(|p| {
                p.is_none_or(|p| p.failed != base.failed || p.failing_fields != base.failing_fields)
            });
            if differs {
                listed.push((base.index, id));
            }
        }
        // In the first experiment's record order.
        listed.sort_unstable();
        listed.truncate(MAX_DISAGREEMENTS);
        let listed_ids: Vec<&str> = listed.iter().map(|(_, id)| *id).collect();
        let mut fields_of: Vec<HashMap<String, BTreeSet<String>>> = Vec::new();
        for id in ids {
            let trials = self.store.scores_of_records(id, &listed_ids).await?;
            fields_of.push(
                trials
                    .iter()
                    .map(|o| (o.record_id.clone(), failing_fields(&o.scores)))
                    .collect(),
            );
        }
        let out = listed
            .into_iter()
            .map(|(index, id)| {
                let sets: Vec<BTreeSet<String>> = fields_of
                    .iter()
                    .map(|m| m.get(id).cloned().unwrap_or_default())
                    .collect();
                let mut differing = BTreeSet::new();
                for set in &sets[1..] {
                    differing.extend(set.symmetric_difference(&sets[0]).cloned());
                }
                Disagreement {
                    record_id: id.to_string(),
                    record_index: index as u64,
                    overall: glances
                        .iter()
                        .map(|g| g.get(id).map(|x| x.overall))
                        .collect(),
                    fields: differing.into_iter().collect(),
                }
            })
            .collect();
        Ok((out, paired))
    }
}

/// A first-repetition trial, reduced to its glance.
pub(super) fn glance(o: &RecordOutcome) -> Glance {
    // FNV-1a over the sorted field names, each followed by a 0xff byte (never in UTF-8).
    let h = failing_fields(&o.scores)
        .iter()
        .fold(stats::FNV1A_START, |h, field| {
            stats::fnv1a(h, field.bytes().chain([0xff]))
        });
    Glance {
        index: o.record_index,
        overall: o.scores.overall,
        failed: o.error.is_some(),
        failing_fields: h,
    }
}

/// The fields a trial got wrong (stored trials keep only these checks).
fn failing_fields(scores: &RecordScores) -> BTreeSet<String> {
    scores
        .scores
        .iter()
        .flat_map(|s| s.details.iter())
        .filter(|d| !d.ok)
        .map(|d| d.field.clone())
        .collect()
}
