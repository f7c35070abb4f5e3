//! The built-in offline extractor `rules-v1`: Thai-aware rules over OCR text of ส.ส. 5/18
//! forms, with arithmetic repair.
//!
//! What it does, in order:
//! - splits the text into forms at each form code ("ส.ส. 5/18") or title line; "(บช)" or
//!   "แบบบัญชีรายชื่อ" marks the party-list form;
//! - reads header fields by label (หน่วยเลือกตั้งที่, แขวง/ตำบล, เขต/อำเภอ, เขตเลือกตั้งที่,
//!   จังหวัด, วันที่ … พ.ศ. …), Thai or Arabic digits alike;
//! - reads section 1–2 counts by label, or by item number (1.1 … 2.3) when the label is
//!   garbled, and result rows as "number name party digits (words)";
//! - repairs: words win over digits when both parse (I4); the total line and the row sum
//!   witness the good ballots (I3); one missing or contradicting count is settled by I1/I2
//!   when the evidence singles it out; a row number glued to its votes is stripped when the
//!   value is impossible (S4) or closes the sum; one missing row is the rest of the sum;
//!   1.1 and 1.2 are shared between the two forms of a unit (S5).
//!
//! What it cannot read stays `None`; it never writes 0 for an unknown.

mod build;
mod cell;
mod header;
mod parse;
mod repair;
mod rows;

use shared::report::ReportSet;

/// Model name under which `rules-v1` results are recorded.
pub const RULES_MODEL_NAME: &str = "rules-v1";

/// Longest text `rules-v1` reads: the OCR text of a unit's two forms is about 10 KB, so a
/// megabyte is a hundred times that and still reads in well under a second.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Why `rules-v1` produced no report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Nothing in the text looks like a ส.ส. 5/18 form.
    #[error(
        "no ส.ส. 5/18 form found in the text: no form code or title, no section 1–2 counts \
         and no result rows"
    )]
    NoForm,
    /// The text is longer than any form set ([`MAX_TEXT_BYTES`]).
    #[error("the text is {bytes} bytes; rules-v1 reads at most {MAX_TEXT_BYTES}")]
    TooLong { bytes: usize },
}

/// Extracts every form in the OCR text of one record: one report per form, in text order
/// (usually the constituency form, then the party list).
pub fn extract(text: &str) -> Result<ReportSet, ExtractError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ExtractError::TooLong { bytes: text.len() });
    }
    let forms = parse::read_forms(text);
    if forms.is_empty() {
        return Err(ExtractError::NoForm);
    }
    Ok(ReportSet(build::build_reports(forms)))
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
