//! One-time codes (and sign-in magic links): only the latest one for an address and purpose
//! works, wrong tries are counted, and consuming one is single-use.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    /// Signing in (or up).
    SignIn,
    /// Confirming a new email address.
    EmailChange,
}

impl ChallengePurpose {
    const fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::EmailChange => "email_change",
        }
    }
}

/// A pending one-time code (and, for sign-in, its magic link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    /// Id, also the salt of the code hash.
    pub id: String,
    /// The address the code was sent to.
    pub email: String,
    /// The user changing their address (email change only).
    pub user_id: Option<String>,
    /// SHA-256 of id and code.
    pub code_hash: String,
    /// SHA-256 of the magic-link token.
    pub link_hash: Option<String>,
    /// SHA-256 of the nonce cookie of the browser that asked.
    pub browser_hash: Option<String>,
    /// Language the mail was sent in.
    pub language: String,
    /// Wrong codes tried so far.
    pub attempts: i64,
    /// When it was issued.
    pub created_at: UnixMillis,
    /// When it stops working.
    pub expires_at: UnixMillis,
}

fn challenge_from_row(row: &AnyRow) -> Result<ChallengeRow, sqlx::Error> {
    Ok(ChallengeRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        user_id: row.try_get("user_id")?,
        code_hash: row.try_get("code_hash")?,
        link_hash: row.try_get("link_hash")?,
        browser_hash: row.try_get("browser_hash")?,
        language: row.try_get("language")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

const CHALLENGE_COLUMNS: &str = "id, email, user_id, code_hash, link_hash, browser_hash, language, \
     attempts, created_at, expires_at";

impl Store {
    /// Stores a new challenge, voiding every earlier one for the same address and purpose (and,
    /// for an email change, every earlier one of the same user): only the latest code works.
    ///
    /// # Errors
    /// On database failure.
    pub async fn replace_challenge(
        &self,
        purpose: ChallengePurpose,
        challenge: &ChallengeRow,
    ) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            sqlx::query(
                "DELETE FROM auth_challenges WHERE purpose = $1 AND (email = $2 OR user_id = $3)",
            )
            .bind(purpose.as_str())
            .bind(&challenge.email)
            .bind(&challenge.user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO auth_challenges (id, purpose, email, user_id, code_hash, link_hash, \
             browser_hash, language, attempts, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10)",
            )
            .bind(&challenge.id)
            .bind(purpose.as_str())
            .bind(&challenge.email)
            .bind(&challenge.user_id)
            .bind(&challenge.code_hash)
            .bind(&challenge.link_hash)
            .bind(&challenge.browser_hash)
            .bind(&challenge.language)
            .bind(challenge.created_at)
            .bind(challenge.expires_at)
            .execute(&mut *tx)
            .await?;
            Ok::<_, DbError>(())
        }
        .await;
        crate::store::finish_tx(tx, outcome, |()| true).await
    }

    /// The pending sign-in challenge of an address.
    ///
    /// # Errors
    /// On database failure.
    pub async fn sign_in_challenge(&self, email: &str) -> Result<Option<ChallengeRow>, DbError> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} FROM auth_challenges WHERE purpose = 'sign_in' AND email = $1 \
             ORDER BY created_at DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(challenge_from_row).transpose()?)
    }

    /// The pending email-change challenge of a user.
    ///
    /// # Errors
    /// On database failure.
    pub async fn email_change_challenge(
        &self,
        user_id: &str,
    ) -> Result<Option<ChallengeRow>, DbError> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} FROM auth_challenges WHERE purpose = 'email_change' \
             AND user_id = $1 ORDER BY created_at DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(challenge_from_row).transpose()?)
    }

    /// The sign-in challenge a magic link's token belongs to.
    ///
    /// # Errors
    /// On database failure.
    pub async fn challenge_by_link(
        &self,
        link_hash: &str,
    ) -> Result<Option<ChallengeRow>, DbError> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} FROM auth_challenges WHERE purpose = 'sign_in' AND link_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(link_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(challenge_from_row).transpose()?)
    }

    /// Counts a wrong code; returns the attempts so far (0 when the challenge is gone).
    ///
    /// # Errors
    /// On database failure.
    pub async fn count_challenge_failure(&self, id: &str) -> Result<i64, DbError> {
        let row = sqlx::query(
            "UPDATE auth_challenges SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("attempts"))
            .transpose()?
            .unwrap_or(0))
    }

    /// Removes a challenge; `true` only for the one caller that removed it (single use).
    ///
    /// # Errors
    /// On database failure.
    pub async fn consume_challenge(&self, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM auth_challenges WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes challenges that expired before `now`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_expired_challenges(&self, now: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM auth_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
