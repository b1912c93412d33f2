//! Writing records to the store: batches in flight at once, outcomes in order.

use crate::AppError;
use atelier_core::UnixMillis;
use atelier_db::gallery::{GalleryItemInput, UpsertOutcome};
use std::collections::{HashSet, VecDeque};

/// Writes a bulk job's batches (one transaction each) with up to
/// [`Store::write_parallelism`](atelier_db::Store::write_parallelism) of them in flight, each
/// on a task of its own, so that a PostgreSQL server works on two batches at once while the
/// caller prepares the next one or fetches the images of the last. Outcomes come back in the
/// order the batches were pushed. A batch that names a post also named by a batch still in
/// flight waits for it first: the later record then wins, as when batches are written one
/// after the other, and the two never race for the same row.
#[derive(Debug)]
pub struct GalleryWriter {
    store: atelier_db::Store,
    parallel: usize,
    in_flight: VecDeque<InFlight>,
}

#[derive(Debug)]
struct InFlight {
    posts: HashSet<(String, String)>,
    task: tokio::task::JoinHandle<Result<Vec<UpsertOutcome>, atelier_db::DbError>>,
}

impl GalleryWriter {
    /// A writer on `store`.
    #[must_use]
    pub fn new(store: atelier_db::Store) -> Self {
        GalleryWriter {
            parallel: store.write_parallelism().max(1),
            store,
            in_flight: VecDeque::new(),
        }
    }

    /// Starts writing `items` as one batch. Returns the outcomes of the earlier batches that
    /// had to finish to make room for it (oldest first; often none).
    ///
    /// # Errors
    /// A database error of an earlier batch (nothing of that batch was written).
    pub async fn push(
        &mut self,
        items: Vec<GalleryItemInput>,
        now: UnixMillis,
    ) -> Result<Vec<Vec<UpsertOutcome>>, AppError> {
        let posts: HashSet<(String, String)> = items
            .iter()
            .map(|i| (i.source.clone(), i.source_post_id.clone()))
            .collect();
        let overlaps = self.in_flight.iter().any(|f| !f.posts.is_disjoint(&posts));
        let mut done = Vec::new();
        while overlaps || self.in_flight.len() >= self.parallel {
            let Some(outcomes) = self.finish_oldest().await? else {
                break;
            };
            done.push(outcomes);
        }
        let store = self.store.clone();
        let task = tokio::spawn(async move { store.upsert_gallery_items(&items, now).await });
        self.in_flight.push_back(InFlight { posts, task });
        Ok(done)
    }

    /// Waits for every batch still in flight; their outcomes, oldest first.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub async fn finish(mut self) -> Result<Vec<Vec<UpsertOutcome>>, AppError> {
        let mut done = Vec::new();
        while let Some(outcomes) = self.finish_oldest().await? {
            done.push(outcomes);
        }
        Ok(done)
    }

    async fn finish_oldest(&mut self) -> Result<Option<Vec<UpsertOutcome>>, AppError> {
        let Some(oldest) = self.in_flight.pop_front() else {
            return Ok(None);
        };
        let outcomes = oldest
            .task
            .await
            .map_err(|e| AppError::Unavailable(format!("import batch task: {e}")))??;
        Ok(Some(outcomes))
    }
}
