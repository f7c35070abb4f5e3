//! The LLM judge's side that needs no model: its versioned prompt, the schema of its verdict,
//! the question it is asked about one trial, reading its answer into a score, and the
//! original's weighted overall accuracy that includes it. The call itself is the runner's
//! (`runner::judge`).

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{json, Value};
use shared::{ReportSet, Score, ScoreValue};

use super::names;

/// Version of the judge's prompt: part of every verdict's cache key (through the prompt
/// text) and stated in the README.
pub const JUDGE_PROMPT_VERSION: &str = "judge-v1";

/// The judge's system instruction.
pub const JUDGE_PROMPT: &str = include_str!("../../prompts/judge-v1.md");

/// Name of the verdict's schema (OpenAI's `json_schema.name`).
pub const VERDICT_SCHEMA_NAME: &str = "judge_verdict";

/// The original's weights of its weighted overall accuracy (its `overall_accuracy` once the
/// judge was added): form 15 %, ballots 25 %, votes 30 %, judge 30 %.
pub const WEIGHTS: [(&str, f64); 4] = [
    (names::EXACT_FORM_MATCH, 0.15),
    (names::BALLOT_ACCURACY, 0.25),
    (names::VOTE_RESULTS_QUALITY, 0.30),
    (names::LLM_JUDGE, 0.30),
];

/// Summary metric of the weighted overall accuracy.
pub const WEIGHTED_METRIC: &str = "overall_accuracy_weighted";
/// Label of [`WEIGHTED_METRIC`].
pub const WEIGHTED_LABEL: &str = "Overall accuracy, weighted with the judge";

/// Longest reasoning kept with a score (a judge that rambles is cut, not stored whole).
const MAX_EXPLANATION_CHARS: usize = 4000;

/// JSON Schema of a verdict, strict-mode compatible.
pub fn verdict_schema() -> &'static Value {
    static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
        let text = json!({"type": "string"});
        json!({
            "type": "object",
            "properties": {
                // No minimum/maximum: some OpenAI-compatible servers reject them, and a
                // rejected schema weakens the provider's response_format for every call
                // (extraction included). The range is checked on reading.
                "score": {"type": "number"},
                "summary": text,
                "reasoning": text,
                "errors": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "field": text, "expected": text, "actual": text,
                        "severity": {"type": "string", "enum": ["minor", "major"]},
                    },
                    "required": ["field", "expected", "actual", "severity"],
                    "additionalProperties": false,
                }},
            },
            "required": ["score", "summary", "reasoning", "errors"],
            "additionalProperties": false,
        })
    });
    &SCHEMA
}

/// The question put to the judge about one trial: the label and the output, as JSON.
pub fn judge_question(expected: &ReportSet, output: &ReportSet) -> String {
    // Compact JSON: the judge reads it as well, and it is two reports' worth of tokens a
    // call. Serialising a report set cannot fail (plain data).
    let show = |r: &ReportSet| serde_json::to_string(r).unwrap_or_default();
    format!(
        "LABEL:\n```json\n{}\n```\n\nOUTPUT:\n```json\n{}\n```\n\nJudge the OUTPUT against the LABEL.",
        show(expected),
        show(output)
    )
}

/// A judge's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Verdict {
    pub score: f64,
    #[serde(default, deserialize_with = "any_text")]
    pub summary: String,
    #[serde(default, deserialize_with = "any_text")]
    pub reasoning: String,
    #[serde(default, deserialize_with = "any_list")]
    pub errors: Vec<VerdictError>,
}

/// One difference the judge names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VerdictError {
    #[serde(default, deserialize_with = "any_text")]
    pub field: String,
    #[serde(default, deserialize_with = "any_text")]
    pub expected: String,
    #[serde(default, deserialize_with = "any_text")]
    pub actual: String,
    #[serde(default, deserialize_with = "any_text")]
    pub severity: String,
}

/// Judges answer values as text or as the JSON value itself: either is kept as text (null
/// as nothing). Only the score decides whether an answer is a verdict.
fn any_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// The named differences, keeping those that read as one (a judge without strict output
/// may write anything there).
fn any_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<VerdictError>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// Reads a judge's raw answer; the error says why it is not a verdict (and never becomes a
/// score: a judge that answers garbage leaves the trial without one).
pub fn parse_verdict(raw: &str) -> Result<Verdict, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("the judge answered nothing".into());
    }
    let json = if text.starts_with('{') {
        text
    } else {
        crate::report::extract_json_text(text)
            .map_err(|_| format!("the judge's answer is not JSON: {}", preview(text)))?
    };
    let verdict: Verdict = serde_json::from_str(json).map_err(|e| {
        format!(
            "the judge's answer is not a verdict ({e}): {}",
            preview(text)
        )
    })?;
    if !verdict.score.is_finite() || !(0.0..=1.0).contains(&verdict.score) {
        return Err(format!(
            "the judge's score {} is outside 0–1",
            verdict.score
        ));
    }
    Ok(verdict)
}

fn preview(text: &str) -> String {
    let mut p: String = text.chars().take(120).collect();
    if p.len() < text.len() {
        p.push('…');
    }
    p
}

