//! The command line's client of a tallylab server: submit a run, follow its event stream,
//! read experiments and comparisons. The API key goes only to the server named, in the
//! `X-API-Key` header, and never into a message.

use std::time::Duration;

use super::events::{run_event, RunEvent, SseParser};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use shared::{
    AsyncRunAccepted, ComparisonResponse, ErrorBody, ExperimentDetail, ExperimentListItem,
    ExperimentRunRequest, Page, Preset, TaskStatus,
};

/// Why a call to the server failed, in words a person can act on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RemoteError(pub String);

type Result<T> = std::result::Result<T, RemoteError>;

/// A tallylab server and the key to call it with.
pub struct Remote {
    client: reqwest::Client,
    base: reqwest::Url,
    key: String,
}

impl Remote {
    /// A client of the server at `server` (http or https) with `key`.
    pub fn new(server: &str, key: &str) -> Result<Self> {
        let base = reqwest::Url::parse(server.trim())
            .map_err(|e| RemoteError(format!("--server {server:?} is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(RemoteError(format!(
                "--server must be an http:// or https:// URL, not {server:?}"
            )));
        }
        if key.trim().is_empty() {
            return Err(RemoteError(
                "give the server's API key with --api-key or TALLYLAB_API_KEY".into(),
            ));
        }
        if base.scheme() == "http"
            && !matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        {
            eprintln!(
                "warning: --server is plain http: the API key crosses the network unencrypted"
            );
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // A silent event stream is left for polling after this long.
            .read_timeout(Duration::from_secs(90))
            // The key is for this server only: never follow a redirect elsewhere with it.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tallylab-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError(format!("cannot build an HTTP client: {e}")))?;
        Ok(Remote {
            client,
            base,
            key: key.trim().to_string(),
        })
    }

    fn url(&self, path: &str) -> Result<reqwest::Url> {
        // Paths are absolute: a server URL with a path prefix keeps it.
        let prefix = self.base.path().trim_end_matches('/');
        let mut url = self.base.clone();
        url.set_path(&format!("{prefix}{path}"));
        Ok(url)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> Result<reqwest::RequestBuilder> {
        Ok(self
            .client
            .request(method, self.url(path)?)
            .header("X-API-Key", &self.key))
    }

    async fn send<T: DeserializeOwned>(&self, builder: reqwest::RequestBuilder) -> Result<T> {
        let response = builder
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(|e| RemoteError(format!("cannot reach the server: {}", with_causes(&e))))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            RemoteError(format!(
                "the server's answer broke off: {}",
                with_causes(&e)
            ))
        })?;
        if !status.is_success() {
            return Err(RemoteError(refusal(status, &body)));
        }
        serde_json::from_slice(&body).map_err(|e| {
            RemoteError(format!(
                "the server answered {status} with a body this client cannot read ({e}); is --server a tallylab server of this version?"
            ))
        })
    }

    /// The server's presets.
    pub async fn presets(&self) -> Result<Vec<Preset>> {
        self.send(self.request(reqwest::Method::GET, "/api/v1/presets")?)
            .await
    }

    /// Submits a run to run in the background.
    pub async fn run_async(&self, request: &ExperimentRunRequest) -> Result<AsyncRunAccepted> {
        // The request's own Datadog key is not serialised; send it as the API reads it.
        let mut body = serde_json::to_value(request)
            .map_err(|e| RemoteError(format!("cannot encode the request: {e}")))?;
        if let (Some(key), Some(map)) = (&request.api_key, body.as_object_mut()) {
            map.insert("api_key".into(), key.expose().into());
        }
        self.send(
            self.request(reqwest::Method::POST, "/api/v1/experiments/run-async")?
                .json(&body),
        )
        .await
    }

    /// A run's status (with its result once finished).
    pub async fn task(&self, task_id: &str) -> Result<TaskStatus> {
        let path = format!("/api/v1/experiments/tasks/{}", encode(task_id));
        self.send(self.request(reqwest::Method::GET, &path)?).await
    }

    /// One experiment, or `None` when the server has none with that id.
    pub async fn experiment(&self, id: &str) -> Result<Option<ExperimentDetail>> {
        let path = format!("/api/v1/experiments/{}", encode(id));
        let response = self
            .request(reqwest::Method::GET, &path)?
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| RemoteError(format!("cannot reach the server: {}", with_causes(&e))))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let status = response.status();
        let body = response.bytes().await.unwrap_or_default();
        if !status.is_success() {
            return Err(RemoteError(refusal(status, &body)));
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| RemoteError(format!("cannot read the experiment: {e}")))
    }

    /// Experiments whose name, project, dataset or model contains `text`, newest first.
    pub async fn search_experiments(&self, text: &str) -> Result<Page<ExperimentListItem>> {
        self.send(
            self.request(reqwest::Method::GET, "/api/v1/experiments")?
                .query(&[("q", text), ("limit", "500")]),
        )
        .await
    }

    /// The paired comparison of experiments `a` (first) and `b`.
    pub async fn compare(&self, a: &str, b: &str) -> Result<ComparisonResponse> {
        self.send(
            self.request(reqwest::Method::GET, "/api/v1/compare")?
                .query(&[("ids", format!("{a},{b}"))]),
        )
        .await
    }

    /// Asks the server to cancel a run (what finished is kept).
    pub async fn cancel(&self, task_id: &str) -> Result<TaskStatus> {
        let path = format!("/api/v1/experiments/tasks/{}/cancel", encode(task_id));
        self.send(self.request(reqwest::Method::POST, &path)?).await
    }

    /// Follows a run to its end: its event stream while it lasts, then its status polled
    /// (a proxy that cuts long streams, or a server restarting mid-run, does not lose the
    /// run). `on_event` sees every event. Past `deadline`, an error.
    pub async fn follow(
        &self,
        task_id: &str,
        deadline: tokio::time::Instant,
        mut on_event: impl FnMut(&RunEvent),
    ) -> Result<TaskStatus> {
        let path = format!("/api/v1/experiments/tasks/{}/events", encode(task_id));
        let late = || RemoteError(format!("the run {task_id} did not end in time"));
        let opened =
            tokio::time::timeout_at(deadline, self.request(reqwest::Method::GET, &path)?.send())
                .await
                .map_err(|_| late())?;
        if let Ok(response) = opened {
            if response.status().is_success() {
                let mut parser = SseParser::default();
                let mut body = response.bytes_stream();
                // A stream silent past the client's read timeout ends here: polling goes on.
                while let Some(Ok(chunk)) = tokio::time::timeout_at(deadline, body.next())
                    .await
                    .map_err(|_| late())?
                {
                    for (event, data) in parser.push(&chunk) {
                        let Some(event) = run_event(&event, &data) else {
                            continue;
                        };
                        on_event(&event);
                        match event {
                            RunEvent::Done(status) if status.status.is_terminal() => {
                                return Ok(*status);
                            }
                            // A server stopping mid-run ends the stream with the run still
                            // running (the next start resumes it): keep watching.
                            RunEvent::Done(_) => break,
                            RunEvent::Progress { .. } => {}
                        }
                    }
                }
            }
        }
        let mut failures = 0u32;
        loop {
            if tokio::time::Instant::now() >= deadline {
                return Err(late());
            }
            match self.task(task_id).await {
                Ok(status) => {
                    failures = 0;
                    on_event(&RunEvent::Progress {
                        done: status.done,
                        total: status.total,
                    });
                    if status.status.is_terminal() {
                        return Ok(status);
                    }
                }
                // A restart or a network blip: retry for about two minutes.
                Err(e) if failures < POLL_FAILURES => {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "cannot read the run's status; retrying");
                }
                Err(e) => return Err(e),
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
}

/// How often a run's status is polled when its event stream is gone.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// Failed polls in a row before giving up (about two minutes).
const POLL_FAILURES: u32 = 60;

/// The server's refusal in words: its error body's message and field when it sent one.
fn refusal(status: reqwest::StatusCode, body: &[u8]) -> String {
    let hint = match status.as_u16() {
        401 => " (check --api-key or TALLYLAB_API_KEY)",
        _ => "",
    };
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => match e.field {
            Some(field) => format!(
                "the server refused ({status}): {field}: {}{hint}",
                e.message
            ),
            None => format!("the server refused ({status}): {}{hint}", e.message),
        },
        Err(_) => format!("the server answered {status}{hint}"),
    }
}

