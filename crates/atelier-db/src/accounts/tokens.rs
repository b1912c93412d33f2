//! Personal access tokens for the API: stored by hash, looked up together with their user,
//! listed and revoked by the user, removed when expired.

use super::users::{USER_COLUMNS, UserRow, user_from_row};
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A personal access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRow {
    /// Id (not the token).
    pub id: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Owner.
    pub user_id: String,
    /// The name the user gave it.
    pub name: String,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last use, if any.
    pub last_used_at: Option<UnixMillis>,
    /// Expiry, if any.
    pub expires_at: Option<UnixMillis>,
}

fn token_from_row(row: &AnyRow) -> Result<AccessTokenRow, sqlx::Error> {
    Ok(AccessTokenRow {
        id: row.try_get("t_id")?,
        token_hash: row.try_get("t_token_hash")?,
        user_id: row.try_get("t_user_id")?,
        name: row.try_get("t_name")?,
        created_at: row.try_get("t_created_at")?,
        last_used_at: row.try_get("t_last_used_at")?,
        expires_at: row.try_get("t_expires_at")?,
    })
}

const TOKEN_COLUMNS: &str = "t.id AS t_id, t.token_hash AS t_token_hash, t.user_id AS t_user_id, \
     t.name AS t_name, t.created_at AS t_created_at, t.last_used_at AS t_last_used_at, \
     t.expires_at AS t_expires_at";

impl Store {
    /// Stores a new token.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_access_token(&self, t: &AccessTokenRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO access_tokens (id, token_hash, user_id, name, created_at, last_used_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.id)
        .bind(&t.token_hash)
        .bind(&t.user_id)
        .bind(&t.name)
        .bind(t.created_at)
        .bind(t.last_used_at)
        .bind(t.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The token with this hash and its user.
    ///
    /// # Errors
    /// On database failure.
    pub async fn access_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(AccessTokenRow, UserRow)>, DbError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM access_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|r| Ok::<_, sqlx::Error>((token_from_row(&r)?, user_from_row(&r)?)))
            .transpose()?)
    }

    /// Records a token's use.
    ///
    /// # Errors
    /// On database failure.
    pub async fn touch_access_token(&self, id: &str, now: UnixMillis) -> Result<(), DbError> {
        sqlx::query("UPDATE access_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A user's tokens, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn access_tokens_of_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<AccessTokenRow>, DbError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM access_tokens t WHERE t.user_id = $1 \
             ORDER BY t.created_at DESC, t.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
    }

    /// Revokes one of a user's tokens; `false` when it is not theirs or already gone.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_access_token(&self, user_id: &str, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM access_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes tokens past their expiry.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_expired_access_tokens(&self, now: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query(
            "DELETE FROM access_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
