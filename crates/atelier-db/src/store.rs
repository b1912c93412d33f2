//! Connecting, configuring and migrating the pool.

use crate::DbError;
use atelier_core::settings::DatabaseKind;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Pool sizing.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Most connections held open.
    pub max_connections: u32,
    /// How long a query waits for a free connection.
    pub acquire_timeout: Duration,
    /// Page cache of each SQLite connection, in KiB. Small for the server, whose memory stays
    /// low while the OS caches the file anyway; a bulk import wants more, since every insert
    /// walks the same index pages.
    pub sqlite_cache_kib: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            sqlite_cache_kib: 1024,
        }
    }
}

/// Most SQLite connections in a pool.
const SQLITE_MAX_CONNECTIONS: u32 = 8;

/// The database: a connection pool and the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    kind: DatabaseKind,
    /// Bumped after every write to gallery items or images made through this store (its clones
    /// share it): a cache of gallery rows on this node compares it to know it is stale.
    gallery_writes: Arc<AtomicU64>,
}

impl Store {
    /// How many writes to gallery items or images this store has made (see `gallery_writes`).
    /// Writes made by other processes or nodes reach this one through the gallery change log.
    #[must_use]
    pub fn gallery_writes(&self) -> u64 {
        self.gallery_writes.load(Ordering::Acquire)
    }

    /// Records a write to gallery items or images, after it committed (or failed).
    pub(crate) fn gallery_written(&self) {
        self.gallery_writes.fetch_add(1, Ordering::AcqRel);
    }

    /// Connects to `url` (`sqlite://path` or `postgres://…`). A SQLite file and its folder are
    /// created when missing, and every SQLite connection runs in WAL mode with foreign keys on and
    /// a busy timeout, so concurrent writers wait instead of failing.
    ///
    /// # Errors
    /// When the URL cannot be used or the database does not answer.
    pub async fn connect(url: &str, options: PoolOptions) -> Result<Self, DbError> {
        install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            DatabaseKind::Postgres
        };
        let url = match kind {
            DatabaseKind::Sqlite => prepare_sqlite_url(url)?,
            DatabaseKind::Postgres => url.to_owned(),
        };
        // SQLite keeps a page cache per connection inside the process; a few small caches keep
        // the embedded server's memory low (the OS caches the file anyway), and one writer at a
        // time needs no more connections than the cores can use.
        let max_connections = match kind {
            DatabaseKind::Sqlite => options.max_connections.min(SQLITE_MAX_CONNECTIONS),
            DatabaseKind::Postgres => options.max_connections,
        };
        // Negative: KiB rather than pages.
        let cache_pragma = format!("PRAGMA cache_size = -{}", options.sqlite_cache_kib.max(64));
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .idle_timeout(Some(Duration::from_secs(60)))
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let cache_pragma = cache_pragma.clone();
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute(sqlx::AssertSqlSafe(cache_pragma)).await?;
                    } else {
                        // Our statements are short lookups by key. PostgreSQL's JIT compiler
                        // starts once a plan's estimated cost passes `jit_above_cost`, which
                        // a table that has never been analyzed reaches easily: it then spent
                        // ~48 ms compiling a 1 ms read of 500 items' images, on every read.
                        conn.execute("SET jit = off").await?;
                        // Plans for the values at hand. After five runs of a prepared
                        // statement PostgreSQL may switch to a generic plan, which for our
                        // `IN (…)` lists of ids guesses a large share of the table (without
                        // statistics, e.g. when autovacuum is off) and chose a parallel scan of
                        // every image for the 24 items of a gallery page: 130 ms instead of
                        // 0.2 ms. Planning these short statements each time costs far less.
                        conn.execute("SET plan_cache_mode = force_custom_plan")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            kind,
            gallery_writes: Arc::default(),
        })
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    ///
    /// # Errors
    /// When a migration fails or the database's history disagrees with the embedded one.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.kind {
            DatabaseKind::Sqlite => &SQLITE_MIGRATIONS,
            DatabaseKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// When it does not.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Which backend this store talks to.
    #[must_use]
    pub const fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that a transaction which reads before it writes waits for other
    /// writers (busy timeout) instead of failing when its snapshot goes stale.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DatabaseKind::Postgres => self.pool.begin().await,
        }
    }

    /// How many write transactions of one bulk job (an import's batches) are worth running at
    /// once: 1 on SQLite, which serializes writers; 2 on PostgreSQL, where each runs in its own
    /// server process (a PostgreSQL import written one batch at a time kept one of the two
    /// cores of a small machine busy and left the other idle).
    #[must_use]
    pub const fn write_parallelism(&self) -> usize {
        match self.kind {
            DatabaseKind::Sqlite => 1,
            DatabaseKind::Postgres => 2,
        }
    }

    /// The pool, for the aggregate modules of this crate.
    pub(crate) const fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection; waits for queries in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Ends a transaction as soon as its work is done: commit when `keep` says the outcome wrote
/// something to keep, roll back otherwise (an error, or a refusal). Never leaves the transaction
/// to be rolled back lazily — on PostgreSQL that would hold its row locks until the pooled
/// connection is used again.
pub(crate) async fn finish_tx<T>(
    tx: sqlx::Transaction<'static, sqlx::Any>,
    outcome: Result<T, DbError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, DbError> {
    match outcome {
        Ok(value) if keep(&value) => {
            tx.commit().await?;
            Ok(value)
        }
        Ok(value) => {
            tx.rollback().await?;
            Ok(value)
        }
        Err(e) => {
            // The error matters more than a failed rollback (the connection is then discarded).
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// Creates the folder of a SQLite file and asks the driver to create the file if missing.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parent = std::path::Path::new(path).parent();
    if let Some(parent) = parent.filter(|p| path != ":memory:" && !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            DbError::Sqlx(sqlx::Error::Configuration(
                format!("cannot create the database folder: {e}").into(),
            ))
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// `n` bind markers for values `first..first + n` of a statement: `$first, $first+1, …` on
/// PostgreSQL; anonymous `?` on SQLite, where sqlx looks every numbered marker's name up in a
/// linear list — quadratic in the markers of a statement, which dominated bulk statements of a
/// few hundred values. On SQLite the markers must therefore be the statement's only ones, in
/// the order of the values.
pub(crate) fn markers(kind: DatabaseKind, first: usize, n: usize) -> String {
    match kind {
        DatabaseKind::Sqlite => vec!["?"; n].join(", "),
        DatabaseKind::Postgres => (first..first + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite://:memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite://:memory:?cache=shared").unwrap(),
            "sqlite://:memory:?cache=shared&mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite://:memory:?mode=ro").unwrap(),
            "sqlite://:memory:?mode=ro"
        );
    }

    #[tokio::test]
    async fn sqlite_file_and_folder_are_created_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/atelier.db");
        let store = Store::connect(
            &format!("sqlite://{}", path.display()),
            PoolOptions::default(),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap(); // idempotent
        store.ping().await.unwrap();
        assert!(path.exists());
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode.0.to_lowercase(), "wal");
    }
}
