//! What the delivery tests share: the workspace's files, YAML, and a real server.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use yaml_rust2::{Yaml, YamlLoader};

pub const KEY: &str = "delivery-test-key-0123456789";

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn yaml(path: &str) -> Yaml {
    let text = std::fs::read_to_string(workspace().join(path)).expect(path);
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
        .remove(0)
}

pub fn text(y: &Yaml) -> &str {
    y.as_str().unwrap_or_else(|| panic!("not a string: {y:?}"))
}

/// `tallylab serve` on a free port with a fresh data directory.
pub struct Server {
    child: Child,
    pub url: String,
    _data: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let data = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(e2e::tallylab_bin())
            .arg("serve")
            .env("API_KEY", KEY)
            .env("PORT", port.to_string())
            .env("DATA_DIR", data.path())
            .env("RUST_LOG", "error")
            .env_remove("DATABASE_URL")
            .env_remove("PUBLIC_BASE_URL")
            .current_dir(data.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start tallylab serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _data: data,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
