//! Compact forms of an experiment's scores: what summaries and paired comparisons need, a
//! few dozen bytes a trial, so a 100,000-trial experiment is summarised without holding its
//! outcomes (a [`ScoreTable`] of 100,000 trials is under 10 MB).

use std::collections::BTreeMap;

use shared::{FieldAccuracy, RecordScores};

use super::names;
use super::registry::EVALUATORS;

/// Every trial's evaluator values in columns, in the order they were pushed.
#[derive(Debug, Default, Clone)]
pub struct ScoreTable {
    record_ids: Vec<Box<str>>,
    repetitions: Vec<u32>,
    overall: Vec<f64>,
    /// `EVALUATORS.len()` values per trial, in the registry's order; NaN where the trial
    /// does not carry the evaluator (stored before it existed).
    values: Vec<f64>,
}

impl ScoreTable {
    /// An empty table with room for `trials`.
    pub fn with_capacity(trials: usize) -> Self {
        ScoreTable {
            record_ids: Vec::with_capacity(trials),
            repetitions: Vec::with_capacity(trials),
            overall: Vec::with_capacity(trials),
            values: Vec::with_capacity(trials * EVALUATORS.len()),
        }
    }

    /// Adds one trial's scores.
    pub fn push(&mut self, record_id: &str, repetition: u32, scores: &RecordScores) {
        self.record_ids.push(record_id.into());
        self.repetitions.push(repetition);
        self.overall.push(scores.overall);
        self.values.extend(
            EVALUATORS
                .iter()
                .map(|e| scores.value(e.name).unwrap_or(f64::NAN)),
        );
    }

    /// Adds one trial from stored columns: `row` holds a value per evaluator in registry
    /// order (NaN where the trial does not carry it).
    pub fn push_row(&mut self, record_id: &str, repetition: u32, overall: f64, row: &[f64]) {
        self.record_ids.push(record_id.into());
        self.repetitions.push(repetition);
        self.overall.push(overall);
        self.values
            .extend((0..EVALUATORS.len()).map(|e| row.get(e).copied().unwrap_or(f64::NAN)));
    }

    /// Trial `t`'s value per evaluator, in registry order (NaN where it does not carry one).
    pub fn row(&self, t: usize) -> &[f64] {
        let width = EVALUATORS.len();
        &self.values[t * width..(t + 1) * width]
    }

    /// Trials in the table.
    pub fn len(&self) -> usize {
        self.overall.len()
    }

    /// Whether the table has no trial.
    pub fn is_empty(&self) -> bool {
        self.overall.is_empty()
    }

    /// The record id of trial `t`.
    pub fn record_id(&self, t: usize) -> &str {
        &self.record_ids[t]
    }

    /// The repetition of trial `t`.
    pub fn repetition(&self, t: usize) -> u32 {
        self.repetitions[t]
    }

    /// Overall accuracy of trial `t`.
    pub fn overall(&self, t: usize) -> f64 {
        self.overall[t]
    }

    /// The value of evaluator number `e` (registry order) on trial `t`, if it carries it.
    pub fn value(&self, t: usize, e: usize) -> Option<f64> {
        let v = self.values[t * EVALUATORS.len() + e];
        (!v.is_nan()).then_some(v)
    }

    /// Whether trial `t`'s output parsed (has_no_errors passed).
    pub fn parsed(&self, t: usize) -> bool {
        EVALUATORS
            .iter()
            .position(|e| e.name == names::HAS_NO_ERRORS)
            .and_then(|e| self.value(t, e))
            .is_some_and(|v| v >= 1.0)
    }

    /// Trials grouped by record, groups in the order their record first appears, trials in
    /// table order within a group.
    pub fn groups(&self) -> Groups {
        let mut group_of: Vec<u32> = Vec::with_capacity(self.len());
        let mut sizes: Vec<u32> = Vec::new();
        {
            let mut index: std::collections::HashMap<&str, u32> =
                std::collections::HashMap::with_capacity(self.len());
            for t in 0..self.len() {
                let g = *index.entry(self.record_id(t)).or_insert_with(|| {
                    sizes.push(0);
                    u32::try_from(sizes.len() - 1).unwrap_or(u32::MAX)
                });
                sizes[g as usize] += 1;
                group_of.push(g);
            }
        }
        // A counting sort: each group's trials end up side by side, in table order.
        let mut starts: Vec<u32> = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0u32;
        for size in &sizes {
            starts.push(total);
            total += size;
        }
        starts.push(total);
        let mut next = starts.clone();
        let mut order = vec![0u32; self.len()];
        for (t, g) in group_of.iter().enumerate() {
            let slot = &mut next[*g as usize];
            order[*slot as usize] = u32::try_from(t).unwrap_or(u32::MAX);
            *slot += 1;
        }
        Groups { order, starts }
    }
}

