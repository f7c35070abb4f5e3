//! PostgreSQL through sqlx, for several replicas on one database (`DATABASE_URL=postgres://…`).
//! Same tables and role traits as the SQLite store; each role in its own file. Where the two
//! differ: placeholders are `$n`, flags are bound as 0/1 `BIGINT`s, sums are cast back to
//! `BIGINT`, version numbers are taken under a row lock of the dataset, and runs are claimed
//! with `FOR UPDATE SKIP LOCKED`.

mod cache;
mod datasets;
mod experiments;
mod exports;
mod labels;
mod origins;
mod outcomes;
mod runs;
mod trial_pages;
mod versions;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::{StoreError, StoreResult};

/// PostgreSQL-backed store (implements every role trait of [`super::Store`]).
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` and runs the migrations (several replicas starting
    /// together wait for one another: sqlx takes an advisory lock while it migrates).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let store = Self::pool(url, false).await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&store.pool)
            .await
            .map_err(|e| StoreError::Database(sqlx::Error::Migrate(Box::new(e))))?;
        Ok(store)
    }

    /// Connects to a database a server has already migrated, to read only: no migration,
    /// and every transaction read-only (the command line reads a server's experiments this
    /// way).
    pub async fn connect_read_only(url: &str) -> StoreResult<Self> {
        Self::pool(url, true).await
    }

    async fn pool(url: &str, read_only: bool) -> StoreResult<Self> {
        use sqlx::{ConnectOptions, Connection};
        let mut options = PgConnectOptions::from_str(url)?.application_name("tallylab");
        if read_only {
            options = options.options([("default_transaction_read_only", "on")]);
        }
        // One connection first, so an unreachable server or a refused login says so
        // (a pool only says that no connection became free in time).
        options.connect().await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(PgStore { pool })
    }

    /// Removes dataset versions a crashed upload left incomplete: those started over an hour
    /// ago (another replica may be writing a newer one right now), and datasets left with
    /// no version.
    pub async fn remove_incomplete(&self) -> StoreResult<u64> {
        versions::remove_incomplete(&self.pool).await
    }

    /// Waits for the start-up lock (a PostgreSQL advisory lock): replicas starting together
    /// take turns at what must happen once, such as installing the bundled dataset. The lock
    /// dies with the connection if the process does.
    pub async fn start_up_lock(&self) -> StoreResult<StartUpLock> {
        let mut conn = self.pool.acquire().await?;
        // Never back to the pool: an error before `release` must not leave it locked.
        conn.close_on_drop();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(START_UP_LOCK)
            .execute(&mut *conn)
            .await?;
        Ok(StartUpLock { conn })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The advisory lock key of [`PgStore::start_up_lock`] ("tallylab" as bytes, truncated).
const START_UP_LOCK: i64 = 0x7461_6c6c_796c_6162;

/// Held while a replica does its start-up work; see [`PgStore::start_up_lock`].
pub struct StartUpLock {
    conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
}

impl StartUpLock {
    /// Lets the next replica start.
    pub async fn release(mut self) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(START_UP_LOCK)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

/// Text the server did not choose (a model's raw answer, an error message, a response body)
/// as PostgreSQL can store it: a NUL, which SQLite keeps and PostgreSQL refuses in `TEXT`,
/// becomes U+FFFD, so a model that answers one fails its trial, not the run. JSON columns
/// need nothing: serde writes a NUL as `\u0000`.
fn storable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A `u64` count or position as PostgreSQL's `BIGINT`.
fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Parses a status column written from one of the `shared` status enums.
fn parse_status<T: FromStr<Err = String>>(text: &str) -> StoreResult<T> {
    text.parse().map_err(StoreError::Corrupt)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_nul_becomes_the_replacement_character() {
        assert_eq!(super::storable("a\0b"), "a\u{FFFD}b");
        assert!(matches!(
            super::storable("ab"),
            std::borrow::Cow::Borrowed("ab")
        ));
    }
}
