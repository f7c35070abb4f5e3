//! The release server the scale benchmark drives: a child process on a free port with a
//! fresh data directory, its memory and CPU read from /proc.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

/// The API key the bench gives the server.
pub const KEY: &str = "bench-key";

/// The release server as a child process.
pub struct Server {
    child: Child,
    pub base: String,
    /// Its PostgreSQL database, when `BENCH_POSTGRES` names a server (else SQLite in `dir`).
    postgres: Option<String>,
}

impl Server {
    /// Starts the server on SQLite in `dir`, or on a new database of the PostgreSQL server
    /// `BENCH_POSTGRES` names (a URL such as `scripts/with-postgres.sh` gives).
    pub async fn start(binary: &Path, dir: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let postgres = match std::env::var("BENCH_POSTGRES") {
            Ok(server) if !server.is_empty() => Some(fresh_postgres_database(&server).await?),
            _ => None,
        };
        let mut command = Command::new(binary);
        if let Some(url) = &postgres {
            command.env("DATABASE_URL", url);
        }
        let child = command
            .arg("serve")
            .env("API_KEY", KEY)
            .env("PORT", port.to_string())
            .env("DATA_DIR", dir)
            .env("MODELS_FILE", dir.join("models.json"))
            .env(crate::load_model::GEMINI_KEY_ENV, "load-model-key")
            .env("RUST_LOG", "warn")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{base}/health")).await.is_ok() {
                return Ok(Server {
                    child,
                    base,
                    postgres,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the server did not start")
    }

    pub async fn post(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: String,
    ) -> anyhow::Result<(u16, Value)> {
        let r = client
            .post(format!("{}{path}", self.base))
            .header("X-API-Key", KEY)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> anyhow::Result<Value> {
        let r = client
            .get(format!("{}{path}", self.base))
            .header("X-API-Key", KEY)
            .send()
            .await?;
        anyhow::ensure!(r.status() == 200, "GET {path}: {}", r.status());
        Ok(r.json().await?)
    }

    /// A memory figure of /proc/<pid>/status (VmRSS, VmHWM) in bytes.
    pub fn memory(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .context("no such field")?;
        let kib: u64 = line.split_whitespace().nth(1).context("value")?.parse()?;
        Ok(kib * 1024)
    }

    /// Resets the peak RSS (VmHWM) to the current RSS (Linux `clear_refs` 5).
    pub fn reset_peak(&self) -> anyhow::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")?;
        Ok(())
    }

    /// User plus system CPU time the server has used, in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        let rest = stat.rsplit_once(')').context("stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
        Ok(ticks as f64 / clock_ticks())
    }

    /// Bytes the store holds: the data directory, or the PostgreSQL database's size.
    pub async fn storage_bytes(&self, dir: &Path) -> anyhow::Result<u64> {
        use sqlx::Connection;
        let Some(url) = &self.postgres else {
            return Ok(dir_size(dir));
        };
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&mut conn)
            .await?;
        Ok(u64::try_from(bytes).unwrap_or_default())
    }

    /// Whether the server runs on PostgreSQL (whose CPU is not in [`Self::cpu_seconds`]).
    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates an empty database on the PostgreSQL server `server` names; its URL.
async fn fresh_postgres_database(server: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server).await?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let (base, _) = server
        .rsplit_once('/')
        .context("a PostgreSQL URL ends with its database")?;
    Ok(format!("{base}/{name}"))
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 on Linux when it cannot be asked).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Prints the bytes each table holds (sqlite3's dbstat), when the sqlite3 tool is there.
pub fn show_storage(db: &Path) {
    let sql = "SELECT name, SUM(pgsize) >> 20 FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 4; \
        SELECT 'per trial: raw', AVG(LENGTH(raw_output)), 'output', AVG(LENGTH(output)), \
        'kept outputs', COUNT(output), 'scores', AVG(LENGTH(scores)) FROM experiment_records";
    match Command::new("sqlite3").arg(db).arg(sql).output() {
        Ok(o) => eprintln!("{}", String::from_utf8_lossy(&o.stdout)),
        Err(e) => eprintln!("  (no sqlite3 tool: {e})"),
    }
}

pub fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
