//! The OCR-style text of a unit's forms, as a scanner plus OCR would produce it.

use shared::report::{FormType, VoteReport};

use super::noise::Noiser;
use super::table::render_rows;
use super::truth::UnitSpec;
use crate::thai::digits::to_thai_digits;
use crate::thai::words::to_words;

/// Rows of the party-list table per page.
const PARTY_ROWS_PER_PAGE: usize = 34;

/// The text of all forms of a unit.
pub(crate) struct Rendered {
    pub text: String,
    pub pages: u32,
}

#[derive(Clone, Copy)]
pub(super) enum Digits {
    Arabic,
    Thai,
    /// Each number on its own, a few with both kinds of digit in one number.
    Mixed,
}

/// How one form happens to be written.
pub(super) struct Style {
    digits: Digits,
    thai_items: bool,
    stat_words: bool,
    pub party_prefix: bool,
    glue_labels: bool,
}

/// What a droppable line holds, named in the noise log only when it is dropped.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Date,
    Location,
    Count(&'static str),
    Row(u32),
    Total,
}

impl Field {
    fn path(self, form: &str) -> String {
        match self {
            Field::Date => format!("{form}.form_info.date"),
            Field::Location => format!("{form}.form_info.polling_station_number"),
            Field::Count(field) => format!("{form}.{field}"),
            Field::Row(number) => format!("{form}.vote_results[number={number}].vote_count"),
            Field::Total => format!("{form}.total"),
        }
    }
}

/// One line of a form; `field` is set when noise may drop it.
pub(super) struct Line {
    pub text: String,
    pub field: Option<Field>,
}

fn fixed(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        field: None,
    }
}

/// Section 1–2 items: number, constituency label, party-list label, field, unit.
const ITEMS: [(&str, &str, &str, &str, &str); 8] = [
    (
        "1.1",
        "จำนวนผู้มีสิทธิเลือกตั้งตามบัญชีรายชื่อผู้มีสิทธิเลือกตั้ง",
        "",
        "voter_statistics.eligible_voters",
        "คน",
    ),
    (
        "1.2",
        "จำนวนผู้มีสิทธิเลือกตั้งที่มาแสดงตน",
        "",
        "voter_statistics.voters_present",
        "คน",
    ),
    (
        "2.1",
        "จำนวนบัตรเลือกตั้งที่ได้รับจัดสรร",
        "",
        "ballot_statistics.ballots_allocated",
        "บัตร",
    ),
    (
        "2.2",
        "จำนวนบัตรเลือกตั้งที่ใช้",
        "",
        "ballot_statistics.ballots_used",
        "บัตร",
    ),
    ("2.2.1", "บัตรดี", "", "ballot_statistics.good_ballots", "บัตร"),
    (
        "2.2.2",
        "บัตรเสีย",
        "",
        "ballot_statistics.bad_ballots",
        "บัตร",
    ),
    (
        "2.2.3",
        "บัตรที่ไม่เลือกผู้สมัครผู้ใด",
        "บัตรที่ไม่เลือกบัญชีรายชื่อของพรรคการเมืองใด",
        "ballot_statistics.no_vote_ballots",
        "บัตร",
    ),
    (
        "2.3",
        "จำนวนบัตรเลือกตั้งที่เหลือ",
        "",
        "ballot_statistics.ballots_remaining",
        "บัตร",
    ),
];

impl Noiser<'_> {
    fn style(&mut self) -> Style {
        let digits = match self.rng_pick(4) {
            0 | 1 => Digits::Arabic,
            2 => Digits::Thai,
            _ => Digits::Mixed,
        };
        Style {
            digits,
            thai_items: self.chance(0.3),
            stat_words: self.chance(0.5),
            party_prefix: self.chance(0.7),
            glue_labels: self.chance(0.6),
        }
    }

    fn rng_pick(&mut self, n: u32) -> u32 {
        use rand::Rng;
        self.rng.gen_range(0..n)
    }

    /// Arabic digits rewritten in the form's digit style.
    pub(super) fn styled(&mut self, s: String, style: &Style) -> String {
        let thai = match style.digits {
            Digits::Arabic => false,
            Digits::Thai => true,
            Digits::Mixed => match self.rng_pick(5) {
                0 | 1 => false,
                2 | 3 => true,
                _ => {
                    let mut out = String::with_capacity(s.len() * 3);
                    for c in s.chars() {
                        let mut buf = [0u8; 4];
                        let one = c.encode_utf8(&mut buf);
                        if self.chance(0.5) {
                            out.push_str(&to_thai_digits(one));
                        } else {
                            out.push_str(one);
                        }
                    }
                    return out;
                }
            },
        };
        if thai {
            to_thai_digits(&s)
        } else {
            s
        }
    }
}

/// Renders every report of the unit, pages separated by `--- หน้า N ---` lines.
pub(crate) fn render_unit(n: &mut Noiser, spec: &UnitSpec, reports: &[VoteReport]) -> Rendered {
    let mut text = String::with_capacity(8 * 1024);
    let mut page = 0u32;
    for report in reports {
        let form = report
            .form_info
            .form_type
            .unwrap_or(FormType::Constituency)
            .as_str();
        for lines in render_form(n, spec, report) {
            page += 1;
            text.push_str("--- หน้า ");
            text.push_str(&page.to_string());
            text.push_str(" ---\n");
            for line in lines {
                if let Some(field) = line.field {
                    if n.drop_line(&line.text, || field.path(form)) {
                        continue;
                    }
                }
                text.push_str(&n.whitespace(line.text));
                text.push('\n');
            }
        }
    }
    Rendered { text, pages: page }
}

