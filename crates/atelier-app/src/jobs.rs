//! The job handlers of the app, by name, and the periodic jobs with their intervals. Each later
//! capability (mail, thumbnails, retention) adds its kinds here.

use crate::App;
use atelier_core::clock::DAY_MS;
use atelier_jobs::{JobError, Registry};
use std::time::Duration;

/// Dead jobs are kept this long for operators to inspect, then removed with their payloads.
pub const DEAD_JOB_RETENTION_DAYS: i64 = 14;

/// Every job kind, so names are written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Removes dead jobs older than [`DEAD_JOB_RETENTION_DAYS`] (SEC3: keep nothing unneeded).
    PruneDeadJobs,
}

impl JobKind {
    /// The kind's name on the queue.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PruneDeadJobs => "prune_dead_jobs",
        }
    }
}

/// The registry of every handler and periodic job of the app.
#[must_use]
pub fn registry(app: &App) -> Registry {
    let mut registry = Registry::new();
    let a = app.clone();
    registry.every(
        JobKind::PruneDeadJobs.name(),
        Duration::from_secs(6 * 3600),
        move |_| {
            let app = a.clone();
            async move {
                let before = app.now_ms() - DEAD_JOB_RETENTION_DAYS * DAY_MS;
                let removed = app
                    .store()
                    .delete_dead_jobs(before)
                    .await
                    .map_err(JobError::retry)?;
                tracing::info!(removed, "pruned dead jobs");
                Ok(())
            }
        },
    );
    registry
}
