//! The embedded default: SQLite through sqlx, WAL mode, migrations run at open. Each role
//! of the store is implemented in its own file.

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

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::{StoreError, StoreResult};

/// SQLite-backed store (implements every role trait of [`super::Store`]).
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a commit survives a process crash; only an OS crash can lose
            // the last transactions, and it never corrupts the database.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            // After a checkpoint the WAL is cut back to this size: without it the file keeps
            // the size of its largest burst (hundreds of MB after a big upload or run).
            .pragma("journal_size_limit", (64 << 20).to_string())
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // An embedded file cannot drop a connection the way a server can, and the ping
            // before every acquire was a round trip to the connection's thread (~3 % of a
            // run's CPU in a profile).
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(sqlx::Error::Migrate(Box::new(e))))?;
        let removed = versions::remove_incomplete(&pool).await?;
        if removed > 0 {
            tracing::warn!(removed, "removed dataset versions a crash left incomplete");
        }
        Ok(SqliteStore { pool })
    }

    /// Opens an existing database at `url` to read only: no file created, no migration,
    /// no clean-up, so a server using it meanwhile is never disturbed (the command line's
    /// `--baseline` reads a server's experiments this way).
    pub async fn open_read_only(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Parses a status column written from one of the `shared` status enums.
fn parse_status<T: FromStr<Err = String>>(text: &str) -> StoreResult<T> {
    text.parse().map_err(StoreError::Corrupt)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compact;
#[cfg(test)]
mod tests_labels;
