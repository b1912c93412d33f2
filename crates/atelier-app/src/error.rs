//! The use cases' error type, and the error policy of every layer.
//!
//! - **Adapters** (`atelier-db`, `atelier-media`, `atelier-search`, `atelier-jobs`, the providers,
//!   mail) each have one `thiserror` enum saying what failed in their own terms. They never decide
//!   what a user is told.
//! - **Use cases** (this crate) return [`AppError`]. Adapter errors convert with `?`; a missing
//!   row ([`atelier_db::DbError::NotFound`]) and a missing blob
//!   ([`atelier_media::StorageError::NotFound`]) both become [`AppError::NotFound`], and so does
//!   someone else's record: callers meet one "not found", whatever layer noticed it (SEC2: a
//!   stranger's id looks like an unknown one). A rule the request broke is
//!   [`AppError::Invalid`] (or [`AppError::BadRequest`] when the request is malformed) with a
//!   [`Refusal`] naming the rule and an English explanation for API clients.
//! - **The web crate** has exactly two mappings, both exhaustive: `ApiError::from(AppError)`
//!   (status and JSON `{"error": {"code", "message"}}`; server-side failures are logged with the
//!   request id and answered with a generic message, never a driver's text: C10), and the form
//!   message of a [`Refusal`] in the visitor's language (`atelier_web::refusals`).
//! - Nothing is hidden: no `.ok()` or `unwrap_or_default()` on a `Result` that could carry a
//!   failure, unless a comment says why losing it is right (a best-effort log row, say).
//! - No `unwrap`/`expect` on anything that came from outside (`clippy::unwrap_used` is denied).

use crate::Refusal;

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or belongs to someone else: the two look the same).
    #[error("not found")]
    NotFound,
    /// The input breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The rule; its [`Refusal::code`] is what API clients see.
        refusal: Refusal,
        /// Human-readable explanation.
        message: String,
    },
    /// The request itself is malformed (a cursor that does not decode, a bad filter value).
    #[error("{message}")]
    BadRequest {
        /// The rule; its [`Refusal::code`] is what API clients see.
        refusal: Refusal,
        /// Human-readable explanation.
        message: String,
    },
    /// The request conflicts with the instance's state (a feature that is off): 409.
    #[error("{message}")]
    Conflict {
        /// The rule; its [`Refusal::code`] is what API clients see.
        refusal: Refusal,
        /// Human-readable explanation.
        message: String,
    },
    /// The request needs a signed-in user (a session cookie or an access token).
    #[error("sign in first")]
    Unauthorized,
    /// The signed-in user may not do this.
    #[error("not allowed")]
    Forbidden,
    /// The balance does not cover the price.
    #[error("insufficient credits")]
    InsufficientCredits {
        /// Credits needed.
        needed: i64,
        /// Credits available.
        balance: i64,
    },
    /// Too many requests of this kind; try again after the given seconds.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: u64,
    },
    /// A dependency (database, storage) is not answering.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// An AI provider failed; `message` is safe to show the user.
    #[error("provider: {message}")]
    Provider {
        /// What the user may read.
        message: String,
        /// Whether trying again later may help.
        retryable: bool,
    },
    /// The request's content is larger than allowed (413).
    #[error("{0}")]
    TooLarge(String),
    /// Stored data failed an integrity check (a blob or key that does not decrypt).
    #[error("integrity: {0}")]
    Corrupt(String),
    /// The database failed (a missing row is [`AppError::NotFound`], never this).
    #[error(transparent)]
    Db(atelier_db::DbError),
    /// The blob store failed (a missing blob is [`AppError::NotFound`], never this).
    #[error(transparent)]
    Storage(atelier_media::StorageError),
    /// The search index failed.
    #[error("search index: {0}")]
    Search(String),
    /// The job queue failed.
    #[error(transparent)]
    Queue(#[from] atelier_jobs::QueueError),
}

impl AppError {
    /// The rule the request broke, for a refusal.
    #[must_use]
    pub const fn refusal(&self) -> Option<Refusal> {
        match self {
            Self::Invalid { refusal, .. }
            | Self::BadRequest { refusal, .. }
            | Self::Conflict { refusal, .. } => Some(*refusal),
            _ => None,
        }
    }
}

impl From<atelier_db::DbError> for AppError {
    /// One "not found" for every layer: a missing row is [`AppError::NotFound`].
    fn from(err: atelier_db::DbError) -> Self {
        match err {
            atelier_db::DbError::NotFound => Self::NotFound,
            other => Self::Db(other),
        }
    }
}

impl From<atelier_media::StorageError> for AppError {
    /// One "not found" for every layer: a missing blob is [`AppError::NotFound`].
    fn from(err: atelier_media::StorageError) -> Self {
        match err {
            atelier_media::StorageError::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

impl AppError {
    /// An [`AppError::Invalid`]: the rule broken and an English explanation.
    pub fn invalid(refusal: Refusal, message: impl Into<String>) -> Self {
        Self::Invalid {
            refusal,
            message: message.into(),
        }
    }

    /// An [`AppError::BadRequest`]: the rule broken and an English explanation.
    pub fn bad_request(refusal: Refusal, message: impl Into<String>) -> Self {
        Self::BadRequest {
            refusal,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_row_and_a_missing_blob_are_the_same_not_found() {
        assert!(matches!(
            AppError::from(atelier_db::DbError::NotFound),
            AppError::NotFound
        ));
        assert!(matches!(
            AppError::from(atelier_media::StorageError::NotFound),
            AppError::NotFound
        ));
    }
}
