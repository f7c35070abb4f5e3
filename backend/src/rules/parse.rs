//! Reading the OCR text line by line into raw forms: header, section 1–2 counts, rows.

use shared::report::{FormInfo, FormType};

use super::cell::{parse_cell, value_start, Cell};
use super::header::read_header;
use crate::thai::normalize::normalize_text;

/// Section 1–2 items in form order (index into [`RawForm::stats`]).
pub(super) const ELIGIBLE: usize = 0;
pub(super) const PRESENT: usize = 1;
pub(super) const ALLOCATED: usize = 2;
pub(super) const USED: usize = 3;
pub(super) const GOOD: usize = 4;
pub(super) const BAD: usize = 5;
pub(super) const NO_VOTE: usize = 6;
pub(super) const REMAINING: usize = 7;

/// Label keywords, most specific first, and the item they name.
const LABELS: [(&str, usize); 10] = [
    ("บัตรดี", GOOD),
    ("บัตรเสีย", BAD),
    ("ไม่เลือก", NO_VOTE),
    ("ไม่ประสงค์", NO_VOTE),
    ("เหลือ", REMAINING),
    ("จัดสรร", ALLOCATED),
    ("ที่ใช้", USED),
    ("มาแสดงตน", PRESENT),
    ("มาใช้สิทธิ", PRESENT),
    ("ผู้มีสิทธิ", ELIGIBLE),
];

/// Item numbers as printed (after Thai digits became Arabic).
const ITEMS: [(&str, usize); 8] = [
    ("1.1", ELIGIBLE),
    ("1.2", PRESENT),
    ("2.1", ALLOCATED),
    ("2.2", USED),
    ("2.2.1", GOOD),
    ("2.2.2", BAD),
    ("2.2.3", NO_VOTE),
    ("2.3", REMAINING),
];

/// A result row as read.
#[derive(Debug, Clone, Default)]
pub(super) struct RawRow {
    pub number: u32,
    /// Everything between the number and the count: name and/or party.
    pub middle: String,
    pub cell: Cell,
}

/// One form as read, before any repair.
#[derive(Debug, Clone, Default)]
pub(super) struct RawForm {
    /// From the form code or title.
    pub declared: Option<FormType>,
    /// From labels that only one variant prints.
    pub hint: Option<FormType>,
    pub info: FormInfo,
    pub stats: [Option<Cell>; 8],
    pub rows: Vec<RawRow>,
    pub total: Option<Cell>,
    /// A form code or title line was seen.
    pub marker: bool,
}

impl RawForm {
    fn has_content(&self) -> bool {
        self.stats.iter().any(Option::is_some) || !self.rows.is_empty() || self.total.is_some()
    }

    /// Worth reporting: a header was seen, or some counts that only a form has.
    pub fn is_form(&self) -> bool {
        self.marker
            || self.stats.iter().any(Option::is_some)
            || self.total.is_some()
            || self.rows.len() >= 2
    }
}

