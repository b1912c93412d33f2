//! Rows of accounts: users, one-time codes, sessions, personal access tokens, IP events, the mail
//! outbox and rate-limit counters. Rules (expiry, attempts, what counts as a new network) live in
//! `atelier-app`; this module reads and writes rows, each change that must not race in one
//! statement.

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

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.language, u.roles, \
     u.marketing_opt_in, u.created_at, u.policy_version_seen";

fn user_from_row(row: &AnyRow) -> Result<UserRow, sqlx::Error> {
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

/// An IP event (C2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpEventRow {
    /// Id.
    pub id: String,
    /// The user, when known.
    pub user_id: Option<String>,
    /// `signup`, `sign_in` or `session`.
    pub kind: String,
    /// The client address.
    pub ip: String,
    /// Its network (/24 or /48).
    pub network: String,
    /// When.
    pub created_at: UnixMillis,
}

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Id; also the Message-ID's local part.
    pub id: String,
    /// Mail kind (template name).
    pub kind: String,
    /// The user it concerns, if any.
    pub user_id: Option<String>,
    /// Recipient.
    pub to_address: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// HTML body.
    pub html_body: String,
    /// Extra headers as a JSON array of pairs.
    pub headers: String,
    /// When it was queued.
    pub created_at: UnixMillis,
    /// After this the message is useless (an expired code) and is dropped unsent.
    pub expires_at: Option<UnixMillis>,
}

impl Store {
    // --- users -----------------------------------------------------------------------------

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

    // --- one-time codes --------------------------------------------------------------------

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

    // --- sessions --------------------------------------------------------------------------

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

    // --- personal access tokens ------------------------------------------------------------

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

    // --- IP events (C2) --------------------------------------------------------------------

    /// Records an IP event.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_ip_event(&self, e: &IpEventRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO ip_events (id, user_id, kind, ip, network, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(&e.kind)
        .bind(&e.ip)
        .bind(&e.network)
        .bind(e.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether the user has any IP event, and whether one of them is from `network`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn ip_history(&self, user_id: &str, network: &str) -> Result<(bool, bool), DbError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, \
             COALESCE(SUM(CASE WHEN network = $2 THEN 1 ELSE 0 END), 0) AS same \
             FROM ip_events WHERE user_id = $1",
        )
        .bind(user_id)
        .bind(network)
        .fetch_one(self.pool())
        .await?;
        let total: i64 = row.try_get("total")?;
        let same: i64 = row.try_get("same")?;
        Ok((total > 0, same > 0))
    }

    /// A user's IP events, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn ip_events_of_user(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<IpEventRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, ip, network, created_at FROM ip_events WHERE user_id = $1 \
             ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IpEventRow {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    kind: r.try_get("kind")?,
                    ip: r.try_get("ip")?,
                    network: r.try_get("network")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Removes IP events recorded before `before`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_ip_events_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM ip_events WHERE created_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    // --- mail outbox -----------------------------------------------------------------------

    /// Queues a message.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_outbox(&self, m: &OutboxRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO mail_outbox (id, kind, user_id, to_address, subject, text_body, html_body, \
             headers, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&m.id)
        .bind(&m.kind)
        .bind(&m.user_id)
        .bind(&m.to_address)
        .bind(&m.subject)
        .bind(&m.text_body)
        .bind(&m.html_body)
        .bind(&m.headers)
        .bind(m.created_at)
        .bind(m.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A queued message.
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox(&self, id: &str) -> Result<Option<OutboxRow>, DbError> {
        let row = sqlx::query(
            "SELECT id, kind, user_id, to_address, subject, text_body, html_body, headers, \
             created_at, expires_at FROM mail_outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok::<_, sqlx::Error>(OutboxRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                user_id: r.try_get("user_id")?,
                to_address: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                text_body: r.try_get("text_body")?,
                html_body: r.try_get("html_body")?,
                headers: r.try_get("headers")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
        .map_err(DbError::from)
    }

    /// Removes a message (sent, or given up on): sent mail is never kept with its address.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_outbox(&self, id: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM mail_outbox WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes messages queued before `before` or expired by `now` (undeliverable leftovers).
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_stale_outbox(
        &self,
        before: UnixMillis,
        now: UnixMillis,
    ) -> Result<u64, DbError> {
        let done = sqlx::query(
            "DELETE FROM mail_outbox WHERE created_at < $1 OR (expires_at IS NOT NULL AND expires_at <= $2)",
        )
        .bind(before)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Messages in the outbox (for `doctor` and tests).
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox_count(&self) -> Result<i64, DbError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    // --- rate limits -----------------------------------------------------------------------

    /// Counts one hit of `key` in the window starting at `window_start`; returns the hits so far.
    ///
    /// # Errors
    /// On database failure.
    pub async fn hit_rate_limit(
        &self,
        key: &str,
        window_start: UnixMillis,
    ) -> Result<i64, DbError> {
        let row = sqlx::query(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
             RETURNING hits",
        )
        .bind(key)
        .bind(window_start)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("hits")?)
    }

    /// Removes counters of windows that started before `before`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_rate_limits_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
