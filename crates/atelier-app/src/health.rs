//! Readiness: does the database answer, does storage answer.

use crate::App;
use std::time::Duration;

/// How long each dependency gets to answer a health check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The outcome of a health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Whether the database answered.
    pub database: bool,
    /// Whether the blob store answered.
    pub storage: bool,
}

impl Health {
    /// Both dependencies answered.
    #[must_use]
    pub const fn ok(&self) -> bool {
        self.database && self.storage
    }
}

impl App {
    /// Checks the database and the blob store, each within a few seconds.
    pub async fn health(&self) -> Health {
        let (database, storage) = tokio::join!(
            tokio::time::timeout(CHECK_TIMEOUT, self.store().ping()),
            tokio::time::timeout(CHECK_TIMEOUT, self.blobs().check()),
        );
        let database = matches!(database, Ok(Ok(())));
        let storage = matches!(storage, Ok(Ok(())));
        if !database {
            tracing::warn!("health check: database did not answer");
        }
        if !storage {
            tracing::warn!("health check: storage did not answer");
        }
        Health { database, storage }
    }
}
