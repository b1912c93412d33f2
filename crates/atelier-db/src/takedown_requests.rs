//! Creators' takedown requests (issue 19, C7): asked by anyone, answered by staff.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A takedown request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakedownRequestRow {
    /// Id.
    pub id: String,
    /// The post to remove.
    pub source_url: String,
    /// Where to answer; cleared some days after the answer.
    pub contact_email: Option<String>,
    /// The language to answer in.
    pub language: String,
    /// Why, in the requester's words.
    pub reason: String,
    /// `open`, `removed` or `declined`.
    pub status: String,
    /// Items removed by the answer.
    pub removed: i64,
    /// When it was asked.
    pub created_at: UnixMillis,
    /// When it was answered.
    pub closed_at: Option<UnixMillis>,
    /// The staff member who answered.
    pub closed_by: Option<String>,
}

const COLUMNS: &str = "id, source_url, contact_email, language, reason, status, removed, \
     created_at, closed_at, closed_by";

fn from_row(r: &AnyRow) -> Result<TakedownRequestRow, sqlx::Error> {
    Ok(TakedownRequestRow {
        id: r.try_get("id")?,
        source_url: r.try_get("source_url")?,
        contact_email: r.try_get("contact_email")?,
        language: r.try_get("language")?,
        reason: r.try_get("reason")?,
        status: r.try_get("status")?,
        removed: r.try_get("removed")?,
        created_at: r.try_get("created_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
    })
}

impl Store {
    /// Files a request.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_takedown_request(&self, r: &TakedownRequestRow) -> Result<(), DbError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO takedown_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(&r.id)
        .bind(&r.source_url)
        .bind(&r.contact_email)
        .bind(&r.language)
        .bind(&r.reason)
        .bind(&r.status)
        .bind(r.removed)
        .bind(r.created_at)
        .bind(r.closed_at)
        .bind(&r.closed_by)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Requests, the open ones first (oldest first), then the answered (newest first), at most
    /// `limit`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn takedown_requests(&self, limit: i64) -> Result<Vec<TakedownRequestRow>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM takedown_requests ORDER BY \
             CASE WHEN status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN status = 'open' THEN created_at ELSE -COALESCE(closed_at, 0) END, id \
             LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One request.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id.
    pub async fn takedown_request(&self, id: &str) -> Result<TakedownRequestRow, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM takedown_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(DbError::NotFound)?;
        Ok(from_row(&row)?)
    }

    /// Answers an open request; `false` when it was answered already.
    ///
    /// # Errors
    /// On database failure.
    pub async fn close_takedown_request(
        &self,
        id: &str,
        status: &str,
        removed: i64,
        by: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE takedown_requests SET status = $2, removed = $3, closed_by = $4, \
             closed_at = $5 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(status)
        .bind(removed)
        .bind(by)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Clears the contact address of requests answered before `before`; returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn forget_takedown_contacts(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query(
            "UPDATE takedown_requests SET contact_email = NULL \
             WHERE status <> 'open' AND closed_at < $1 AND contact_email IS NOT NULL",
        )
        .bind(before)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
