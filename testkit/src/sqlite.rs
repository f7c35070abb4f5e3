//! What tests do to a server's SQLite database behind its back: break trial storage, hold
//! its write lock, run a statement, check its integrity.

use std::path::Path;

use sqlx::Connection;

/// The message every trial insert fails with after [`break_trial_storage`].
pub const STORAGE_FAILURE: &str = "storage unavailable (test)";

/// A connection of our own to the SQLite database at `database`.
async fn open(database: &Path) -> sqlx::SqliteConnection {
    let url = format!("sqlite://{}", database.display());
    sqlx::SqliteConnection::connect(&url)
        .await
        .expect("open the server's database")
}

/// Makes every later insert of a trial outcome into the SQLite database at `database`
/// fail, as a full disk or a broken database would: the server's own connections see the
/// trigger at their next statement.
pub async fn break_trial_storage(database: &Path) {
    execute_sql(
        database,
        &format!(
            "CREATE TRIGGER tallylab_test_storage_fails BEFORE INSERT ON experiment_records \
             BEGIN SELECT RAISE(ABORT, '{STORAGE_FAILURE}'); END"
        ),
    )
    .await;
}

/// A write lock held on the SQLite database at `database` by another connection, as a
/// backup tool or a second process would hold it, until dropped (or [`WriteLock::release`]).
pub struct WriteLock {
    conn: sqlx::SqliteConnection,
}

impl WriteLock {
    /// Takes the lock: `BEGIN EXCLUSIVE` (in WAL mode, readers go on; writers wait).
    pub async fn take(database: &Path) -> Self {
        let mut conn = open(database).await;
        sqlx::query("PRAGMA busy_timeout = 30000")
            .execute(&mut conn)
            .await
            .expect("busy timeout");
        sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut conn)
            .await
            .expect("take the write lock");
        WriteLock { conn }
    }

    /// Gives the lock back.
    pub async fn release(mut self) {
        sqlx::query("ROLLBACK")
            .execute(&mut self.conn)
            .await
            .expect("release the write lock");
        self.conn.close().await.ok();
    }
}

/// Runs `sql` (one statement) on a server's database and returns the rows it changed: what
/// a test uses to take away something the server stored, to see it recomputed.
pub async fn execute_sql(database: &Path, sql: &str) -> u64 {
    let mut conn = open(database).await;
    let changed = sqlx::query(sql)
        .execute(&mut conn)
        .await
        .expect("run the statement")
        .rows_affected();
    conn.close().await.ok();
    changed
}

/// `PRAGMA integrity_check` of the SQLite database at `database` ("ok" when sound).
pub async fn integrity_check(database: &Path) -> String {
    let mut conn = open(database).await;
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity_check");
    conn.close().await.ok();
    rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; ")
}
