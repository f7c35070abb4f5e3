//! A run's server-sent events read through `fetch` (unlike `EventSource`, fetch sends the
//! `X-API-Key` header): the stream's bytes are split into events as they arrive.

use js_sys::{Reflect, Uint8Array};
use serde::Deserialize;
use shared::{ExperimentProgress, RunStatus, TaskStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

use super::{get, ApiError};
use crate::format::encode;

/// One event of a run's stream.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// The live progress changed (boxed: it carries the run's sequences).
    Progress(Box<Progress>),
    /// The run ended: its final status.
    Done(Box<TaskStatus>),
}

/// What a `progress` event carries.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Progress {
    pub status: RunStatus,
    pub done: u64,
    pub total: u64,
    pub experiments: Vec<ExperimentProgress>,
    #[serde(default)]
    pub error: Option<String>,
    /// A `stop_when_decided` run's confidence sequences so far.
    #[serde(default)]
    pub sequential: Option<shared::SequentialResult>,
}

impl Progress {
    /// `task` with this progress applied.
    pub fn apply(self, mut task: TaskStatus) -> TaskStatus {
        task.status = self.status;
        task.done = self.done;
        task.total = self.total;
        task.experiments = self.experiments;
        task.error = self.error.or(task.error);
        task.sequential = self.sequential.or(task.sequential);
        task
    }
}

/// Splits complete events (`event: …\ndata: …\n\n`) off the front of `buffer`; a partial
/// event stays for the next chunk. Unknown events and undecodable data are skipped.
pub fn take_events(buffer: &mut Vec<u8>) -> Vec<RunEvent> {
    let mut out = Vec::new();
    while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
        let block: Vec<u8> = buffer.drain(..end + 2).collect();
        let text = String::from_utf8_lossy(&block);
        let (mut name, mut data) = ("message", String::new());
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        match name {
            "progress" => {
                if let Ok(p) = serde_json::from_str(&data) {
                    out.push(RunEvent::Progress(Box::new(p)));
                }
            }
            "done" => {
                if let Ok(t) = serde_json::from_str(&data) {
                    out.push(RunEvent::Done(Box::new(t)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Follows the run's event stream, calling `each` for every event, until the run is done
/// (`Ok(true)`) or the stream ends early (`Ok(false)`: the caller polls instead).
pub async fn follow(id: &str, mut each: impl FnMut(RunEvent)) -> Result<bool, ApiError> {
    let network = |e: String| ApiError::Network(e);
    let resp = get(&format!("/experiments/tasks/{}/events", encode(id)))
        .send()
        .await
        .map_err(|e| network(e.to_string()))?;
    if resp.status() != 200 {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(ApiError::from_response(status, &text));
    }
    let stream: ReadableStream = resp.body().ok_or_else(|| network("no body".into()))?;
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut buffer = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| network(format!("{e:?}")))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(false);
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            buffer.extend(value.unchecked_into::<Uint8Array>().to_vec());
        }
        for event in take_events(&mut buffer) {
            let finished = matches!(event, RunEvent::Done(_));
            each(event);
            if finished {
                let _ = reader.cancel();
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_come_out_whole() {
        let progress = r#"{"task_id":"t","status":"running","done":3,"total":10,"experiments":[],"error":null,"finished_at":null}"#;
        let stream = format!("event: progress\ndata: {progress}\n\nevent: progress\ndata: {progress}\n\nevent: ping\ndata: x\n\n");
        let (a, b) = stream.as_bytes().split_at(40);
        let mut buffer = a.to_vec();
        assert!(take_events(&mut buffer).is_empty(), "nothing whole yet");
        buffer.extend_from_slice(b);
        let events = take_events(&mut buffer);
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], RunEvent::Progress(p) if p.done == 3 && p.total == 10));
        assert!(buffer.is_empty());
    }

    #[test]
    fn progress_carries_the_sequences_to_the_task() {
        let sequential = serde_json::json!({
            "metric": "overall_accuracy", "min_difference": 0.03, "alpha": 0.05, "seed": 7,
            "method": "empirical_bernstein_confidence_sequence", "state": "running",
            "records_compared": 4, "records_available": 10, "records_saved": 0,
            "cost_usd": 0.0, "cost_saved_usd": 0.0, "comparisons": [], "summary": "s"
        });
        let data = serde_json::json!({"task_id": "t", "status": "running", "done": 8, "total": 20,
            "experiments": [], "error": null, "finished_at": null, "sequential": sequential});
        let mut buffer = format!("event: progress\ndata: {data}\n\n").into_bytes();
        let events = take_events(&mut buffer);
        let RunEvent::Progress(p) = events[0].clone() else {
            panic!("{events:?}")
        };
        let task: TaskStatus = serde_json::from_value(serde_json::json!({
            "task_id": "t", "status": "queued", "created_at": "", "finished_at": null,
            "done": 0, "total": 20, "experiments": [], "result": null, "error": null,
            "request": {"dataset_name": "d", "model_configs": []}
        }))
        .expect("task");
        let task = (*p).apply(task);
        assert_eq!(task.sequential.expect("sequences").records_compared, 4);
    }
}
