//! The PostgreSQL server the tests run on when `TALLYLAB_TEST_POSTGRES` names one (set by
//! `scripts/with-postgres.sh`): a new database per test app, and the same pokes at the
//! database the SQLite tests make through the file.

use sqlx::Connection;

/// The test server's URL (a superuser on its `postgres` database), when there is one.
pub fn server() -> Option<String> {
    std::env::var("TALLYLAB_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Creates an empty database on the server `server_url` names; its URL.
pub async fn fresh_database(server_url: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .expect("connect to the test PostgreSQL server");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    conn.close().await.ok();
    let (base, _) = server_url
        .rsplit_once('/')
        .expect("a PostgreSQL URL ends with its database");
    format!("{base}/{name}")
}

/// Runs one statement on the database at `url`; how many rows it changed.
pub async fn execute(url: &str, sql: &str) -> u64 {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to the test database");
    let changed = sqlx::raw_sql(sql)
        .execute(&mut conn)
        .await
        .expect("run the statement")
        .rows_affected();
    conn.close().await.ok();
    changed
}

/// Makes every insert of a trial outcome fail with [`crate::STORAGE_FAILURE`], as
/// [`crate::break_trial_storage`] does on SQLite.
pub async fn break_trial_storage(url: &str) {
    execute(
        url,
        &format!(
            "CREATE FUNCTION tallylab_test_storage_fails() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION '{}'; END $$;
             CREATE TRIGGER tallylab_test_storage_fails BEFORE INSERT ON experiment_records
             FOR EACH ROW EXECUTE FUNCTION tallylab_test_storage_fails();",
            crate::STORAGE_FAILURE
        ),
    )
    .await;
}
