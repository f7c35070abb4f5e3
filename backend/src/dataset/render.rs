//! The OCR-style text of a unit's forms, as a scanner plus OCR would produce it.

use shared::report::{FormType, VoteReport};

use super::layout::{fixed, Field, Line};
use super::noise::Noiser;
use super::table::render_rows;
use super::truth::UnitSpec;
use crate::thai::words::to_words;

/// Rows of the party-list table per page.
const PARTY_ROWS_PER_PAGE: usize = 34;

/// The text of all forms of a unit.
pub(crate) struct Rendered {
    pub text: String,
    pub pages: u32,
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
