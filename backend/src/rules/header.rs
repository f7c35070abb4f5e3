//! Header fields of a form, read by their Thai labels.

use shared::report::FormInfo;

use crate::thai::dates::parse_date;
use crate::thai::digits::parse_count;

/// The value after a label: the rest of the token when glued ("แขวงบางบำหรุ"), else the
/// next token ("แขวง บางบำหรุ").
fn value_after<'a>(glued: &'a str, next: Option<&'a str>) -> Option<&'a str> {
    let v = if glued.is_empty() { next? } else { glued };
    let v = v.trim_matches(|c: char| matches!(c, ',' | ':' | ';' | '.' | '(' | ')'));
    (!v.is_empty()).then_some(v)
}

fn number_after(glued: &str, next: Option<&str>) -> Option<String> {
    parse_count(value_after(glued, next)?).map(|n| n.to_string())
}

fn set(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Reads whatever header fields the (normalised) line holds into `info`; fields already
/// read are kept.
pub(super) fn read_header(info: &mut FormInfo, line: &str) {
    let toks: Vec<&str> = line.split(' ').collect();
    for (i, &tok) in toks.iter().enumerate() {
        let next = toks.get(i + 1).copied();
        if let Some(rest) = tok.strip_prefix("หน่วยเลือกตั้งที่")
        {
            set(&mut info.polling_station_number, number_after(rest, next));
        } else if let Some(rest) = tok.strip_prefix("เขตเลือกตั้งที่")
        {
            set(&mut info.constituency_number, number_after(rest, next));
        } else if tok == "เขต" && next.is_some_and(|n| n.starts_with("เลือกตั้ง"))
        {
            // "เขต เลือกตั้งที่ 7" split by OCR: the number is two tokens on.
            let n = toks.get(i + 2).copied();
            let glued = next.and_then(|t| t.strip_prefix("เลือกตั้งที่")).unwrap_or("");
            set(&mut info.constituency_number, number_after(glued, n));
        } else if let Some(rest) = tok.strip_prefix("วันที่") {
            let from = toks.get(i..).map(|t| t.join(" ")).unwrap_or_default();
            let date = parse_date(&from).or_else(|| parse_date(rest));
            set(
                &mut info.date,
                date.map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year_be)),
            );
        } else if let Some(rest) = tok.strip_prefix("จังหวัด").or_else(|| tok.strip_prefix("จ."))
        {
            set(
                &mut info.province,
                value_after(rest, next).map(str::to_string),
            );
        } else if let Some(rest) = ["แขวง", "ตำบล", "ต."]
            .iter()
            .find_map(|p| tok.strip_prefix(p))
        {
            set(
                &mut info.sub_district,
                value_after(rest, next).map(str::to_string),
            );
        } else if let Some(rest) = ["อำเภอ", "เขต", "อ."]
            .iter()
            .find_map(|p| tok.strip_prefix(p))
        {
            if !rest.starts_with("เลือกตั้ง") {
                set(
                    &mut info.district,
                    value_after(rest, next).map(str::to_string),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bangkok_and_provincial_headers() {
        let mut info = FormInfo::default();
        read_header(&mut info, "หน่วยเลือกตั้งที่ 3 แขวงบางบำหรุ เขตบางพลัด");
        read_header(&mut info, "เขตเลือกตั้งที่ 07 จังหวัด กรุงเทพมหานคร");
        read_header(
            &mut info,
            "การเลือกตั้งสมาชิกสภาผู้แทนราษฎร วันที่ 14 เดือน พฤษภาคม พ.ศ. 2566",
        );
        assert_eq!(info.polling_station_number.as_deref(), Some("3"));
        assert_eq!(info.sub_district.as_deref(), Some("บางบำหรุ"));
        assert_eq!(info.district.as_deref(), Some("บางพลัด"));
        assert_eq!(info.constituency_number.as_deref(), Some("7"));
        assert_eq!(info.province.as_deref(), Some("กรุงเทพมหานคร"));
        assert_eq!(info.date.as_deref(), Some("14/05/2566"));

        let mut info = FormInfo::default();
        read_header(
            &mut info,
            "หน่วยเลือกตั้งที่ 12 หมู่ที่ 4 ตำบล สวนใหญ่ อำเภอ เมืองนนทบุรี",
        );
        assert_eq!(info.sub_district.as_deref(), Some("สวนใหญ่"));
        assert_eq!(info.district.as_deref(), Some("เมืองนนทบุรี"));
        assert_eq!(info.polling_station_number.as_deref(), Some("12"));
    }
}
