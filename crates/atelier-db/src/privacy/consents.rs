//! Consent (C1, D7, P1): the log of marketing opt-ins and opt-outs and of policy versions opened,
//! the flags on the user row they set, and who may be mailed.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// One consent change: marketing opt-in or opt-out, or a policy version opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEventRow {
    /// Id.
    pub id: String,
    /// The account.
    pub user_id: String,
    /// `marketing` or `policy`.
    pub kind: String,
    /// `opt_in` / `opt_out`, or the policy version.
    pub value: String,
    /// Where it happened: `signup`, `settings`, `api`, `unsubscribe_link`, `policy_page`.
    pub source: String,
    /// When.
    pub created_at: UnixMillis,
}

impl Store {
    /// Records a consent change.
    ///
    /// # Errors
    /// A database error.
    pub async fn insert_consent_event(&self, e: &ConsentEventRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO consent_events (id, user_id, kind, value, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(&e.kind)
        .bind(&e.value)
        .bind(&e.source)
        .bind(e.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A user's consent changes, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn consent_events(&self, user_id: &str) -> Result<Vec<ConsentEventRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, value, source, created_at FROM consent_events \
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConsentEventRow {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    kind: r.try_get("kind")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Sets the marketing opt-in flag alone (an unsubscribe link); `false` for an unknown user.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_marketing_opt_in(
        &self,
        user_id: &str,
        opt_in: bool,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done =
            sqlx::query("UPDATE users SET marketing_opt_in = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(i64::from(opt_in))
                .bind(now)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The policy version a user last opened (0: none).
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown user.
    pub async fn policy_version_seen(&self, user_id: &str) -> Result<i64, DbError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT policy_version_seen FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?;
        v.ok_or(DbError::NotFound)
    }

    /// Records that a user opened policy version `version`; `true` when it is newer than the one
    /// they had seen.
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_policy_seen(&self, user_id: &str, version: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE users SET policy_version_seen = $2 WHERE id = $1 AND policy_version_seen < $2",
        )
        .bind(user_id)
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Users who opted in to marketing mail (or, with `marketing_only` false, every user), by id
    /// after `after`, `limit` at a time: `(id, email, language)`.
    ///
    /// # Errors
    /// A database error.
    pub async fn mail_recipients(
        &self,
        marketing_only: bool,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT id, email, language FROM users \
             WHERE (marketing_opt_in = 1 OR $3 = 0) AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .bind(i64::from(marketing_only))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("email")?,
                    r.try_get("language")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Users who opted in to marketing mail, by id after `after`: `(id, email, language)`.
    ///
    /// # Errors
    /// A database error.
    pub async fn marketing_recipients(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        self.mail_recipients(true, after, limit).await
    }
}
