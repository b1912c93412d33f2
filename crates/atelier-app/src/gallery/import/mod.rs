//! `atelier import`: adding gallery items from a JSON array or JSON lines (docs/import.md).
//! Idempotent: a post already here (same source and post id) is updated, never duplicated; a post
//! under a takedown tombstone stays out (C7). A bad record is reported with its line (or record)
//! number and skipped.
//!
//! Here: the import itself. `records` reads and checks the file's records, `writer` writes them to
//! the store in batches, `acquire` gets each new item's images.

mod acquire;
mod records;
mod writer;

pub use records::{
    ImportRecord, MAX_IMAGES_PER_ITEM, MAX_PROMPT_CHARS, NumberedRecord, read_records, to_item,
};
pub use writer::GalleryWriter;

use super::fetch::Fetcher;
use crate::{App, AppError};
use std::collections::HashMap;
use std::sync::Mutex;

/// An import that created at least this many items refreshes the database planner's statistics
/// of the gallery tables (see `Store::analyze_gallery`).
const ANALYZE_AFTER_CREATED: u64 = 10_000;
/// Records written per transaction.
const IMPORT_BATCH: usize = 256;

/// How an import treats images.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Downloads published images (public addresses only); `None` never downloads.
    pub fetcher: Option<Fetcher>,
    /// Draws images that cannot be downloaded right away, instead of leaving them to a background
    /// job.
    pub render_missing: bool,
    /// Records processed at once.
    pub concurrency: usize,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Added.
    Created,
    /// Already here, updated.
    Updated,
    /// Taken down earlier; skipped (C7).
    Tombstoned,
    /// Could not be used; skipped.
    Bad {
        /// Line or record number.
        number: usize,
        /// Why.
        message: String,
    },
}

/// Totals of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// New items.
    pub created: u64,
    /// Updated items.
    pub updated: u64,
    /// Skipped: taken down.
    pub tombstoned: u64,
    /// Skipped: bad records.
    pub bad: u64,
    /// Images downloaded.
    pub downloaded: u64,
    /// Images drawn offline.
    pub rendered: u64,
    /// Images left to a background job.
    pub deferred: u64,
}

impl App {
    /// Imports records in batches (one transaction each), then gets each new item's images,
    /// calling `on_record` as each record is done.
    ///
    /// # Errors
    /// Only for failures of the instance itself (database, storage); bad records are reported
    /// through `on_record` and counted.
    pub async fn import_gallery<I, F>(
        &self,
        records: I,
        options: &ImportOptions,
        on_record: F,
    ) -> Result<ImportSummary, AppError>
    where
        I: Iterator<Item = NumberedRecord> + Send,
        F: Fn(&RecordOutcome) + Send + Sync,
    {
        let host_failures: Mutex<HashMap<String, u32>> = Mutex::default();
        let mut summary = ImportSummary::default();
        let mut records = records;
        let mut writer = GalleryWriter::new(self.store().clone());
        loop {
            let batch: Vec<NumberedRecord> = records.by_ref().take(IMPORT_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let now = self.now_ms();
            let mut items = Vec::with_capacity(batch.len());
            for (number, record) in batch {
                match record.and_then(|r| to_item(&r, now)) {
                    Ok(item) => items.push(item),
                    Err(message) => {
                        summary.bad += 1;
                        on_record(&RecordOutcome::Bad { number, message });
                    }
                }
            }
            for outcomes in writer.push(items, now).await? {
                self.finish_batch(outcomes, options, &host_failures, &mut summary, &on_record)
                    .await?;
            }
        }
        for outcomes in writer.finish().await? {
            self.finish_batch(outcomes, options, &host_failures, &mut summary, &on_record)
                .await?;
        }
        if summary.created >= ANALYZE_AFTER_CREATED {
            self.store().analyze_gallery().await?;
        }
        Ok(summary)
    }
}
