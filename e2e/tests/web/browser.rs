//! Headless Chromium driven by its own ChromeDriver, ended on drop; screenshots and downloads.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tempfile::TempDir;

use crate::world::{free_port, program, screenshot_dir, wait_for_port};

/// Headless Chromium behind its own ChromeDriver.
pub struct Browser {
    client: Option<Client>,
    session: String,
    driver_port: u16,
    driver: Child,
    _profile: TempDir,
    /// Chrome's download directory.
    pub downloads: TempDir,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a session with a fresh profile.
    pub async fn start() -> Browser {
        let chrome = program(
            "CHROME_BIN",
            &["chromium", "chromium-browser", "google-chrome"],
            "apt-get install -y chromium",
        );
        let chromedriver = program(
            "CHROMEDRIVER",
            &["chromedriver"],
            "apt-get install -y chromium-driver",
        );
        let port = free_port();
        let mut cmd = Command::new(chromedriver);
        cmd.arg(format!("--port={port}"));
        // E2E_CHROMEDRIVER_LOG=dir keeps a verbose ChromeDriver log per browser there.
        if let Some(dir) = std::env::var_os("E2E_CHROMEDRIVER_LOG") {
            cmd.arg("--verbose").arg(format!(
                "--log-path={}/chromedriver-{port}.log",
                Path::new(&dir).display()
            ));
        }
        let mut driver = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        wait_for_port(port, "chromedriver", &mut driver);
        let profile = tempfile::tempdir().expect("profile dir");
        let downloads = tempfile::tempdir().expect("download dir");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                }
            }
        });
        let caps = caps.as_object().cloned().expect("object");
        // fantoccini's rustls brings aws-lc-rs while the workspace uses ring: choose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a WebDriver session with headless Chromium");
        let session = client.session_id().await.ok().flatten().unwrap_or_default();
        Browser {
            client: Some(client),
            session,
            driver_port: port,
            driver,
            _profile: profile,
            downloads,
        }
    }

    /// The WebDriver client.
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("browser open")
    }

    /// Throttles the network as Chrome DevTools' presets do (ChromeDriver's
    /// `network_conditions` command): `latency_ms` added to each request, throughputs in
    /// bytes per second.
    #[allow(dead_code)] // used by benches/first_heading.rs
    pub fn throttle(&self, latency_ms: u32, down_bytes_per_s: u32, up_bytes_per_s: u32) {
        let body = json!({"network_conditions": {
            "offline": false, "latency": latency_ms,
            "download_throughput": down_bytes_per_s, "upload_throughput": up_bytes_per_s,
        }})
        .to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.driver_port)).expect("chromedriver");
        let req = format!(
            "POST /session/{}/chromium/network_conditions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.session,
            body.len()
        );
        s.write_all(req.as_bytes())
            .expect("send network_conditions");
        // ChromeDriver may keep the connection open: the status line is all that is needed.
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let mut answer = [0u8; 64];
        let n = s.read(&mut answer).unwrap_or(0);
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "network_conditions: {answer}"
        );
    }

    /// Ends the session: Chromium exits (ChromeDriver is stopped on drop).
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a failure the session may still be open: end it so Chromium exits, then stop
        // ChromeDriver. (A test killed by a signal takes its process group, ChromeDriver and
        // Chromium included, with it.)
        if self.client.is_some() && !self.session.is_empty() {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.driver_port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let req = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                    self.session
                );
                let _ = s.write_all(req.as_bytes());
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Writes a screenshot of the whole page to `e2e-artifacts/screenshots/{name}.png`.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    screenshot_at(client, name, 1280).await
}

/// [`screenshot`] with the window `width` pixels wide (390 for a phone); the window is
/// 1280 wide again afterwards.
pub async fn screenshot_at(client: &Client, name: &str, width: u32) -> PathBuf {
    let _ = client.set_window_size(width, 1000).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = client.execute("window.scrollTo(0, 0);", vec![]).await;
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(1000)
        .clamp(600, 6000);
    let _ = client.set_window_size(width, height as u32 + 120).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = client.screenshot().await.expect("screenshot");
    let _ = client.set_window_size(1280, 1000).await;
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// Waits for a finished download with extension `ext` in `dir`.
pub async fn wait_file(dir: &Path, ext: &str, timeout: Duration) -> Option<PathBuf> {
    let start = Instant::now();
    // Chromium creates the file empty when the download starts and fills it in later: a
    // file counts once it has bytes and the same size at two polls in a row.
    let mut last: Option<(PathBuf, u64)> = None;
    while start.elapsed() < timeout {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == ext) {
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    if size > 0 && last.as_ref() == Some(&(p.clone(), size)) {
                        return Some(p);
                    }
                    last = Some((p, size));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
