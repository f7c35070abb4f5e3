//! A run's server-sent event stream as the command line reads it: the stream split into
//! events as bytes arrive, and the run events among them.

use shared::TaskStatus;

/// One event of a run's stream.
pub enum RunEvent {
    /// Trials finished so far, of how many.
    Progress { done: u64, total: u64 },
    /// The run ended: its final status, with its result.
    Done(Box<TaskStatus>),
}

/// The run event an (event, data) pair of the stream carries, if any.
pub fn run_event(event: &str, data: &str) -> Option<RunEvent> {
    match event {
        "progress" => {
            let v: serde_json::Value = serde_json::from_str(data).ok()?;
            Some(RunEvent::Progress {
                done: v.get("done")?.as_u64()?,
                total: v.get("total")?.as_u64()?,
            })
        }
        "done" => serde_json::from_str(data)
            .ok()
            .map(|s| RunEvent::Done(Box::new(s))),
        _ => None,
    }
}

/// Splits a server-sent event stream into (event, data) pairs as bytes arrive.
#[derive(Default)]
pub struct SseParser {
    buffer: Vec<u8>,
}

impl SseParser {
    /// The complete events among the bytes received so far.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<(String, String)> {
        self.buffer.extend(bytes.iter().filter(|&&b| b != b'\r'));
        let mut events = Vec::new();
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let mut event = String::from("message");
            let mut data = Vec::new();
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                }
            }
            if !data.is_empty() {
                events.push((event, data.join("\n")));
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_and_crlf_are_parsed() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: progress\r\ndata: {\"done\":1,").is_empty());
        let events = p.push(b"\"total\":4}\r\n\r\nevent: done\ndata: {}\n\n");
        assert_eq!(
            events,
            vec![
                (
                    "progress".to_string(),
                    "{\"done\":1,\"total\":4}".to_string()
                ),
                ("done".to_string(), "{}".to_string())
            ]
        );
        assert!(matches!(
            run_event(&events[0].0, &events[0].1),
            Some(RunEvent::Progress { done: 1, total: 4 })
        ));
    }
}
