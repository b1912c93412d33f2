//! Prepared exports: the `exports` rows of ZIP archives built in the background, from queued to
//! ready (or failed) to expired and deleted.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// An export prepared in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// `queued`, `ready` or `failed`.
    pub status: String,
    /// Size of the ZIP once ready.
    pub byte_size: Option<i64>,
    /// When asked for.
    pub created_at: UnixMillis,
    /// When the file and its link stop working.
    pub expires_at: UnixMillis,
}

const EXPORT_COLUMNS: &str = "id, user_id, status, byte_size, created_at, expires_at";

fn export_from_row(r: &AnyRow) -> Result<ExportRow, sqlx::Error> {
    Ok(ExportRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        status: r.try_get("status")?,
        byte_size: r.try_get("byte_size")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

impl Store {
    /// Records a background export.
    ///
    /// # Errors
    /// Database failures (a foreign-key error when the user is gone).
    pub async fn insert_export(&self, e: &ExportRow) -> Result<(), DbError> {
        let sql = format!("INSERT INTO exports ({EXPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&e.id)
            .bind(&e.user_id)
            .bind(&e.status)
            .bind(e.byte_size)
            .bind(e.created_at)
            .bind(e.expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// One export of the user; `None` when absent or someone else's.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_of_user(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<ExportRow>, DbError> {
        let sql = format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(export_from_row).transpose()?)
    }

    /// One export by id.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_by_id(&self, id: &str) -> Result<Option<ExportRow>, DbError> {
        let sql = format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(export_from_row).transpose()?)
    }

    /// The user's exports, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn exports_of_user(&self, user_id: &str) -> Result<Vec<ExportRow>, DbError> {
        let sql = format!(
            "SELECT {EXPORT_COLUMNS} FROM exports WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(export_from_row).collect::<Result<_, _>>()?)
    }

    /// Sets an export's status, its size once ready, and when it expires.
    ///
    /// # Errors
    /// Database failures.
    pub async fn finish_export(
        &self,
        id: &str,
        status: &str,
        byte_size: Option<i64>,
        expires_at: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE exports SET status = $2, byte_size = $3, expires_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(byte_size)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Exports that expired at `now`: `(id, user_id)`, at most `limit`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn expired_exports(
        &self,
        now: UnixMillis,
        limit: i64,
    ) -> Result<Vec<(String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id FROM exports WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("user_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Deletes an export row.
    ///
    /// # Errors
    /// Database failures.
    pub async fn delete_export(&self, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM exports WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
