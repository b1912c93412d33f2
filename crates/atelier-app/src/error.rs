//! The use cases' error type. The web crate maps each variant to one HTTP answer.

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or belongs to someone else: the two look the same).
    #[error("not found")]
    NotFound,
    /// The input breaks a rule; `code` is a stable snake_case identifier for clients.
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// The request itself is malformed (a cursor that does not decode, a bad filter value).
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
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
    /// The blob store failed.
    #[error(transparent)]
    Storage(#[from] atelier_media::StorageError),
    /// The search index failed.
    #[error("search index: {0}")]
    Search(String),
    /// The job queue failed.
    #[error(transparent)]
    Queue(#[from] atelier_jobs::QueueError),
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

impl AppError {
    /// An [`AppError::Invalid`] with a code and message.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    /// An [`AppError::BadRequest`] with a code and message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }
}
