//! `exact_form_match`: every form_info field equal after normalisation.

use serde_json::json;
use shared::{FieldCheck, ReportSet, Score, ScoreValue};

use super::{check, names, opt_json, pair};
use crate::thai::{dates, normalize};

/// A form_info text field: name, expected, actual, and how to compare them.
type TextField<'a> = (
    &'static str,
    &'a Option<String>,
    &'a Option<String>,
    fn(&str, &str) -> bool,
);

/// True when every form_info field of every expected report equals the paired output's,
/// comparing places without admin prefixes, numbers as numbers and dates across formats.
/// A field the label leaves null matches only null.
pub fn exact_form_match(expected: &ReportSet, output: &ReportSet) -> Score {
    let mut details = Vec::new();
    for p in pair(expected, output) {
        let e = &p.expected.form_info;
        let Some(o) = p.output.map(|r| &r.form_info) else {
            details.push(missing(&p.label));
            continue;
        };
        let prefix = format!("{}.form_info", p.label);
        details.push(check(
            format!("{prefix}.form_type"),
            opt_json(&e.form_type),
            opt_json(&o.form_type),
            e.form_type == o.form_type,
        ));
        let fields: [TextField<'_>; 6] = [
            ("date", &e.date, &o.date, dates::same_date),
            ("province", &e.province, &o.province, normalize::same_place),
            ("district", &e.district, &o.district, normalize::same_place),
            (
                "sub_district",
                &e.sub_district,
                &o.sub_district,
                normalize::same_place,
            ),
            (
                "constituency_number",
                &e.constituency_number,
                &o.constituency_number,
                normalize::numbers_equal,
            ),
            (
                "polling_station_number",
                &e.polling_station_number,
                &o.polling_station_number,
                normalize::numbers_equal,
            ),
        ];
        for (name, exp, out, same) in fields {
            let ok = match (exp, out) {
                (Some(a), Some(b)) => same(a, b),
                (None, None) => true,
                _ => false,
            };
            details.push(check(
                format!("{prefix}.{name}"),
                opt_json(exp),
                opt_json(out),
                ok,
            ));
        }
    }
    let all_ok = !details.is_empty() && details.iter().all(|d| d.ok);
    let wrong: Vec<&str> = details
        .iter()
        .filter(|d| !d.ok)
        .map(|d| d.field.as_str())
        .collect();
    Score {
        name: names::EXACT_FORM_MATCH.into(),
        value: ScoreValue::Bool(all_ok),
        explanation: Some(if all_ok {
            "every form_info field matches".into()
        } else {
            format!("differs at {}", wrong.join(", "))
        }),
        details,
    }
}

fn missing(label: &str) -> FieldCheck {
    FieldCheck {
        field: format!("{label}.form_info"),
        expected: json!("a report"),
        actual: serde_json::Value::Null,
        ok: false,
        note: Some(format!("the output has no {label} report")),
    }
}
