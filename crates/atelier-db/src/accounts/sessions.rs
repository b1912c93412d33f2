//! Browser sessions: stored by token hash, looked up together with their user, listed and
//! ended by the user, removed when expired or idle.

use super::users::{USER_COLUMNS, UserRow, user_from_row};
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Id (not the token).
    pub id: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Owner.
    pub user_id: String,
    /// A browser label such as "Firefox on Linux".
    pub label: String,
    /// Sign-in time.
    pub created_at: UnixMillis,
    /// Last request.
    pub last_seen_at: UnixMillis,
    /// Absolute expiry.
    pub expires_at: UnixMillis,
    /// When its use was last written as an IP event.
    pub ip_logged_at: UnixMillis,
}

fn session_from_row(row: &AnyRow) -> Result<SessionRow, sqlx::Error> {
    Ok(SessionRow {
        id: row.try_get("s_id")?,
        token_hash: row.try_get("s_token_hash")?,
        user_id: row.try_get("s_user_id")?,
        label: row.try_get("s_label")?,
        created_at: row.try_get("s_created_at")?,
        last_seen_at: row.try_get("s_last_seen_at")?,
        expires_at: row.try_get("s_expires_at")?,
        ip_logged_at: row.try_get("s_ip_logged_at")?,
    })
}

const SESSION_COLUMNS: &str = "s.id AS s_id, s.token_hash AS s_token_hash, s.user_id AS s_user_id, \
     s.label AS s_label, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, \
     s.expires_at AS s_expires_at, s.ip_logged_at AS s_ip_logged_at";

impl Store {
    /// Stores a new session.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_session(&self, s: &SessionRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, label, created_at, last_seen_at, \
             expires_at, ip_logged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(&s.token_hash)
        .bind(&s.user_id)
        .bind(&s.label)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(s.ip_logged_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session with this token hash and its user.
    ///
    /// # Errors
    /// On database failure.
    pub async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionRow, UserRow)>, DbError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|r| Ok::<_, sqlx::Error>((session_from_row(&r)?, user_from_row(&r)?)))
            .transpose()?)
    }

    /// Records a session's use.
    ///
    /// # Errors
    /// On database failure.
    pub async fn touch_session(
        &self,
        id: &str,
        last_seen_at: UnixMillis,
        ip_logged_at: UnixMillis,
    ) -> Result<(), DbError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, ip_logged_at = $3 WHERE id = $1")
            .bind(id)
            .bind(last_seen_at)
            .bind(ip_logged_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A user's sessions, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn sessions_of_user(&self, user_id: &str) -> Result<Vec<SessionRow>, DbError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 \
             ORDER BY s.last_seen_at DESC, s.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(session_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Ends one of a user's sessions; `false` when it is not theirs or already gone.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_session(&self, user_id: &str, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of a user.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_sessions_of_user(&self, user_id: &str) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes sessions past their absolute expiry or unused since `idle_before`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_expired_sessions(
        &self,
        now: UnixMillis,
        idle_before: UnixMillis,
    ) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
