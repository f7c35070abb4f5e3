//! Pure formatting helpers (host-tested).

use shared::MetricEstimate;

/// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A count with digit grouping: 2455 → "2,455".
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// A difference of two shares in percentage points: "+3.2 pts", "−1.0 pts", "0.0 pts".
pub fn points(d: f64) -> String {
    if !d.is_finite() {
        return "–".into();
    }
    let v = d * 100.0;
    if v.abs() < 0.05 {
        "0.0 pts".into()
    } else if v > 0.0 {
        format!("+{v:.1} pts")
    } else {
        format!("−{:.1} pts", -v)
    }
}

/// A share in 0–1 as a percentage with one decimal.
pub fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "–".into()
    }
}

/// An optional share as a percentage.
pub fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), pct)
}

/// "83.0% [70.1–91.2]".
pub fn estimate(m: &MetricEstimate) -> String {
    format!("{} [{}–{}]", pct(m.value), pct(m.ci_low), pct(m.ci_high))
}

/// The path (with query) of an absolute URL from the server, so links stay in the app
/// whatever `PUBLIC_BASE_URL` says; relative URLs are returned unchanged.
pub fn local_path(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/')
                .map_or_else(|| "/".into(), |j| rest[j..].into())
        }
        None => url.into(),
    }
}

/// The DOM id of the input for a field path: `model_configs[0].temperature` →
/// `f-model_configs-0-temperature`.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f-");
    let mut dash = false;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
            dash = false;
        } else if !dash {
            id.push('-');
            dash = true;
        }
    }
    id.trim_end_matches('-').into()
}

/// A field path as a person reads it: `model_configs[0].temperature` → "Config 1: temperature",
/// `sample_size` → "sample size".
pub fn field_label(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("model_configs[") {
        if let Some((index, field)) = rest.split_once("].") {
            if let Ok(i) = index.parse::<usize>() {
                return format!("Config {}: {}", i + 1, field.replace('_', " "));
            }
        }
    }
    if path == "model_configs" {
        return "Model configurations".into();
    }
    path.replace('_', " ")
}

/// Milliseconds as "850 ms" or "1.2 s".
pub fn millis(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// A JSON value shown compactly in a table cell (strings without quotes, null as "null").
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A metric's display name: `avg_ballot_accuracy` → "avg ballot accuracy".
pub fn metric_label(name: &str) -> String {
    name.replace('_', " ")
}

/// A timestamp as "2026-11-27 06:15:02" (RFC 3339 input; anything else unchanged).
pub fn when(ts: &str) -> String {
    let t = ts.replacen('T', " ", 1);
    t.split(['.', 'Z', '+']).next().unwrap_or(&t).to_string()
}

/// "10 records", or "2 of 10 records" when a run took a sample of its dataset version
/// (responses stored before `records_run` existed say 0: the version's count is shown).
pub fn records_line(run: u64, dataset_size: u64) -> String {
    if run == 0 || run == dataset_size {
        format!("{} records", count(dataset_size))
    } else {
        format!("{} of {} records", count(run), count(dataset_size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_and_points_signed() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(2455), "2,455");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(points(0.032), "+3.2 pts");
        assert_eq!(points(-0.01), "−1.0 pts");
        assert_eq!(points(-0.0001), "0.0 pts");
        assert_eq!(points(f64::NAN), "–");
    }

    #[test]
    fn encodes_reserved_and_thai() {
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(encode("ก"), "%E0%B8%81");
        assert_eq!(encode("vote-extraction_1.x~"), "vote-extraction_1.x~");
    }

    #[test]
    fn local_path_strips_the_origin() {
        assert_eq!(
            local_path("http://127.0.0.1:8000/compare?ids=a,b"),
            "/compare?ids=a,b"
        );
        assert_eq!(local_path("https://host"), "/");
        assert_eq!(local_path("/experiments/x"), "/experiments/x");
    }

    #[test]
    fn field_ids_are_valid_ids() {
        assert_eq!(
            field_id("model_configs[0].temperature"),
            "f-model_configs-0-temperature"
        );
        assert_eq!(field_id("jobs"), "f-jobs");
    }

    #[test]
    fn field_labels_read_well() {
        assert_eq!(
            field_label("model_configs[0].temperature"),
            "Config 1: temperature"
        );
        assert_eq!(
            field_label("model_configs[2].name_suffix"),
            "Config 3: name suffix"
        );
        assert_eq!(field_label("model_configs"), "Model configurations");
        assert_eq!(field_label("sample_size"), "sample size");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(pct(0.8333), "83.3%");
        assert_eq!(pct(f64::NAN), "–");
        assert_eq!(millis(1234.0), "1.2 s");
        assert_eq!(millis(12.4), "12 ms");
        assert_eq!(when("2026-11-27T06:15:02.123Z"), "2026-11-27 06:15:02");
    }

    #[test]
    fn records_line_names_the_sample_only_when_there_is_one() {
        assert_eq!(super::records_line(10, 10), "10 records");
        assert_eq!(super::records_line(2, 10), "2 of 10 records");
        assert_eq!(super::records_line(0, 10), "10 records");
    }
}
