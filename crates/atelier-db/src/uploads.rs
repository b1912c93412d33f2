//! Rows of data keys and reference uploads.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A reference image a user uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// MIME type of the cleaned image.
    pub content_type: String,
    /// Width after orientation.
    pub width: i64,
    /// Height after orientation.
    pub height: i64,
    /// Size of the cleaned image in bytes (before encryption).
    pub byte_size: i64,
    /// When.
    pub created_at: UnixMillis,
}

pub(crate) fn upload_from_row(r: &AnyRow) -> Result<UploadRow, sqlx::Error> {
    Ok(UploadRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        content_type: r.try_get("content_type")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        byte_size: r.try_get("byte_size")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) const UPLOAD_COLUMNS: &str =
    "id, user_id, content_type, width, height, byte_size, created_at";

impl Store {
    /// A user's wrapped data key, if one was made.
    ///
    /// # Errors
    /// On database failure.
    pub async fn user_key(&self, user_id: &str) -> Result<Option<String>, DbError> {
        let row = sqlx::query("SELECT wrapped FROM user_keys WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("wrapped")).transpose()?)
    }

    /// Stores a user's wrapped data key unless one exists; returns the one that is stored.
    ///
    /// # Errors
    /// On database failure ([`DbError::NotFound`] when the user is gone).
    pub async fn insert_user_key(
        &self,
        user_id: &str,
        wrapped: &str,
        now: UnixMillis,
    ) -> Result<String, DbError> {
        sqlx::query(
            "INSERT INTO user_keys (user_id, wrapped, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(wrapped)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| match DbError::from(e) {
            // The user row is gone (a foreign-key failure).
            DbError::Sqlx(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                DbError::NotFound
            }
            other => other,
        })?;
        self.user_key(user_id).await?.ok_or(DbError::NotFound)
    }

    /// Destroys a user's data key (R1: every copy of their blobs becomes unreadable).
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_user_key(&self, user_id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM user_keys WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records an upload.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_upload(&self, u: &UploadRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO uploads (id, user_id, content_type, width, height, byte_size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&u.id)
        .bind(&u.user_id)
        .bind(&u.content_type)
        .bind(u.width)
        .bind(u.height)
        .bind(u.byte_size)
        .bind(u.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One of a user's uploads (another user's id is not found).
    ///
    /// # Errors
    /// [`DbError::NotFound`].
    pub async fn upload(&self, user_id: &str, id: &str) -> Result<UploadRow, DbError> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(upload_from_row(&row)?)
    }

    /// A user's uploads, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn uploads_of_user(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<UploadRow>, DbError> {
        let sql = format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(upload_from_row).collect::<Result<_, _>>()?)
    }

    /// Removes an upload row; `false` when it is not the user's or already gone.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_upload(&self, user_id: &str, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
