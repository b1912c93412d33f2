//! Accounts (C1, C2, C3, D1, D5, SEC2): passwordless sign-in by a one-time code or a magic link,
//! sessions with idle and absolute timeouts, personal access tokens, profile settings, email
//! change, IP events and rate limits. Every rule of ASVS 6.5 (one-time codes) and 7.x (sessions)
//! that the product follows is carried out here, once.

pub mod agent;
mod limits;
mod profile;
pub mod secrets;
mod sessions;
mod signin;

pub use limits::RateLimit;
pub use profile::{AccountPurge, ProfileUpdate};
pub use sessions::{AccessTokenInfo, SessionInfo};
pub use signin::{LinkOutcome, SignedIn};

use atelier_core::Role;
use atelier_db::accounts::UserRow;
use std::net::IpAddr;

/// Minutes a sign-in or email-change code (and its link) works.
pub const CODE_TTL_MINUTES: i64 = 10;
/// Wrong tries after which a code is void.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Languages an account can choose.
pub const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

/// A language tag as stored, or `None` when it is not one of [`LANGUAGES`].
#[must_use]
pub fn normalize_language(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    LANGUAGES
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(tag))
        .or_else(|| {
            tag.to_ascii_lowercase()
                .starts_with("zh")
                .then_some("zh-CN")
        })
}

/// An account as the use cases see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: String,
    /// Normalized address.
    pub email: String,
    /// Optional display name.
    pub display_name: Option<String>,
    /// `en` or `zh-CN`.
    pub language: String,
    /// Roles, always with `user`.
    pub roles: Vec<Role>,
    /// Marketing mail allowed.
    pub marketing_opt_in: bool,
    /// Creation time (ms).
    pub created_at: i64,
    /// The privacy policy version last opened (P1).
    pub policy_version_seen: i64,
}

impl User {
    /// Whether the user holds `role`.
    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The name to show: the display name, else the address's local part.
    #[must_use]
    pub fn shown_name(&self) -> &str {
        self.display_name
            .as_deref()
            .unwrap_or_else(|| self.email.split('@').next().unwrap_or(&self.email))
    }

    fn to_row(&self) -> UserRow {
        UserRow {
            id: self.id.clone(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            language: self.language.clone(),
            roles: Role::join(&self.roles),
            marketing_opt_in: self.marketing_opt_in,
            created_at: self.created_at,
            policy_version_seen: self.policy_version_seen,
        }
    }
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            roles: Role::parse_list(&row.roles),
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            language: row.language,
            marketing_opt_in: row.marketing_opt_in,
            created_at: row.created_at,
            policy_version_seen: row.policy_version_seen,
        }
    }
}

/// Who is asking, as far as accounts need to know.
#[derive(Debug, Clone)]
pub struct Client {
    /// The client's address (the socket peer, or a trusted proxy's header).
    pub ip: IpAddr,
    /// The `User-Agent` header, for the session's browser label only.
    pub user_agent: Option<String>,
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthVia {
    /// A browser session cookie.
    Session {
        /// Session id.
        id: String,
    },
    /// A personal access token (`Authorization: Bearer`).
    Token {
        /// Token id.
        id: String,
    },
}

/// A signed-in user and how they signed in.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// The credential used.
    pub via: AuthVia,
}
