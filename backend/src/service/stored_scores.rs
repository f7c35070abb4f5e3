//! A finished experiment's score columns, stored once: its [`ScoreTable`] and the glances of
//! its first repetitions, in a compact binary form (~100 bytes a trial), in chunks of about
//! [`CHUNK`] trials written as the summary streams them. A comparison of two 100,000-trial
//! experiments reads these instead of 200,000 rows.
//!
//! A chunk (little-endian): a format byte; the evaluator names its values are stored under
//! (a later build maps them to its registry by name, NaN for a new one); its trials (record
//! id, repetition, overall, a value per stored evaluator); its glances (record id, index,
//! overall, failed, fingerprint of the failing fields). Chunk −1, written last, holds the
//! format byte and the number of chunks: without it the columns are incomplete.

use std::ops::Range;

use super::disagree::{Glance, Glances};
use super::{Service, ServiceResult};
use crate::eval::table::ScoreTable;
use crate::eval::EVALUATORS;

/// Bumped when the layout changes: other bytes are read as "not stored".
const FORMAT: u8 = 1;
/// Trials (or glances) a chunk holds at most.
pub(super) const CHUNK: usize = 1024;
/// The chunk number of the count written last.
const COUNT_CHUNK: i64 = -1;

/// One chunk: trials `trials` of `table` and `glances`.
pub(super) fn encode_chunk(
    table: &ScoreTable,
    trials: Range<usize>,
    glances: &[(&str, Glance)],
) -> Vec<u8> {
    let width = EVALUATORS.len();
    let mut out = Vec::with_capacity(200 + trials.len() * (40 + 8 * width) + glances.len() * 50);
    out.push(FORMAT);
    put_len(&mut out, width);
    for e in EVALUATORS {
        put_str(&mut out, e.name);
    }
    put_len(&mut out, trials.len());
    for t in trials {
        put_str(&mut out, table.record_id(t));
        out.extend_from_slice(&table.repetition(t).to_le_bytes());
        out.extend_from_slice(&table.overall(t).to_le_bytes());
        for v in table.row(t) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    put_len(&mut out, glances.len());
    for (id, g) in glances {
        put_str(&mut out, id);
        out.extend_from_slice(&(g.index as u64).to_le_bytes());
        out.extend_from_slice(&g.overall.to_le_bytes());
        out.push(u8::from(g.failed));
        out.extend_from_slice(&g.failing_fields.to_le_bytes());
    }
    out
}

/// Adds a chunk's trials and glances; `None` when the bytes are not a chunk of this format.
pub(super) fn decode_chunk(
    bytes: &[u8],
    table: &mut ScoreTable,
    glances: &mut Glances,
) -> Option<()> {
    let mut r = Reader(bytes);
    if r.take(1)? != [FORMAT] {
        return None;
    }
    let stored_width = r.len()?;
    let mut column_of = Vec::with_capacity(stored_width);
    for _ in 0..stored_width {
        let name = r.str()?;
        column_of.push(EVALUATORS.iter().position(|e| e.name == name));
    }
    let trials = r.len()?;
    let mut row = vec![f64::NAN; EVALUATORS.len()];
    for _ in 0..trials {
        let id = r.str()?;
        let repetition = r.u32()?;
        let overall = r.f64()?;
        row.fill(f64::NAN);
        for column in &column_of {
            let v = r.f64()?;
            if let Some(c) = column {
                row[*c] = v;
            }
        }
        table.push_row(id, repetition, overall, &row);
    }
    let count = r.len()?;
    for _ in 0..count {
        let id = r.str()?;
        let glance = Glance {
            index: usize::try_from(r.u64()?).ok()?,
            overall: r.f64()?,
            failed: r.take(1)?[0] != 0,
            failing_fields: r.u64()?,
        };
        glances.insert(id.into(), glance);
    }
    r.0.is_empty().then_some(())
}

/// Writes an experiment's columns chunk by chunk; [`ColumnsWriter::finish`] makes them
/// readable.
pub(super) struct ColumnsWriter<'a> {
    service: &'a Service,
    experiment_id: &'a str,
    chunks: i64,
}

impl<'a> ColumnsWriter<'a> {
    /// Clears what an earlier, interrupted summary of the experiment wrote.
    pub(super) async fn start(
        service: &'a Service,
        experiment_id: &'a str,
    ) -> ServiceResult<ColumnsWriter<'a>> {
        service.store.score_columns_clear(experiment_id).await?;
        Ok(ColumnsWriter {
            service,
            experiment_id,
            chunks: 0,
        })
    }

    /// Writes one chunk.
    pub(super) async fn write(
        &mut self,
        table: &ScoreTable,
        trials: Range<usize>,
        glances: &[(&str, Glance)],
    ) -> ServiceResult<()> {
        let body = encode_chunk(table, trials, glances);
        self.service
            .store
            .score_columns_put(self.experiment_id, self.chunks, &body)
            .await?;
        self.chunks += 1;
        Ok(())
    }

    /// Writes the count: the columns are complete.
    pub(super) async fn finish(self) -> ServiceResult<()> {
        let mut body = vec![FORMAT];
        body.extend_from_slice(&self.chunks.to_le_bytes());
        self.service
            .store
            .score_columns_put(self.experiment_id, COUNT_CHUNK, &body)
            .await?;
        Ok(())
    }
}

