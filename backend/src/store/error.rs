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
            // The primary result code (the low byte of an extended code).
            let primary = db
                .code()
                .and_then(|c| c.parse::<i64>().ok())
                .map(|c| c & 0xff);
            match primary {
                // SQLITE_BUSY, SQLITE_LOCKED.
                Some(5 | 6) => return StoreError::Busy(db.message().to_string()),
                // SQLITE_IOERR, SQLITE_FULL: a write past the end of the disk comes back as
                // one or the other.
                Some(10 | 13) => return StoreError::Unwritable(db.message().to_string()),
                _ => {}
            }
            if db.is_unique_violation() {
                return StoreError::Conflict(format!("already exists: {}", db.message()));
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return StoreError::Busy("no database connection became free in time".into());
        }
        StoreError::Database(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
