//! The results table of a form: one line per candidate or party.

use shared::report::{FormType, VoteReport};

use super::layout::{Field, Line, Style};
use super::noise::Noiser;
use crate::thai::words::to_words;

/// The vote cell of a row: digits and, when legible, words.
struct Cell {
    digits: String,
    words: Option<String>,
}

pub(super) fn render_rows(n: &mut Noiser, report: &VoteReport, st: &Style, f: &str) -> Vec<Line> {
    let path = |number: u32| format!("{f}.vote_results[number={number}].vote_count");
    let mut cells: Vec<Cell> = report
        .vote_results
        .iter()
        .map(|r| {
            let number = r.number.unwrap_or(0);
            let v = r.vote_count.unwrap_or(0);
            if v == 0 {
                let digits = if n.chance(0.4) {
                    "-".to_string()
                } else {
                    n.count(0, || path(number))
                };
                let words = if n.chance(0.75) {
                    "ศูนย์"
                } else {
                    "-"
                };
                return Cell {
                    digits,
                    words: Some(words.to_string()),
                };
            }
            let digits = n.count(v, || path(number));
            let words = if n.words_missing(|| path(number)) {
                None
            } else {
                to_words(v).ok()
            };
            Cell { digits, words }
        })
        .collect();
    if report.form_info.form_type == Some(FormType::PartyList) {
        if let Some((first, len)) = n.shift(cells.len(), f) {
            if let Some(run) = cells.get_mut(first..first + len) {
                run.rotate_right(1);
            }
        }
    }
    let mut lines = Vec::with_capacity(cells.len());
    for (r, cell) in report.vote_results.iter().zip(cells) {
        let number = r.number.unwrap_or(0);
        let digits = n.bleed(number, cell.digits, || path(number));
        let digits = n.styled(digits, st);
        let num = n.styled(number.to_string(), st);
        let party = r.party_name.as_deref().unwrap_or("");
        let party = if st.party_prefix {
            format!("พรรค{party}")
        } else {
            party.to_string()
        };
        let words = cell.words.map(|w| format!(" ({w})")).unwrap_or_default();
        let text = match &r.candidate_name {
            Some(name) => {
                let name = n.name(name, || {
                    format!("{f}.vote_results[number={number}].candidate_name")
                });
                format!("{num} {name} {party} {digits}{words}")
            }
            None => format!("{num} {party} {digits}{words}"),
        };
        lines.push(Line {
            text,
            field: Some(Field::Row(number)),
        });
    }
    lines
}