/// Trials grouped by record (see [`ScoreTable::groups`]): a few bytes a trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    order: Vec<u32>,
    starts: Vec<u32>,
}

impl Groups {
    /// How many records.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each record's trials (table indices), in group order.
    pub fn iter(&self) -> impl Iterator<Item = impl Iterator<Item = usize> + '_> + '_ {
        self.starts.windows(2).map(|w| {
            self.order[w[0] as usize..w[1] as usize]
                .iter()
                .map(|&t| t as usize)
        })
    }

    /// Whether some record has more than one trial.
    pub fn repeated(&self) -> bool {
        self.starts.windows(2).any(|w| w[1] - w[0] > 1)
    }
}

/// Checked and correct counts per field, pooled over rows ("Constituency.vote_results[].
/// vote_count"), over the outputs that parsed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldTally(BTreeMap<String, (u64, u64)>);

impl FieldTally {
    /// Counts one trial's field checks, if its output parsed (failures are counted by
    /// success_rate, not per field).
    pub fn add_trial(&mut self, scores: &RecordScores) {
        if !parsed_output(scores) {
            return;
        }
        for d in scores.scores.iter().flat_map(|s| s.details.iter()) {
            self.add(&d.field, u64::from(d.ok), 1);
        }
    }

    /// Adds `correct` of `total` checks of `field` (pooled here, so raw row paths and
    /// pooled ones merge).
    pub fn add(&mut self, field: &str, correct: u64, total: u64) {
        let entry = self.0.entry(pool_rows(field)).or_default();
        entry.0 += correct;
        entry.1 += total;
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: &FieldTally) {
        for (field, (correct, total)) in &other.0 {
            self.add(field, *correct, *total);
        }
    }

    /// Each field with its (correct, total) counts, by field.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64, u64)> {
        self.0.iter().map(|(f, (c, t))| (f.as_str(), *c, *t))
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Accuracy of each field.
    pub fn accuracy(&self) -> Vec<FieldAccuracy> {
        self.iter()
            .map(|(field, correct, total)| FieldAccuracy {
                field: field.to_string(),
                #[allow(clippy::cast_possible_truncation)]
                correct: correct as usize,
                #[allow(clippy::cast_possible_truncation)]
                total: total as usize,
                #[allow(clippy::cast_precision_loss)]
                accuracy: if total == 0 {
                    0.0
                } else {
                    correct as f64 / total as f64
                },
            })
            .collect()
    }
}

/// Whether a trial's output parsed (has_no_errors).
pub fn parsed_output(s: &RecordScores) -> bool {
    s.passed(names::HAS_NO_ERRORS).unwrap_or(false)
}

/// A field path with its row keys removed: "PartyList.vote_results[#12].vote_count" becomes
/// "PartyList.vote_results[].vote_count".
pub fn pool_rows(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut depth = 0;
    for c in field.chars() {
        match c {
            '[' => {
                depth += 1;
                out.push('[');
            }
            ']' => {
                depth -= 1;
                out.push(']');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_row_keys() {
        assert_eq!(
            pool_rows("PartyList.vote_results[#12].vote_count"),
            "PartyList.vote_results[].vote_count"
        );
        assert_eq!(
            pool_rows("Constituency.form_info.date"),
            "Constituency.form_info.date"
        );
    }

    #[test]
    fn raw_and_pooled_paths_merge() {
        let mut t = FieldTally::default();
        t.add("P.vote_results[#1].vote_count", 1, 1);
        t.add("P.vote_results[].vote_count", 0, 2);
        let rows: Vec<_> = t.iter().collect();
        assert_eq!(rows, vec![("P.vote_results[].vote_count", 1, 3)]);
    }

    #[test]
    fn a_table_keeps_values_and_absences() {
        let good = crate::eval::evaluate_record(
            &shared::ReportSet::default(),
            Ok(&shared::ReportSet::default()),
        );
        let mut t = ScoreTable::default();
        t.push("a", 0, &good);
        let mut partial = good.clone();
        partial.scores.truncate(1);
        t.push("a", 1, &partial);
        t.push("b", 0, &crate::eval::failed_record("x"));
        assert_eq!(t.len(), 3);
        let groups: Vec<Vec<usize>> = t.groups().iter().map(Iterator::collect).collect();
        assert_eq!(groups, vec![vec![0, 1], vec![2]]);
        assert!(t.value(1, 1).is_none(), "absent, not 0");
        assert!(!t.parsed(2));
        assert_eq!(t.overall(0), good.overall);
    }
}
