//! Retention (SEC4): when each retention job last ran and what it removed, and the oldest and
//! overdue rows that `doctor` checks the periods against.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// When a retention job last ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRunRow {
    /// The job's name.
    pub job: String,
    /// Its last run.
    pub last_run_at: UnixMillis,
    /// What that run removed.
    pub removed: i64,
}

impl Store {
    /// Records a retention job's run.
    ///
    /// # Errors
    /// A database error.
    pub async fn record_retention_run(
        &self,
        job: &str,
        at: UnixMillis,
        removed: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO retention_runs (job, last_run_at, removed) VALUES ($1, $2, $3) \
             ON CONFLICT (job) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, \
             removed = EXCLUDED.removed",
        )
        .bind(job)
        .bind(at)
        .bind(removed)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every retention job's last run.
    ///
    /// # Errors
    /// A database error.
    pub async fn retention_runs(&self) -> Result<Vec<RetentionRunRow>, DbError> {
        let rows = sqlx::query("SELECT job, last_run_at, removed FROM retention_runs ORDER BY job")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RetentionRunRow {
                    job: r.try_get("job")?,
                    last_run_at: r.try_get("last_run_at")?,
                    removed: r.try_get("removed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// The oldest creation time in `table`'s `column`, for `doctor` (the names are the caller's
    /// constants, never input).
    ///
    /// # Errors
    /// A database error.
    pub async fn oldest(
        &self,
        table: &'static str,
        column: &'static str,
    ) -> Result<Option<UnixMillis>, DbError> {
        let sql = format!("SELECT MIN({column}) FROM {table}");
        let at: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.pool())
            .await?;
        Ok(at)
    }

    /// Rows of `table` whose `column` is before `before` (for `doctor`; names are constants).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_before(
        &self,
        table: &'static str,
        column: &'static str,
        before: UnixMillis,
    ) -> Result<i64, DbError> {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} < $1");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(before)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }
}