/// A transport error with its causes (reqwest's own text stops at "error sending request").
fn with_causes(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(run: shared::RunStatus) -> TaskStatus {
        TaskStatus {
            task_id: "t1".into(),
            status: run,
            created_at: "2026-12-01T00:00:00Z".into(),
            finished_at: None,
            done: 2,
            total: 4,
            experiments: Vec::new(),
            result: None,
            error: None,
            request: ExperimentRunRequest::default(),
            sequential: None,
        }
    }

    #[tokio::test]
    async fn a_stream_ending_with_the_run_still_running_is_followed_by_polling() {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        // A server stopping mid-run: its stream's last word is the run, still running.
        let done = serde_json::to_string(&status(shared::RunStatus::Running)).unwrap();
        Mock::given(method("GET"))
            .and(path("/api/v1/experiments/tasks/t1/events"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "text/event-stream")
                    .set_body_string(format!("event: done\ndata: {done}\n\n")),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/experiments/tasks/t1"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/experiments/tasks/t1"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(status(shared::RunStatus::Completed)),
            )
            .mount(&server)
            .await;
        let remote = Remote::new(&server.uri(), "k").unwrap();
        let far = tokio::time::Instant::now() + Duration::from_secs(60);
        let end = remote.follow("t1", far, |_| {}).await.unwrap();
        assert_eq!(
            end.status,
            shared::RunStatus::Completed,
            "a failed poll is retried"
        );

        // Past its deadline the follow gives up.
        let now = tokio::time::Instant::now();
        let e = remote.follow("t1", now, |_| {}).await.err().unwrap();
        assert!(e.to_string().contains("did not end in time"), "{e}");
    }

    #[test]
    fn a_server_url_must_be_http_and_a_key_is_required() {
        assert!(Remote::new("ftp://example.com", "k").is_err());
        assert!(Remote::new("not a url", "k").is_err());
        assert!(Remote::new("http://127.0.0.1:8000", " ").is_err());
        let r = Remote::new("https://lab.example/prefix/", "k").unwrap();
        assert_eq!(
            r.url("/api/v1/presets").unwrap().as_str(),
            "https://lab.example/prefix/api/v1/presets"
        );
        assert_eq!(encode("a b/ค"), "a%20b%2F%E0%B8%84");
    }
}
