//! Test support shared by the backend's integration tests and the end-to-end tests.
//!
//! [`ModelServer`] is a real HTTP server (wiremock) that answers OpenAI chat completions
//! like a model of known accuracy: it finds the record whose text the request carries and
//! answers that record's label, or the label with one ballot count off for the records the
//! model is set to get wrong. Tests use it to check that verdicts point the right way.

pub mod datadog;
pub mod postgres;
mod sqlite;

pub use sqlite::{break_trial_storage, execute_sql, integrity_check, WriteLock, STORAGE_FAILURE};

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use shared::DatasetRecord;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A model the server plays: wrong on record `i` when `i % every < wrong` (0 = always right),
/// or wrong on each record independently with a known chance, or a judge.
#[derive(Debug, Clone, Copy)]
pub struct OracleModel {
    pub name: &'static str,
    pub wrong: usize,
    pub every: usize,
    /// Plays an LLM judge instead of an extractor.
    pub judge: Option<JudgeAnswer>,
    /// Wrong on each record with this chance in thousandths, drawn from the record's
    /// position and this seed (independent between records and between seeds; the same
    /// record always gets the same answer). Such a model's wrong answer is prose, not a
    /// report: the trial fails, so it scores 0 on every metric (a pass/fail difference).
    pub chance: Option<(u32, u64)>,
}

/// How a judge model answers a verdict request (`response_format.json_schema.name` is
/// `judge_verdict`; any other request to a judge is refused).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JudgeAnswer {
    /// A verdict with this score, a summary naming the score, reasoning and one difference.
    Score(f64),
    /// Prose that is not JSON.
    Garbage,
}

/// Summary of a [`JudgeAnswer::Score`] verdict, so tests can find it in stored reasoning.
pub fn judge_summary(score: f64) -> String {
    format!("Oracle judge verdict {score:.2}.")
}

impl OracleModel {
    /// A model that answers every label exactly.
    pub const fn perfect(name: &'static str) -> Self {
        OracleModel {
            name,
            wrong: 0,
            every: 1,
            judge: None,
            chance: None,
        }
    }

    /// A judge model that answers `answer` to every verdict request.
    pub const fn judge(name: &'static str, answer: JudgeAnswer) -> Self {
        OracleModel {
            name,
            wrong: 0,
            every: 1,
            judge: Some(answer),
            chance: None,
        }
    }

    /// A model wrong on `wrong` of every `every` records.
    pub const fn wrong_on(name: &'static str, wrong: usize, every: usize) -> Self {
        OracleModel {
            name,
            wrong,
            every,
            judge: None,
            chance: None,
        }
    }

    /// A model wrong on each record with chance `permille` ÷ 1000, independently (a
    /// different `seed` draws independently of this one).
    pub const fn wrong_with_chance(name: &'static str, permille: u32, seed: u64) -> Self {
        OracleModel {
            name,
            wrong: 0,
            every: 1,
            judge: None,
            chance: Some((permille, seed)),
        }
    }

    fn is_wrong(&self, index: usize) -> bool {
        match self.chance {
            Some((permille, seed)) => draw(seed, index as u64) % 1000 < u64::from(permille),
            None => index % self.every.max(1) < self.wrong,
        }
    }
}

/// A uniform 64-bit draw for (seed, index): SplitMix64's finaliser over both.
fn draw(seed: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(index.wrapping_mul(0xbf58_476d_1ce4_e5b9))
        .wrapping_add(0x94d0_49bb_1331_11eb);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Answer {
    records: Vec<DatasetRecord>,
    models: Vec<OracleModel>,
    delay: std::time::Duration,
}

fn user_text(body: &Value) -> String {
    let mut text = String::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        match &m["content"] {
            Value::String(s) => text.push_str(s),
            Value::Array(parts) => {
                for p in parts {
                    if let Some(s) = p["text"].as_str() {
                        text.push_str(s);
                    }
                }
            }
            _ => {}
        }
    }
    text
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"message": message, "type": "invalid_request_error"}}))
}

