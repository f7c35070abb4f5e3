//! The store's error: what went wrong in words a caller can act on (busy, full disk, not
//! found, conflict, corrupt data), each store failure counted in the metrics.

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The database is busy with other writes beyond its wait; try again shortly.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// The database file cannot grow or be written: a full disk, a file-size limit, or a
    /// disk error. Nothing half-written is kept (the transaction rolled back).
    #[error("the database cannot be written (disk full, a file-size limit or a disk error): {0}")]
    Unwritable(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database refused a value it cannot hold (PostgreSQL: a NUL character in text).
    #[error("a value cannot be stored: {0}")]
    Unstorable(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let error = Self::classify(e);
        if !matches!(error, StoreError::Conflict(_)) {
            crate::telemetry::telemetry().store_errors.inc();
        }
        error
    }
}

impl StoreError {
    fn classify(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let message = db.message().to_string();
            let code = db.code().unwrap_or_default().to_string();
            let kind = if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                postgres_kind(&code)
            } else {
                sqlite_kind(&code)
            };
            match kind {
                Some(Kind::Busy) => return StoreError::Busy(message),
                Some(Kind::Unwritable) => return StoreError::Unwritable(message),
                Some(Kind::Unstorable) => return StoreError::Unstorable(message),
                Some(Kind::Gone) => {
                    return StoreError::Conflict(format!("what this refers to is gone: {message}"))
                }
                None => {}
            }
            if db.is_unique_violation() {
                return StoreError::Conflict(format!("already exists: {message}"));
            }
        }
        match e {
            sqlx::Error::PoolTimedOut => {
                StoreError::Busy("no database connection became free in time".into())
            }
            e => StoreError::Database(e),
        }
    }
}

/// What a database error code says a caller can do.
enum Kind {
    Busy,
    Unwritable,
    Unstorable,
    /// A row refers to one removed meanwhile (another replica's clean-up).
    Gone,
}

/// SQLite's result codes: the primary code is the low byte of an extended one.
fn sqlite_kind(code: &str) -> Option<Kind> {
    match code.parse::<i64>().ok()? & 0xff {
        // SQLITE_BUSY, SQLITE_LOCKED.
        5 | 6 => Some(Kind::Busy),
        // SQLITE_IOERR, SQLITE_FULL: a write past the end of the disk comes back as one or
        // the other.
        10 | 13 => Some(Kind::Unwritable),
        _ => None,
    }
}

/// PostgreSQL's SQLSTATE codes.
fn postgres_kind(code: &str) -> Option<Kind> {
    match code {
        // serialization_failure, deadlock_detected, lock_not_available, query_canceled
        // (a statement timeout), too_many_connections, cannot_connect_now (starting up).
        "40001" | "40P01" | "55P03" | "57014" | "53300" | "57P03" => Some(Kind::Busy),
        // disk_full, insufficient_resources, io_error.
        "53100" | "53000" | "58030" => Some(Kind::Unwritable),
        // character_not_in_repertoire (a NUL in text), untranslatable_character,
        // such as an escaped NUL read as jsonb.
        "22021" | "22P05" => Some(Kind::Unstorable),
        // foreign_key_violation: an upload's version removed under it as abandoned.
        "23503" => Some(Kind::Gone),
        _ => None,
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
