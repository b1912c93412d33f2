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
    /// A dependency (database, storage) is not answering.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] atelier_db::DbError),
    /// The blob store failed.
    #[error(transparent)]
    Storage(#[from] atelier_media::StorageError),
    /// The job queue failed.
    #[error(transparent)]
    Queue(#[from] atelier_jobs::QueueError),
}