impl Respond for Answer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return error(400, "body is not JSON");
        };
        let Some(model) = self
            .models
            .iter()
            .find(|m| body["model"].as_str() == Some(m.name))
        else {
            return error(404, "no such model");
        };
        if let Some(answer) = model.judge {
            return judge_reply(&body, answer);
        }
        let text = user_text(&body);
        let Some((index, record)) = self.records.iter().enumerate().find(|(_, r)| {
            r.input
                .text
                .as_deref()
                .is_some_and(|t| !t.is_empty() && text.contains(t))
        }) else {
            return error(400, "the request carries no known record");
        };
        let mut reports = serde_json::to_value(&record.expected_output).unwrap_or(Value::Null);
        let wrong = model.is_wrong(index);
        if wrong {
            let good = &mut reports[0]["ballot_statistics"]["good_ballots"];
            *good = json!(good.as_u64().unwrap_or(0) + 1);
        }
        let content = if wrong && model.chance.is_some() {
            "I cannot read this form.".to_string()
        } else {
            json!({ "reports": reports }).to_string()
        };
        ResponseTemplate::new(200)
            .set_delay(self.delay)
            .set_body_json(json!({
                "id": format!("chatcmpl-oracle-{index}"),
                "object": "chat.completion",
                "model": model.name,
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop"
                }],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300}
            }))
    }
}

/// A judge's reply in the chat completions format, to verdict requests only.
fn judge_reply(body: &Value, answer: JudgeAnswer) -> ResponseTemplate {
    if body["response_format"]["json_schema"]["name"] != "judge_verdict" {
        return error(400, "a judge answers verdict requests only");
    }
    let text = user_text(body);
    if !(text.contains("LABEL") && text.contains("OUTPUT")) {
        return error(400, "a verdict request carries the label and the output");
    }
    let content = match answer {
        JudgeAnswer::Score(score) => json!({
            "score": score,
            "summary": judge_summary(score),
            "reasoning": "The ballot counts match; one name is spelled differently.",
            "errors": [{"field": "Constituency.vote_results[0].candidate_name",
                        "expected": "นายก", "actual": "นาย ก", "severity": "minor"}],
        })
        .to_string(),
        JudgeAnswer::Garbage => "Looks fine to me!".to_string(),
    };
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-judge",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 2000, "completion_tokens": 150, "total_tokens": 2150}
    }))
}

/// A local OpenAI-compatible server playing the given models over the given records.
pub struct ModelServer {
    server: MockServer,
    models: Vec<OracleModel>,
}

impl ModelServer {
    /// Starts the server; it answers at once.
    pub async fn start(records: Vec<DatasetRecord>, models: &[OracleModel]) -> Self {
        Self::start_with_delay(records, models, std::time::Duration::ZERO).await
    }

    /// Starts the server; every answer takes `delay` (a model's latency).
    pub async fn start_with_delay(
        records: Vec<DatasetRecord>,
        models: &[OracleModel],
        delay: std::time::Duration,
    ) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(Answer {
                records,
                models: models.to_vec(),
                delay,
            })
            .mount(&server)
            .await;
        ModelServer {
            server,
            models: models.to_vec(),
        }
    }

    /// The base URL a model entry points at (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.server.uri())
    }

    /// A `MODELS_FILE` registering every model of this server (OpenAI provider, free).
    pub fn models_file_json(&self) -> String {
        let models: Vec<Value> = self
            .models
            .iter()
            .map(|m| json!({"name": m.name, "provider": "openai", "base_url": self.base_url()}))
            .collect();
        json!({ "models": models }).to_string()
    }

    /// Writes [`Self::models_file_json`] into `dir` and returns the file's path.
    pub fn write_models_file(&self, dir: &Path) -> PathBuf {
        let file = dir.join("models.json");
        std::fs::write(&file, self.models_file_json()).expect("write MODELS_FILE");
        file
    }

    /// Chat completions answered so far.
    pub async fn calls(&self) -> usize {
        self.server.received_requests().await.map_or(0, |r| r.len())
    }

    /// How many calls each record's text received, by record position (records never
    /// asked for are absent).
    pub async fn calls_per_record(&self, records: &[DatasetRecord]) -> Vec<(usize, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for r in self.server.received_requests().await.unwrap_or_default() {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            let text = user_text(&body);
            if let Some(i) = records.iter().position(|rec| {
                rec.input
                    .text
                    .as_deref()
                    .is_some_and(|t| !t.is_empty() && text.contains(t))
            }) {
                *counts.entry(i).or_insert(0) += 1;
            }
        }
        counts.into_iter().collect()
    }
}

/// A server that fails the test (when dropped) if anything reaches it: the target of a
/// redirect that must not be followed, a host a key must not be sent to.
pub async fn must_not_be_called() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    server
}
