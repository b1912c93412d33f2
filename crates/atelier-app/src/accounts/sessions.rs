//! Sessions and personal access tokens: looking a credential up, idle and absolute expiry, the
//! list of one's sessions, signing out (here or everywhere) and managing tokens (D1).

use super::secrets::{ACCESS_TOKEN_PREFIX, hash_token, new_access_token};
use super::{AuthVia, Client, Principal, User};
use crate::{App, AppError};
use atelier_core::clock::{HOUR_MS, MINUTE_MS};
use atelier_core::id::new_id;
use atelier_db::accounts::AccessTokenRow;

/// A session as its owner sees it: no token, no location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Id.
    pub id: String,
    /// Browser label.
    pub label: String,
    /// Sign-in time.
    pub created_at: i64,
    /// Last use.
    pub last_seen_at: i64,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// A personal access token as its owner sees it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Creation time.
    pub created_at: i64,
    /// Last use.
    pub last_used_at: Option<i64>,
    /// Expiry, if any.
    pub expires_at: Option<i64>,
}

impl From<AccessTokenRow> for AccessTokenInfo {
    fn from(t: AccessTokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        }
    }
}

/// Uses of a session closer together than this do not rewrite its last-seen time.
const TOUCH_EVERY_MS: i64 = MINUTE_MS;
/// A session's use is written as an IP event at most this often (C2).
const SESSION_IP_EVENT_EVERY_MS: i64 = HOUR_MS;
/// Longest token name.
pub const MAX_TOKEN_NAME_CHARS: usize = 80;

impl App {
    /// The user behind a session cookie's token, if the session is alive (neither idle past
    /// `accounts.session_idle_minutes` nor older than `accounts.session_absolute_days`).
    ///
    /// # Errors
    /// On database failure.
    pub async fn authenticate_session(
        &self,
        token: &str,
        client: &Client,
    ) -> Result<Option<Principal>, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let store = self.store();
        let Some((session, user)) = store.session_by_token(&hash_token(token)).await? else {
            return Ok(None);
        };
        let now = self.now_ms();
        let idle_ms = i64::from(self.settings().accounts.session_idle_minutes) * MINUTE_MS;
        if session.expires_at <= now || session.last_seen_at + idle_ms <= now {
            store.delete_session(&session.user_id, &session.id).await?;
            return Ok(None);
        }
        let log_ip = now - session.ip_logged_at >= SESSION_IP_EVENT_EVERY_MS;
        if log_ip || now - session.last_seen_at >= TOUCH_EVERY_MS {
            if log_ip {
                self.record_ip_event(Some(&user.id), "session", client)
                    .await?;
            }
            let ip_logged_at = if log_ip { now } else { session.ip_logged_at };
            store.touch_session(&session.id, now, ip_logged_at).await?;
        }
        Ok(Some(Principal {
            user: User::from(user),
            via: AuthVia::Session { id: session.id },
        }))
    }

    /// The user behind a personal access token, if it is known and not expired.
    ///
    /// # Errors
    /// On database failure.
    pub async fn authenticate_access_token(
        &self,
        token: &str,
    ) -> Result<Option<Principal>, AppError> {
        if !token.starts_with(ACCESS_TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let store = self.store();
        let Some((row, user)) = store.access_token_by_hash(&hash_token(token)).await? else {
            return Ok(None);
        };
        let now = self.now_ms();
        if row.expires_at.is_some_and(|at| at <= now) {
            store.delete_access_token(&row.user_id, &row.id).await?;
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
            store.touch_access_token(&row.id, now).await?;
        }
        Ok(Some(Principal {
            user: User::from(user),
            via: AuthVia::Token { id: row.id },
        }))
    }

    /// Ends the credential the request came with: the session, or the access token.
    ///
    /// # Errors
    /// On database failure.
    pub async fn sign_out(&self, principal: &Principal) -> Result<(), AppError> {
        match &principal.via {
            AuthVia::Session { id } => {
                self.store().delete_session(&principal.user.id, id).await?;
            }
            AuthVia::Token { id } => {
                self.store()
                    .delete_access_token(&principal.user.id, id)
                    .await?;
            }
        }
        Ok(())
    }

    /// Ends every session of the user (D1); access tokens are revoked one by one in settings.
    ///
    /// # Errors
    /// On database failure.
    pub async fn sign_out_everywhere(&self, user_id: &str) -> Result<u64, AppError> {
        Ok(self.store().delete_sessions_of_user(user_id).await?)
    }

    /// The user's live sessions, the current one marked.
    ///
    /// # Errors
    /// On database failure.
    pub async fn sessions(&self, principal: &Principal) -> Result<Vec<SessionInfo>, AppError> {
        let now = self.now_ms();
        let idle_ms = i64::from(self.settings().accounts.session_idle_minutes) * MINUTE_MS;
        let current = match &principal.via {
            AuthVia::Session { id } => Some(id.as_str()),
            AuthVia::Token { .. } => None,
        };
        Ok(self
            .store()
            .sessions_of_user(&principal.user.id)
            .await?
            .into_iter()
            .filter(|s| s.expires_at > now && s.last_seen_at + idle_ms > now)
            .map(|s| SessionInfo {
                current: current == Some(s.id.as_str()),
                id: s.id,
                label: s.label,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    /// Ends one of the user's sessions.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it is not theirs or already ended.
    pub async fn end_session(&self, user_id: &str, session_id: &str) -> Result<(), AppError> {
        if self.store().delete_session(user_id, session_id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The user's access tokens.
    ///
    /// # Errors
    /// On database failure.
    pub async fn access_tokens(&self, user_id: &str) -> Result<Vec<AccessTokenInfo>, AppError> {
        let now = self.now_ms();
        Ok(self
            .store()
            .access_tokens_of_user(user_id)
            .await?
            .into_iter()
            .filter(|t| t.expires_at.is_none_or(|at| at > now))
            .map(AccessTokenInfo::from)
            .collect())
    }

    /// Creates a named access token; the token is returned this once and stored only hashed.
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_name` for an empty, over-long or control-character name.
    pub async fn create_access_token(
        &self,
        user_id: &str,
        name: &str,
    ) -> Result<(AccessTokenInfo, String), AppError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_TOKEN_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(AppError::invalid(
                crate::Refusal::InvalidTokenName,
                format!("Give the token a name of 1 to {MAX_TOKEN_NAME_CHARS} characters."),
            ));
        }
        let token = new_access_token();
        let row = AccessTokenRow {
            id: new_id(),
            token_hash: hash_token(&token),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            created_at: self.now_ms(),
            last_used_at: None,
            expires_at: None,
        };
        self.store().insert_access_token(&row).await?;
        Ok((AccessTokenInfo::from(row), token))
    }

    /// Revokes one of the user's tokens.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it is not theirs or already revoked.
    pub async fn revoke_access_token(&self, user_id: &str, token_id: &str) -> Result<(), AppError> {
        if self.store().delete_access_token(user_id, token_id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