impl Service {
    /// An experiment's complete stored columns, or `None` (not stored, incomplete, or in
    /// another format).
    pub(super) async fn stored_score_columns(
        &self,
        experiment_id: &str,
    ) -> ServiceResult<Option<(ScoreTable, Glances)>> {
        let Some(count) = self
            .store
            .score_columns_get(experiment_id, COUNT_CHUNK)
            .await?
        else {
            return Ok(None);
        };
        let chunks = match count.split_first() {
            Some((&FORMAT, n)) => n.try_into().map(i64::from_le_bytes).unwrap_or(-1),
            _ => -1,
        };
        if chunks < 0 {
            return Ok(None);
        }
        let mut table = ScoreTable::default();
        let mut glances = Glances::new();
        for chunk in 0..chunks {
            let body = self.store.score_columns_get(experiment_id, chunk).await?;
            if body
                .and_then(|b| decode_chunk(&b, &mut table, &mut glances))
                .is_none()
            {
                return Ok(None);
            }
        }
        Ok(Some((table, glances)))
    }

    /// Stores columns built elsewhere (an experiment finished before columns were stored).
    pub(super) async fn store_score_columns(
        &self,
        experiment_id: &str,
        table: &ScoreTable,
        glances: &Glances,
    ) -> ServiceResult<()> {
        let mut writer = ColumnsWriter::start(self, experiment_id).await?;
        for from in (0..table.len()).step_by(CHUNK) {
            writer
                .write(table, from..(from + CHUNK).min(table.len()), &[])
                .await?;
        }
        let all: Vec<(&str, Glance)> = glances.iter().map(|(id, g)| (&**id, *g)).collect();
        for part in all.chunks(CHUNK) {
            writer.write(table, 0..0, part).await?;
        }
        writer.finish().await
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Reads the format front to back; every read fails (None) past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u32()?).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate_record;
    use crate::eval::fixtures;

    #[test]
    fn a_table_and_its_glances_read_back_as_written() {
        let label = fixtures::both();
        let mut wrong = label.clone();
        if let Some(r) = wrong.0.first_mut() {
            r.ballot_statistics.good_ballots = r.ballot_statistics.good_ballots.map(|g| g + 1);
        }
        let mut table = ScoreTable::default();
        let mut glances = Glances::new();
        for (i, out) in [&label, &wrong, &label].into_iter().enumerate() {
            let scores = evaluate_record(&label, Ok(out));
            let id = format!("r{}", i / 2);
            table.push(&id, u32::from(i == 2), &scores);
            if i != 2 {
                glances.insert(
                    id.as_str().into(),
                    Glance {
                        index: i,
                        overall: scores.overall,
                        failed: i == 1,
                        failing_fields: 42 + i as u64,
                    },
                );
            }
        }
        let all: Vec<(&str, Glance)> = glances.iter().map(|(id, g)| (&**id, *g)).collect();
        let bytes = encode_chunk(&table, 0..3, &all);
        let (mut back, mut back_glances) = (ScoreTable::default(), Glances::new());
        decode_chunk(&bytes, &mut back, &mut back_glances).unwrap();
        assert_eq!(back.len(), 3);
        for t in 0..3 {
            assert_eq!(back.record_id(t), table.record_id(t));
            assert_eq!(back.repetition(t), table.repetition(t));
            assert_eq!(back.overall(t).to_bits(), table.overall(t).to_bits());
            let (a, b) = (back.row(t), table.row(t));
            assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
        assert_eq!(back_glances.len(), 1);
        let g = back_glances["r0"];
        assert_eq!((g.index, g.failed, g.failing_fields), (1, true, 43));
        // Truncated or foreign bytes are "not stored", never a panic.
        for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
            let (mut t, mut g) = (ScoreTable::default(), Glances::new());
            assert!(
                decode_chunk(&bytes[..cut], &mut t, &mut g).is_none(),
                "cut at {cut}"
            );
        }
        let (mut t, mut g) = (ScoreTable::default(), Glances::new());
        assert!(decode_chunk(&[9, 0, 0, 0, 0], &mut t, &mut g).is_none());
    }
}
