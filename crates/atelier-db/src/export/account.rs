//! The account part of the export: the user row, its sessions and access tokens (never their
//! hashes) and its IP events.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// The account itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAccount {
    /// Id.
    pub id: String,
    /// Address.
    pub email: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Language tag.
    pub language: String,
    /// Comma-separated roles.
    pub roles: String,
    /// Whether marketing mail may be sent.
    pub marketing_opt_in: bool,
    /// The privacy-policy version last opened.
    pub policy_version_seen: i64,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
}

/// A session, without its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSession {
    /// Id.
    pub id: String,
    /// Browser label.
    pub label: String,
    /// Sign-in time.
    pub created_at: UnixMillis,
    /// Last use.
    pub last_seen_at: UnixMillis,
    /// Expiry.
    pub expires_at: UnixMillis,
}

/// A personal access token, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAccessToken {
    /// Id.
    pub id: String,
    /// Name given by the user.
    pub name: String,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last use.
    pub last_used_at: Option<UnixMillis>,
    /// Expiry.
    pub expires_at: Option<UnixMillis>,
}

/// An IP event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportIpEvent {
    /// Id.
    pub id: String,
    /// `signup`, `sign_in` or `session`.
    pub kind: String,
    /// The address.
    pub ip: String,
    /// Its network.
    pub network: String,
    /// When.
    pub created_at: UnixMillis,
}

impl Store {
    /// The account row.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the user is gone; database failures.
    pub async fn export_account(&self, user_id: &str) -> Result<ExportAccount, DbError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, language, roles, marketing_opt_in, \
             policy_version_seen, created_at, updated_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(DbError::NotFound)?;
        Ok(ExportAccount {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            language: row.try_get("language")?,
            roles: row.try_get("roles")?,
            marketing_opt_in: row.try_get::<i64, _>("marketing_opt_in")? != 0,
            policy_version_seen: row.try_get("policy_version_seen")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Every session of the user (no token hash).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_sessions(&self, user_id: &str) -> Result<Vec<ExportSession>, DbError> {
        self.export_rows(
            "SELECT id, label, created_at, last_seen_at, expires_at FROM sessions \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportSession {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            },
        )
        .await
    }

    /// Every access token of the user (no token hash).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_access_tokens(
        &self,
        user_id: &str,
    ) -> Result<Vec<ExportAccessToken>, DbError> {
        self.export_rows(
            "SELECT id, name, created_at, last_used_at, expires_at FROM access_tokens \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportAccessToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            },
        )
        .await
    }

    /// Every IP event of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_ip_events(&self, user_id: &str) -> Result<Vec<ExportIpEvent>, DbError> {
        self.export_rows(
            "SELECT id, kind, ip, network, created_at FROM ip_events \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportIpEvent {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    ip: r.try_get("ip")?,
                    network: r.try_get("network")?,
                    created_at: r.try_get("created_at")?,
                })
            },
        )
        .await
    }
}