fn render_form(n: &mut Noiser, spec: &UnitSpec, report: &VoteReport) -> Vec<Vec<Line>> {
    let form = report.form_info.form_type.unwrap_or(FormType::Constituency);
    let party_list = form == FormType::PartyList;
    let f = form.as_str();
    let st = n.style();
    let mut first = Vec::with_capacity(20);

    let code = if party_list {
        "แบบ ส.ส. 5/18 (บช)"
    } else {
        "แบบ ส.ส. 5/18"
    };
    first.push(fixed(n.styled(code.to_string(), &st)));
    let kind = if party_list {
        "แบบบัญชีรายชื่อ"
    } else {
        "แบบแบ่งเขตเลือกตั้ง"
    };
    first.push(fixed(format!("รายงานผลการนับคะแนนสมาชิกสภาผู้แทนราษฎร {kind}")));
    let (day, month) = spec.election.day_month();
    let day = n.styled(day.to_string(), &st);
    let year = n.styled(spec.election.year_be().to_string(), &st);
    first.push(Line {
        text: format!("การเลือกตั้งสมาชิกสภาผู้แทนราษฎร วันที่ {day} เดือน {month} พ.ศ. {year}"),
        field: Some(Field::Date),
    });
    let sep = if st.glue_labels { "" } else { " " };
    let unit = n.styled(spec.unit_no.to_string(), &st);
    let (sub_label, district_label) = if spec.district.is_bangkok() {
        ("แขวง", "เขต")
    } else {
        ("ตำบล", "อำเภอ")
    };
    let village = if !spec.district.is_bangkok() && n.chance(0.5) {
        let m = n.rng_pick(12) + 1;
        format!(" หมู่ที่ {}", n.styled(m.to_string(), &st))
    } else {
        String::new()
    };
    first.push(Line {
        text: format!(
            "หน่วยเลือกตั้งที่ {unit}{village} {sub_label}{sep}{} {district_label}{sep}{}",
            spec.sub, spec.district.name
        ),
        field: Some(Field::Location),
    });
    let constituency = n.styled(spec.district.constituency.to_string(), &st);
    first.push(fixed(format!(
        "เขตเลือกตั้งที่ {constituency} จังหวัด{sep}{}",
        spec.district.province
    )));

    let v = &report.voter_statistics;
    let b = &report.ballot_statistics;
    let values = [
        v.eligible_voters,
        v.voters_present,
        b.ballots_allocated,
        b.ballots_used,
        b.good_ballots,
        b.bad_ballots,
        b.no_vote_ballots,
        b.ballots_remaining,
    ];
    for (i, ((item, label, label_pl, field, unit), value)) in ITEMS.iter().zip(values).enumerate() {
        if i == 0 {
            first.push(fixed(n.styled_item("1.", &st) + " ผู้มีสิทธิเลือกตั้ง"));
        } else if i == 2 {
            first.push(fixed(n.styled_item("2.", &st) + " บัตรเลือกตั้ง"));
        }
        let Some(value) = value else { continue };
        let label = if party_list && !label_pl.is_empty() {
            label_pl
        } else {
            label
        };
        let path = || format!("{f}.{field}");
        let digits = n.count(value, path);
        let digits = n.styled(digits, &st);
        let words = if st.stat_words && !n.words_missing(path) {
            to_words(value)
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let item = n.styled_item(item, &st);
        first.push(Line {
            text: format!("{item} {label} {digits} {unit}{words}"),
            field: Some(Field::Count(field)),
        });
    }

    let mut pages = vec![first];
    let mut table = vec![
        fixed(n.styled_item("3.", &st) + " ผลการนับคะแนน"),
        fixed(if party_list {
            "หมายเลขบัญชีรายชื่อของพรรคการเมือง ชื่อพรรคการเมือง ได้คะแนน"
        } else {
            "หมายเลขประจำตัวผู้สมัคร ชื่อตัว - ชื่อสกุล สังกัดพรรคการเมือง ได้คะแนน"
        }),
    ];
    let rows = render_rows(n, report, &st, f);
    let per_page = if party_list {
        PARTY_ROWS_PER_PAGE
    } else {
        usize::MAX
    };
    let mut on_page = 0;
    for row in rows {
        if on_page == per_page {
            pages.push(std::mem::take(&mut table));
            on_page = 0;
        }
        table.push(row);
        on_page += 1;
    }
    if let Some(good) = b.good_ballots {
        let path = || format!("{f}.total");
        let digits = n.count(good, path);
        let digits = n.styled(digits, &st);
        let words = to_words(good)
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        table.push(Line {
            text: format!("รวมคะแนนทั้งสิ้น {digits}{words}"),
            field: Some(Field::Total),
        });
    }
    table.push(fixed(
        "ลงชื่อ ................................ ประธานกรรมการประจำหน่วยเลือกตั้ง",
    ));
    pages.push(table);
    pages
}

impl Noiser<'_> {
    fn styled_item(&mut self, item: &str, st: &Style) -> String {
        if st.thai_items {
            to_thai_digits(item)
        } else {
            item.to_string()
        }
    }
}