/// The verdict as the trial's judge score: the reasoning (summary first, then each named
/// difference) is its explanation.
pub fn verdict_score(verdict: &Verdict) -> Score {
    let mut explanation = String::new();
    for part in [verdict.summary.trim(), verdict.reasoning.trim()] {
        if !part.is_empty() {
            if !explanation.is_empty() {
                explanation.push_str("\n\n");
            }
            explanation.push_str(part);
        }
    }
    for e in &verdict.errors {
        explanation.push_str(&format!(
            "\n• {}: expected {}, got {}{}",
            e.field,
            e.expected,
            e.actual,
            if e.severity.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.severity)
            }
        ));
    }
    let explanation = explanation.trim().to_string();
    let explanation = if explanation.chars().count() > MAX_EXPLANATION_CHARS {
        let mut cut: String = explanation.chars().take(MAX_EXPLANATION_CHARS).collect();
        cut.push('…');
        cut
    } else {
        explanation
    };
    Score {
        explanation: (!explanation.is_empty()).then_some(explanation),
        ..Score::new(names::LLM_JUDGE, ScoreValue::Number(verdict.score))
    }
}

/// The judge's score of a trial whose output did not parse: 0, as every other score of it.
pub fn nothing_to_judge() -> Score {
    Score {
        explanation: Some("no output to judge".into()),
        ..Score::new(names::LLM_JUDGE, ScoreValue::Number(0.0))
    }
}

/// The original's weighted overall accuracy of one trial from its evaluator values
/// (`value` looks one up by name); `None` when any part is absent (no judge score).
pub fn weighted_overall(value: impl Fn(&str) -> Option<f64>) -> Option<f64> {
    WEIGHTS
        .iter()
        .map(|(name, w)| value(name).map(|v| v * w))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_read_from_json_a_fence_or_prose() {
        let plain = r#"{"score": 0.85, "summary": "Good.", "reasoning": "Two counts off.",
            "errors": [{"field": "Constituency.vote_results[5].vote_count", "expected": "232",
                        "actual": 223, "severity": "major"}]}"#;
        let v = parse_verdict(plain).unwrap();
        assert_eq!(v.score, 0.85);
        assert_eq!(v.errors[0].actual, "223", "a number is kept as text");
        let fenced = format!("Here is my verdict:\n```json\n{plain}\n```");
        assert_eq!(parse_verdict(&fenced).unwrap(), v);
        let s = verdict_score(&v);
        assert_eq!(s.name, names::LLM_JUDGE);
        assert_eq!(s.value, ScoreValue::Number(0.85));
        let text = s.explanation.unwrap();
        assert!(text.starts_with("Good.\n\nTwo counts off."), "{text}");
        assert!(
            text.contains("Constituency.vote_results[5].vote_count: expected 232, got 223 (major)"),
            "{text}"
        );
    }

    #[test]
    fn only_the_score_decides_whether_an_answer_is_a_verdict() {
        let loose = r#"{"score": 1, "summary": null, "reasoning": 42,
            "errors": [{"field": 7, "severity": null}, "not an error"]}"#;
        let v = parse_verdict(loose).unwrap();
        assert_eq!(
            (v.score, v.summary.as_str(), v.reasoning.as_str()),
            (1.0, "", "42")
        );
        assert_eq!(v.errors.len(), 1);
        assert_eq!(v.errors[0].field, "7");
        let bare = parse_verdict(r#"{"score": 0.5, "errors": "none"}"#).unwrap();
        assert!(bare.errors.is_empty());
    }

    #[test]
    fn garbage_is_no_verdict_and_says_why() {
        for (raw, why) in [
            ("", "answered nothing"),
            ("I think it is fine.", "not JSON"),
            (r#"{"verdict": "good"}"#, "not a verdict"),
            (r#"{"score": "high"}"#, "not a verdict"),
            (r#"{"score": 1.5}"#, "outside 0–1"),
            (r#"{"score": -0.1}"#, "outside 0–1"),
        ] {
            let err = parse_verdict(raw).unwrap_err();
            assert!(err.contains(why), "{raw:?}: {err}");
        }
    }

    #[test]
    fn the_weighted_overall_is_the_originals_formula() {
        let values = |j: Option<f64>| {
            move |name: &str| match name {
                names::EXACT_FORM_MATCH => Some(1.0),
                names::BALLOT_ACCURACY => Some(0.5),
                names::VOTE_RESULTS_QUALITY => Some(0.8),
                names::LLM_JUDGE => j,
                _ => None,
            }
        };
        let w = weighted_overall(values(Some(0.6))).unwrap();
        assert!((w - (0.15 + 0.125 + 0.24 + 0.18)).abs() < 1e-12, "{w}");
        assert_eq!(
            weighted_overall(values(None)),
            None,
            "no judge, no weighted score"
        );
        let total: f64 = WEIGHTS.iter().map(|(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_schema_requires_every_property() {
        let s = verdict_schema();
        let props: Vec<&str> = s["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let required: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(props.len(), required.len());
        assert!(JUDGE_PROMPT.contains("LABEL") && JUDGE_PROMPT.contains("OUTPUT"));
    }
}
