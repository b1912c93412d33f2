//! Users: the account row itself, looked up by address or id, and its settings. Sessions and
//! tokens join to it, so its columns and row mapping are shared with them.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Normalized email address (unique).
    pub email: String,
    /// Optional display name.
    pub display_name: Option<String>,
    /// Language tag (`en`, `zh-CN`).
    pub language: String,
    /// Comma-separated roles, always including `user`.
    pub roles: String,
    /// Whether marketing mail may be sent.
    pub marketing_opt_in: bool,
    /// Creation time.
    pub created_at: UnixMillis,
    /// The privacy policy version the user last opened (P1; 0: none). Written only by
    /// `mark_policy_seen`.
    pub policy_version_seen: i64,
}

pub(super) const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.language, u.roles, \
     u.marketing_opt_in, u.created_at, u.policy_version_seen";

pub(super) fn user_from_row(row: &AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        language: row.try_get("language")?,
        roles: row.try_get("roles")?,
        marketing_opt_in: row.try_get::<i64, _>("marketing_opt_in")? != 0,
        created_at: row.try_get("created_at")?,
        policy_version_seen: row.try_get("policy_version_seen")?,
    })
}

impl Store {
    /// The user with this (normalized) address.
    ///
    /// # Errors
    /// On database failure.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, DbError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    /// The user with this id.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when there is none.
    pub async fn user(&self, id: &str) -> Result<UserRow, DbError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        Ok(user_from_row(&row)?)
    }

    /// Adds a user.
    ///
    /// # Errors
    /// [`DbError::Conflict`] when the address is taken.
    pub async fn insert_user(&self, user: &UserRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, language, roles, marketing_opt_in, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(&user.language)
        .bind(&user.roles)
        .bind(i64::from(user.marketing_opt_in))
        .bind(user.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Writes a user's settings (display name, language, marketing opt-in, roles).
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the user is gone.
    pub async fn update_user(&self, user: &UserRow, now: UnixMillis) -> Result<(), DbError> {
        let done = sqlx::query(
            "UPDATE users SET display_name = $2, language = $3, roles = $4, marketing_opt_in = $5, \
             updated_at = $6 WHERE id = $1",
        )
        .bind(&user.id)
        .bind(&user.display_name)
        .bind(&user.language)
        .bind(&user.roles)
        .bind(i64::from(user.marketing_opt_in))
        .bind(now)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }

    /// Changes a user's address.
    ///
    /// # Errors
    /// [`DbError::Conflict`] when another account has it, [`DbError::NotFound`] when the user is
    /// gone.
    pub async fn set_user_email(
        &self,
        id: &str,
        email: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let done = sqlx::query("UPDATE users SET email = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(email)
            .bind(now)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }
}

impl Store {
    /// Users whose address contains `q` (case-insensitive), or whose id is `q`; everyone when `q`
    /// is empty. Newest first, before the `(created_at, id)` cursor when given.
    ///
    /// # Errors
    /// On database failure.
    pub async fn search_users(
        &self,
        q: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<UserRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        // `%` and `_` in the query are matched as themselves.
        let pattern = format!(
            "%{}%",
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u \
             WHERE ($1 = '' OR LOWER(u.email) LIKE $2 ESCAPE '\\' OR u.id = $1) \
             AND (u.created_at < $3 OR (u.created_at = $3 AND u.id < $4) OR $4 = '') \
             ORDER BY u.created_at DESC, u.id DESC LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(q)
            .bind(pattern)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    /// Replaces a user's roles (stored as [`atelier_core::Role::join`] writes them).
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown user.
    pub async fn set_user_roles(
        &self,
        user_id: &str,
        roles: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let done = sqlx::query("UPDATE users SET roles = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(roles)
            .bind(now)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }
}
