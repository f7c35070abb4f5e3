//! Result rows: ordering, gaps, glued row numbers and the sum check (I3, S4).

use super::cell::{confusions, Cell, Trust, Val};
use super::parse::RawRow;

/// Gaps in the numbering are filled only for tables of a plausible size.
const MAX_ROWS: u32 = 200;

/// A row being repaired.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub number: u32,
    pub middle: String,
    pub cell: Cell,
    pub val: Val,
}

/// Rows in number order, one per number (the first reading wins), with empty rows for
/// numbers missing between 1 and the highest number (a dropped line).
pub(super) fn order_rows(raw: Vec<RawRow>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    for r in raw {
        if seen.insert(r.number) {
            let val = r.cell.val();
            rows.push(Row {
                number: r.number,
                middle: r.middle,
                cell: r.cell,
                val,
            });
        }
    }
    rows.sort_by_key(|r| r.number);
    let max = rows.last().map_or(0, |r| r.number);
    if max <= MAX_ROWS && (max as usize) <= rows.len() * 2 + 5 && rows.len() < max as usize {
        for n in 1..=max {
            if let Err(at) = rows.binary_search_by_key(&n, |r| r.number) {
                let empty = Row {
                    number: n,
                    middle: String::new(),
                    cell: Cell::default(),
                    val: Val::default(),
                };
                rows.insert(at, empty);
            }
        }
    }
    rows
}

/// Sum of all rows, when every row is known; trusted as much as its weakest row.
pub(super) fn row_sum(rows: &[Row]) -> Val {
    let mut sum: u64 = 0;
    let mut trust = Trust::Words;
    for r in rows {
        let Some(v) = r.val.v else {
            return Val::default();
        };
        sum = sum.saturating_add(v);
        trust = trust.min(r.val.trust);
    }
    if rows.is_empty() {
        return Val::default();
    }
    Val {
        v: Some(sum),
        trust,
    }
}

/// The good-ballot witness from the total line and the row sum; when they disagree, the
/// one that matches the stated good count, else the better trusted.
pub(super) fn good_witness(total: Val, sum: Val, stated: Option<u64>) -> Val {
    match (total.v, sum.v) {
        (Some(t), Some(s)) if t == s => Val {
            v: Some(t),
            trust: total.trust.max(sum.trust),
        },
        (Some(_), Some(_)) if stated.is_some() && sum.v == stated => sum,
        (Some(_), Some(_)) if stated.is_some() && total.v == stated => total,
        (Some(_), Some(_)) => {
            if sum.trust > total.trust {
                sum
            } else {
                total
            }
        }
        (Some(_), None) => total,
        (None, _) => sum,
    }
}

/// "2711" for row 27 with 11 votes: the value after the glued row number.
fn unglued(row: &Row) -> Option<u64> {
    let rest = row.cell.digit_text.strip_prefix(&row.number.to_string())?;
    if rest.is_empty() {
        return None;
    }
    rest.parse().ok()
}

/// Repairs row values against the good ballots: glued numbers, impossible values (S4),
/// one missing row, one misread digit (I3).
pub(super) fn repair_rows(rows: &mut [Row], good: Option<u64>) {
    let Some(good) = good else { return };
    for row in rows.iter_mut() {
        if row.val.trust == Trust::Digits && row.val.v.is_some_and(|v| v > good) {
            row.val = match unglued(row).filter(|&v| v <= good) {
                Some(v) => Val {
                    v: Some(v),
                    trust: Trust::Digits,
                },
                None => Val::default(),
            };
        }
    }
    let known: u64 = rows
        .iter()
        .filter_map(|r| r.val.v)
        .fold(0, u64::saturating_add);
    let unknown: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].val.v.is_none())
        .collect();
    match unknown.as_slice() {
        [only] if known <= good => rows[*only].val = Val::derived(good - known),
        [] if known != good => {
            // One weak row whose look-alike or unglued reading closes the gap.
            let mut fix = None;
            let mut count = 0;
            for (i, row) in rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.val.trust == Trust::Digits)
            {
                let Some(v) = row.val.v else { continue };
                let Some(target) = good.checked_add(v).and_then(|x| x.checked_sub(known)) else {
                    continue;
                };
                let hit = confusions(&row.cell.digit_text).any(|c| c == target)
                    || unglued(row) == Some(target);
                if hit {
                    fix = Some((i, target));
                    count += 1;
                }
            }
            if let (Some((i, target)), 1) = (fix, count) {
                rows[i].val = Val {
                    v: Some(target),
                    trust: Trust::Derived,
                };
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cell::parse_cell;

    fn raw(number: u32, cell: &str) -> RawRow {
        RawRow {
            number,
            middle: format!("พรรค{number}"),
            cell: parse_cell(cell),
        }
    }

    #[test]
    fn fills_a_dropped_row_and_unglues_a_number() {
        let mut rows = order_rows(vec![raw(1, "10"), raw(3, "5 (ห้า)"), raw(4, "412")]);
        assert_eq!(rows.len(), 4);
        repair_rows(&mut rows, Some(30));
        let v: Vec<Option<u64>> = rows.iter().map(|r| r.val.v).collect();
        assert_eq!(v, vec![Some(10), Some(3), Some(5), Some(12)]);
    }

    #[test]
    fn fixes_one_look_alike_digit() {
        let mut rows = order_rows(vec![raw(1, "17"), raw(2, "5 (ห้า)"), raw(3, "20")]);
        repair_rows(&mut rows, Some(36));
        assert_eq!(rows[0].val.v, Some(11));
        // Two rows could each explain the gap: leave both.
        let mut rows = order_rows(vec![raw(1, "17"), raw(2, "17")]);
        repair_rows(&mut rows, Some(28));
        assert_eq!((rows[0].val.v, rows[1].val.v), (Some(17), Some(17)));
    }
}
