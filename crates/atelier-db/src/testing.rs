//! A fresh, migrated database per test, so that tests run in parallel without sharing rows.
//!
//! SQLite by default (a file in a temp folder). When `ATELIER_TEST_DATABASE_URL` names a PostgreSQL
//! server, each test gets its own schema there instead, dropped when the test ends.

use crate::accounts::UserRow;
use crate::{DbError, PoolOptions, Store};
use atelier_core::settings::DatabaseKind;
use sqlx::Connection as _;
use sqlx::Executor as _;

/// The variable that points the whole suite at PostgreSQL.
pub const TEST_DATABASE_URL_VAR: &str = "ATELIER_TEST_DATABASE_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    /// The migrated store.
    pub store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// Creates and migrates a fresh database on the backend the environment names.
    ///
    /// # Panics
    /// When the database cannot be created: a test cannot go on without it.
    pub async fn new() -> Self {
        match std::env::var(TEST_DATABASE_URL_VAR) {
            Ok(base) if !base.is_empty() => Self::postgres(&base).await,
            _ => Self::sqlite().await,
        }
    }

    /// Runs one SQL statement as a script or a careless operator might, outside every use case:
    /// for tests that prove what the schema itself refuses (the append-only audit log). Returns
    /// the rows changed.
    ///
    /// # Errors
    /// What the database says.
    pub async fn execute(&self, sql: &str) -> Result<u64, DbError> {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// A fresh SQLite database in a temp folder.
    ///
    /// # Panics
    /// When the file cannot be created.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/test.db", dir.path().display());
        let store = Store::connect(&url, PoolOptions::default())
            .await
            .expect("connect sqlite");
        store.migrate().await.expect("migrate sqlite");
        Self {
            store,
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    async fn postgres(base: &str) -> Self {
        sqlx::any::install_default_drivers();
        let schema = format!(
            "t_{}",
            atelier_core::random_token(12)
                .to_lowercase()
                .replace('-', "_")
        );
        let mut admin = sqlx::AnyConnection::connect(base)
            .await
            .expect("connect postgres");
        let create = format!("CREATE SCHEMA \"{schema}\"");
        admin
            .execute(sqlx::AssertSqlSafe(create))
            .await
            .expect("create schema");
        admin.close().await.ok();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::connect(
            &url,
            PoolOptions {
                max_connections: 8,
                ..PoolOptions::default()
            },
        )
        .await
        .expect("connect postgres schema");
        store.migrate().await.expect("migrate postgres");
        Self {
            store,
            url,
            _dir: None,
            postgres: Some((base.to_owned(), schema)),
        }
    }

    /// The URL of this database, for a second store or a child process on the same data.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend the test runs on.
    #[must_use]
    pub fn kind(&self) -> DatabaseKind {
        self.store.kind()
    }

    /// Adds the account `id` at `email` straight to the database (English, the `user` role, no
    /// marketing mail, created at 0), for a test that needs a user without signing one in.
    ///
    /// # Panics
    /// When the row cannot be written (an address already taken, for one).
    pub async fn insert_user(&self, id: &str, email: &str) {
        self.store
            .insert_user(&UserRow {
                id: id.into(),
                email: email.into(),
                display_name: None,
                language: "en".into(),
                roles: "user".into(),
                marketing_opt_in: false,
                created_at: 0,
                policy_version_seen: 0,
            })
            .await
            .expect("insert a test user");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, schema)) = self.postgres.take() else {
            return;
        };
        // Drop the schema from a thread of its own: Drop cannot await, and the test's runtime may
        // be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&base).await {
                    let drop_sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    let _ = conn.execute(sqlx::AssertSqlSafe(drop_sql)).await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}
