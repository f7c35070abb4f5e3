//! The extraction prompt (a versioned asset, recorded on every experiment) and the JSON
//! schema of the answer, in the two dialects the providers take.

use std::sync::LazyLock;

use serde_json::{json, Value};

/// Version of the prompt below; part of every cache key and stored with every experiment.
pub const PROMPT_VERSION: &str = "extraction-v1";

/// The system instruction sent to every model.
pub const EXTRACTION_PROMPT: &str = include_str!("../../prompts/extraction-v1.md");

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

/// The answer's schema as plain JSON Schema, strict-mode compatible (every property
/// required, no additional properties, nullable values as `[type, "null"]`). The root is an
/// object `{"reports": [...]}` because OpenAI's strict mode needs an object root.
///
/// Built once: every request carries it (building it per call was ~5 % of a run's CPU).
pub fn response_schema() -> &'static Value {
    static SCHEMA: LazyLock<Value> = LazyLock::new(build_response_schema);
    &SCHEMA
}

fn build_response_schema() -> Value {
    let obj = |props: Value| {
        let required: Vec<String> = props
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
    };
    let count = nullable("integer");
    let text = nullable("string");
    let report = obj(json!({
        "form_info": obj(json!({
            "form_type": {"type": ["string", "null"], "enum": ["Constituency", "PartyList", null]},
            "date": text, "province": text, "district": text, "sub_district": text,
            "constituency_number": text, "polling_station_number": text,
        })),
        "voter_statistics": obj(json!({"eligible_voters": count, "voters_present": count})),
        "ballot_statistics": obj(json!({
            "ballots_allocated": count, "ballots_used": count, "good_ballots": count,
            "bad_ballots": count, "no_vote_ballots": count, "ballots_remaining": count,
        })),
        "vote_results": {"type": "array", "items": obj(json!({
            "number": count, "candidate_name": text, "party_name": text,
            "vote_count": count, "vote_count_text": text,
        }))},
    }));
    obj(json!({"reports": {"type": "array", "items": report}}))
}

/// A short hash of the schema, part of cache keys.
pub fn schema_hash() -> &'static str {
    static HASH: LazyLock<String> = LazyLock::new(|| {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(response_schema().to_string().as_bytes());
        d.iter().take(8).map(|b| format!("{b:02x}")).collect()
    });
    &HASH
}

/// The user turn's text for a record with OCR text.
pub fn user_text(text: Option<&str>, images: usize) -> String {
    let mut s = String::from("Extract every vote report from this polling unit's forms.");
    if images > 0 {
        s.push_str(&format!(" {images} page image(s) follow."));
    }
    if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
        s.push_str("\n\nOCR text of the pages:\n");
        s.push_str(t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_strict_and_parsable_output_round_trips() {
        let s = response_schema();
        assert_eq!(s["additionalProperties"], false);
        let report = &s["properties"]["reports"]["items"];
        assert_eq!(report["required"].as_array().unwrap().len(), 4);
        assert_eq!(
            report["properties"]["ballot_statistics"]["required"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
        // An answer shaped by the schema parses into reports.
        let answer = r#"{"reports": [{"form_info": {"form_type": "PartyList", "date": null, "province": null,
            "district": null, "sub_district": null, "constituency_number": "7", "polling_station_number": "1"},
            "voter_statistics": {"eligible_voters": 800, "voters_present": null},
            "ballot_statistics": {"ballots_allocated": null, "ballots_used": null, "good_ballots": 5,
              "bad_ballots": 0, "no_vote_ballots": 0, "ballots_remaining": null},
            "vote_results": [{"number": 1, "candidate_name": null, "party_name": "ก", "vote_count": 5, "vote_count_text": "ห้า"}]}]}"#;
        let set = crate::report::parse_output(answer).unwrap();
        assert_eq!(set.0[0].ballot_statistics.good_ballots, Some(5));
        assert!(EXTRACTION_PROMPT.contains("null") && !schema_hash().is_empty());
    }
}
