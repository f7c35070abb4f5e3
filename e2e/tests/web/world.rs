//! The world of a browser test: the real server on a free port with its own data directory
//! (killed on drop), and the helpers the browser needs.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The API key every test server uses.
pub const KEY: &str = "e2e-secret-key";

/// Root of the workspace.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where screenshots go (printed by `make test`).
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace().join("e2e-artifacts").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create e2e-artifacts/screenshots");
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on port {port}: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on port {port} within 30 s");
}

/// Finds a program: the environment variable first, then the PATH.
pub fn program(env: &str, names: &[&str], install_hint: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "{} not found (set {env} or install it: {install_hint}). The browser tests need it; \
         `make test` installs it.",
        names.join(" / ")
    );
}

/// The real server, started for one test.
pub struct App {
    child: Child,
    _data: TempDir,
    /// e.g. `http://127.0.0.1:40123`.
    pub base: String,
    pub port: u16,
}

impl App {
    /// Starts `tallylab serve` on a free port with a fresh data directory, serving the
    /// built web app. Fails clearly when the web app is not built.
    pub fn start() -> App {
        App::start_with(&[])
    }

    /// [`App::start`] with extra environment variables (e.g. a `MODELS_FILE`).
    pub fn start_with(env: &[(&str, &std::ffi::OsStr)]) -> App {
        let dist = workspace().join("frontend").join("dist");
        assert!(
            dist.join("index.html").is_file(),
            "the web app is not built: {} is missing. Run `make frontend` (or `make test`, \
             which builds it) before the browser tests.",
            dist.join("index.html").display()
        );
        let data = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let mut child = Command::new(e2e::tallylab_bin())
            .arg("serve")
            .env("API_KEY", KEY)
            .env("PORT", port.to_string())
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("DATA_DIR", data.path())
            .env("STATIC_DIR", &dist)
            .env("RUST_LOG", "error")
            .env_remove("DATABASE_URL")
            .env_remove("PUBLIC_BASE_URL")
            .env_remove("CONFIG_FILE")
            .envs(env.iter().copied())
            .current_dir(data.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start tallylab serve");
        wait_for_port(port, "tallylab serve", &mut child);
        App {
            child,
            _data: data,
            base: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    /// The server's SQLite database.
    pub fn database(&self) -> PathBuf {
        self._data.path().join("tallylab.db")
    }

    /// The URL of an app path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A raw HTTP/1.1 request to the API with the key; returns status and body.
    pub fn http(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).expect("write head");
        s.write_all(body).expect("write body");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read response");
        let status = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = out
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    /// Generates `records` records with the CLI and uploads them as dataset `name`.
    pub fn upload_generated(&self, name: &str, records: u32) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("gen.jsonl");
        let out = e2e::tallylab()
            .args([
                "dataset",
                "generate",
                "--records",
                &records.to_string(),
                "--out",
            ])
            .arg(&file)
            .output()
            .expect("tallylab dataset generate");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let body = std::fs::read(&file).expect("read generated dataset");
        let (status, text) = self.http("POST", &format!("/api/v1/datasets/{name}/versions"), &body);
        assert_eq!(status, 201, "upload of {name}: {text}");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