/// "1.1", "2.2.3", "2.": digits and dots, at least one dot.
fn is_item_number(tok: &str) -> bool {
    tok.starts_with(|c: char| c.is_ascii_digit())
        && tok.contains('.')
        && tok.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn item_index(tok: &str) -> Option<usize> {
    let tok = tok.trim_end_matches('.');
    ITEMS.iter().find(|(t, _)| *t == tok).map(|&(_, i)| i)
}

fn form_type_of_marker(line: &str) -> Option<FormType> {
    if line.contains("(บช)") || line.contains("บช)") || line.contains("แบบบัญชีรายชื่อ")
    {
        Some(FormType::PartyList)
    } else if line.contains("แบ่งเขต") {
        Some(FormType::Constituency)
    } else {
        None
    }
}

fn is_marker_line(line: &str) -> bool {
    line.contains("5/18") || line.contains("รายงานผลการนับคะแนน")
}

fn hint_of(line: &str) -> Option<FormType> {
    if line.contains("บัญชีรายชื่อของพรรค") || line.contains("ชื่อพรรคการเมือง ได้คะแนน")
    {
        Some(FormType::PartyList)
    } else if line.contains("ผู้สมัคร") {
        Some(FormType::Constituency)
    } else {
        None
    }
}

/// Stands for a line break while the whole text is normalised in one pass (normalisation
/// turns real line breaks into spaces).
const LINE_BREAK: char = '\u{1}';

fn is_row_start(line: &str) -> bool {
    let first = line.split(' ').next().unwrap_or("");
    !first.is_empty() && first.chars().all(|c| c.is_ascii_digit())
}

/// Splits the text into forms and reads each line into the form it belongs to.
pub(super) fn read_forms(text: &str) -> Vec<RawForm> {
    let marked: String = text
        .chars()
        .map(|c| if c == '\n' { LINE_BREAK } else { c })
        .collect();
    let normalized = normalize_text(&marked);
    let mut forms = Vec::new();
    let mut cur = RawForm::default();
    for line in normalized.split(LINE_BREAK) {
        let line = line.trim_matches(' ');
        if line.is_empty() {
            continue;
        }
        // Rows are most lines; they carry no form marker or hint.
        if !is_row_start(line) {
            if line.starts_with("---") && line.contains("หน้า") {
                continue;
            }
            if is_marker_line(line) {
                if cur.has_content() {
                    forms.push(std::mem::take(&mut cur));
                }
                cur.marker = true;
                if let Some(t) = form_type_of_marker(line) {
                    cur.declared.get_or_insert(t);
                }
                continue;
            }
            if let Some(t) = hint_of(line) {
                cur.hint.get_or_insert(t);
            }
        }
        read_line(&mut forms, &mut cur, line);
    }
    if cur.has_content() || cur.marker {
        forms.push(cur);
    }
    forms.retain(RawForm::is_form);
    forms
}

fn read_line(forms: &mut Vec<RawForm>, cur: &mut RawForm, line: &str) {
    let first = line.split(' ').next().unwrap_or("");
    let rest = line.get(first.len()..).unwrap_or("").trim_start();

    // Rows start with a bare number; count lines with an item number ("2.2.1") or a label.
    if is_row_start(line) {
        if let Some(row) = read_row(first, rest) {
            cur.rows.push(row);
        }
        return;
    }
    if let Some(at) = line.find("รวมคะแนน") {
        let after = &line[at..];
        if let Some(start) = value_start(after) {
            cur.total = Some(parse_cell(&after[start..]));
        }
        return;
    }
    let (item, label) = if is_item_number(first) {
        (item_index(first), rest)
    } else {
        (None, line)
    };
    let keyword = LABELS
        .iter()
        .find(|(k, _)| label.contains(k))
        .map(|&(_, i)| i);
    if let Some(index) = keyword.or(item) {
        if let Some(start) = value_start(label) {
            let cell = parse_cell(&label[start..]);
            if !cell.is_empty() {
                // A count seen twice after the results began: a second form without a header.
                if cur.stats[index].is_some() && !cur.rows.is_empty() {
                    forms.push(std::mem::take(cur));
                }
                cur.stats[index] = Some(cell);
            }
        }
        return;
    }
    read_header(&mut cur.info, line);
}

/// "3 นายสมชาย ใจดี พรรคก้าวไกล 76 (เจ็ดสิบหก)" → number 3, middle, cell.
fn read_row(number: &str, rest: &str) -> Option<RawRow> {
    let number = number.parse::<u32>().ok()?;
    let mut middle_end = None;
    let mut offset = 0;
    for tok in rest.split(' ') {
        let starts_value = tok
            .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '?' | '…' | '('))
            || tok == "-"
            || tok.starts_with("-(")
            || tok.starts_with("...");
        if starts_value {
            middle_end = Some(offset);
            break;
        }
        offset += tok.len() + 1;
    }
    let at = middle_end?;
    let cell = parse_cell(rest.get(at..)?);
    if cell.is_empty() {
        return None;
    }
    let middle = rest.get(..at).unwrap_or("").trim().to_string();
    Some(RawRow {
        number,
        middle,
        cell,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_row() {
        let row = read_row("3", "นายสมชาย ใจดี พรรคก้าวไกล 76 (เจ็ดสิบหก)").expect("row");
        assert_eq!(
            (row.number, row.middle.as_str()),
            (3, "นายสมชาย ใจดี พรรคก้าวไกล")
        );
        assert_eq!((row.cell.digits, row.cell.words), (Some(76), Some(76)));
        assert!(read_row("3", "นายสมชาย ใจดี").is_none());
        assert!(read_row("99999999999", "x 1").is_none());
    }

    #[test]
    fn splits_two_forms_and_reads_counts() {
        let text = "แบบ ส.ส. ๕/๑๘\n๒.๒.๑ บัตรดี ๔๓๙ บัตร\n1 นายก ข พรรคค 439 (สี่ร้อยสามสิบเก้า)\n\
                    --- หน้า 2 ---\nแบบ ส.ส. 5/18 (บช)\n2.2.2 บัตรเสีย 4 บัตร\n1 พรรคก 3\n2 พรรคข 4";
        let forms = read_forms(text);
        assert_eq!(forms.len(), 2);
        assert_eq!(
            forms[0].stats[GOOD].as_ref().and_then(|c| c.digits),
            Some(439)
        );
        assert_eq!(forms[1].declared, Some(FormType::PartyList));
        assert_eq!(forms[1].rows.len(), 2);
        assert_eq!(forms[1].stats[BAD].as_ref().and_then(|c| c.digits), Some(4));
    }
}
