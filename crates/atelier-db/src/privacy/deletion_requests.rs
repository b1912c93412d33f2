//! Deletion requests (D3): an account asks to be deleted, may withdraw within the grace period,
//! and the request is carried out once due. One pending request per account.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A pending account deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRequestRow {
    /// The account.
    pub user_id: String,
    /// `self` (asked in the app) or `admin` (entered by an admin for a request by mail).
    pub source: String,
    /// When it was asked for.
    pub requested_at: UnixMillis,
    /// When it will be carried out.
    pub due_at: UnixMillis,
}

fn deletion_from_row(r: &AnyRow) -> Result<DeletionRequestRow, sqlx::Error> {
    Ok(DeletionRequestRow {
        user_id: r.try_get("user_id")?,
        source: r.try_get("source")?,
        requested_at: r.try_get("requested_at")?,
        due_at: r.try_get("due_at")?,
    })
}

impl Store {
    /// Records a deletion request, or returns the one already pending (it keeps its due date).
    ///
    /// # Errors
    /// A database error.
    pub async fn request_deletion(
        &self,
        row: &DeletionRequestRow,
    ) -> Result<DeletionRequestRow, DbError> {
        sqlx::query(
            "INSERT INTO deletion_requests (user_id, source, requested_at, due_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&row.user_id)
        .bind(&row.source)
        .bind(row.requested_at)
        .bind(row.due_at)
        .execute(self.pool())
        .await?;
        self.deletion_request(&row.user_id)
            .await?
            .ok_or(DbError::NotFound)
    }

    /// A user's pending deletion request.
    ///
    /// # Errors
    /// A database error.
    pub async fn deletion_request(
        &self,
        user_id: &str,
    ) -> Result<Option<DeletionRequestRow>, DbError> {
        let row = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(deletion_from_row).transpose()?)
    }

    /// Withdraws a pending deletion request; `false` when there was none.
    ///
    /// # Errors
    /// A database error.
    pub async fn withdraw_deletion(&self, user_id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM deletion_requests WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletion requests due at `now`, the oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn due_deletions(
        &self,
        now: UnixMillis,
        limit: i64,
    ) -> Result<Vec<DeletionRequestRow>, DbError> {
        let rows = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests \
             WHERE due_at <= $1 ORDER BY due_at, user_id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(deletion_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Every pending deletion request, the oldest first (admins, `doctor`).
    ///
    /// # Errors
    /// A database error.
    pub async fn pending_deletions(&self) -> Result<Vec<DeletionRequestRow>, DbError> {
        let rows = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests \
             ORDER BY requested_at, user_id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(deletion_from_row)
            .collect::<Result<_, _>>()?)
    }
}
