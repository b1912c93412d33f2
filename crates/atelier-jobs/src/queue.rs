//! Putting jobs on the queue.

use atelier_core::{Clock, UnixMillis};
use atelier_db::jobs::NewJob;
use atelier_db::{DbError, Store};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Attempts a job gets unless its enqueuer says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;

/// Why a job attempt did not succeed; the runner decides from this whether to try again.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt after back-off (a provider timed out, the database was busy, …).
    #[error("{0}")]
    Retry(String),
    /// Worth another attempt, but not before the given time has passed (a server's Retry-After).
    #[error("{0}")]
    RetryAfter(String, Duration),
    /// Trying again cannot help (bad payload, the thing it worked on is gone): the job is dead now.
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    /// A retryable error from anything displayable.
    pub fn retry(err: impl std::fmt::Display) -> Self {
        Self::Retry(err.to_string())
    }

    /// A permanent error from anything displayable.
    pub fn permanent(err: impl std::fmt::Display) -> Self {
        Self::Permanent(err.to_string())
    }
}

/// What can go wrong putting a job on the queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The payload did not serialize.
    #[error("job payload: {0}")]
    Payload(#[from] serde_json::Error),
    /// The database refused.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Options for one enqueue.
#[derive(Debug, Clone, Default)]
pub struct EnqueueOptions {
    /// While a job with this key is queued or running, another enqueue with it is a no-op.
    pub dedup_key: Option<String>,
    /// Run no earlier than this long from now.
    pub delay: Option<Duration>,
    /// Attempts before the job is dead (default 8).
    pub max_attempts: Option<i64>,
}

/// The queue's front door. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Queue {
    store: Store,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

impl Queue {
    /// A queue over `store`, reading time from `clock`.
    #[must_use]
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Puts a job on the queue. Returns its id, or `None` when deduplicated away.
    ///
    /// # Errors
    /// When the payload does not serialize or the database refuses.
    pub async fn enqueue<T: Serialize>(
        &self,
        kind: &str,
        payload: &T,
        options: EnqueueOptions,
    ) -> Result<Option<String>, QueueError> {
        let payload = serde_json::to_string(payload)?;
        let id = atelier_core::id::new_id();
        let now = self.clock.now_ms();
        let delay_ms = options
            .delay
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let job = NewJob {
            id: &id,
            kind,
            payload: &payload,
            dedup_key: options.dedup_key.as_deref(),
            run_at: now.saturating_add(delay_ms),
            max_attempts: options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
        };
        let inserted = self.store.enqueue_job(&job, now).await?;
        if inserted {
            self.wake.notify_one();
        }
        Ok(inserted.then_some(id))
    }

    /// The store behind the queue.
    #[must_use]
    pub const fn store(&self) -> &Store {
        &self.store
    }

    /// The clock the queue reads.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the queue's clock.
    #[must_use]
    pub fn now_ms(&self) -> UnixMillis {
        self.clock.now_ms()
    }

    pub(crate) fn wake(&self) -> &Arc<Notify> {
        &self.wake
    }
}
