//! Acquiring the images of written items: downloading them, drawing them, or leaving them to a
//! background job.

use super::{ImportOptions, ImportSummary, RecordOutcome};
use crate::gallery::images::FetchJob;
use crate::{App, AppError, JobKind};
use atelier_db::gallery::UpsertOutcome;
use futures::StreamExt as _;
use std::collections::HashMap;
use std::sync::Mutex;

/// After this many failed downloads from one host, the import stops trying that host.
const HOST_FAILURE_LIMIT: u32 = 3;

#[derive(Debug, Default)]
struct ImageTally {
    downloaded: u64,
    rendered: u64,
    deferred: u64,
}

impl App {
    /// Gets the images of a written batch's new and updated items and counts its outcomes.
    pub(super) async fn finish_batch<F>(
        &self,
        outcomes: Vec<UpsertOutcome>,
        options: &ImportOptions,
        host_failures: &Mutex<HashMap<String, u32>>,
        summary: &mut ImportSummary,
        on_record: &F,
    ) -> Result<(), AppError>
    where
        F: Fn(&RecordOutcome) + Send + Sync,
    {
        let mut done = futures::stream::iter(outcomes)
            .map(|outcome| async move {
                let (outcome, id) = match outcome {
                    UpsertOutcome::Created(id) => (RecordOutcome::Created, id),
                    UpsertOutcome::Updated(id) => (RecordOutcome::Updated, id),
                    UpsertOutcome::Tombstoned => {
                        return Ok((RecordOutcome::Tombstoned, ImageTally::default()));
                    }
                };
                let tally = self.acquire_images(&id, options, host_failures).await?;
                Ok::<_, AppError>((outcome, tally))
            })
            .buffer_unordered(options.concurrency.max(1));
        while let Some(result) = done.next().await {
            let (outcome, tally) = result?;
            match outcome {
                RecordOutcome::Created => summary.created += 1,
                RecordOutcome::Updated => summary.updated += 1,
                RecordOutcome::Tombstoned => summary.tombstoned += 1,
                RecordOutcome::Bad { .. } => summary.bad += 1,
            }
            summary.downloaded += tally.downloaded;
            summary.rendered += tally.rendered;
            summary.deferred += tally.deferred;
            on_record(&outcome);
        }
        Ok(())
    }

    async fn acquire_images(
        &self,
        item_id: &str,
        options: &ImportOptions,
        host_failures: &Mutex<HashMap<String, u32>>,
    ) -> Result<ImageTally, AppError> {
        let item = self.store().gallery_item(item_id).await?;
        let mut tally = ImageTally::default();
        for image in item.images.iter().filter(|i| !i.is_ready()) {
            if let (Some(fetcher), Some(url)) = (&options.fetcher, &image.remote_url) {
                let host = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                let failures = host_failures
                    .lock()
                    .map(|m| m.get(&host).copied().unwrap_or(0))
                    .unwrap_or(0);
                if failures < HOST_FAILURE_LIMIT {
                    let stored = match fetcher.fetch(url).await {
                        Ok(bytes) => self
                            .store_gallery_download(item_id, image.position, bytes)
                            .await
                            .is_ok(),
                        Err(_) => false,
                    };
                    if stored {
                        tally.downloaded += 1;
                        continue;
                    }
                    if let Ok(mut m) = host_failures.lock() {
                        *m.entry(host).or_default() += 1;
                    }
                }
            }
            if options.render_missing {
                self.render_gallery_image(&item, image.position).await?;
                tally.rendered += 1;
            } else {
                let job = FetchJob {
                    item_id: item_id.to_owned(),
                    position: image.position,
                };
                self.queue()
                    .enqueue(
                        JobKind::GalleryFetchImage.name(),
                        &job,
                        atelier_jobs::EnqueueOptions {
                            dedup_key: Some(format!("fetch:{item_id}:{}", image.position)),
                            max_attempts: Some(3),
                            ..Default::default()
                        },
                    )
                    .await?;
                tally.deferred += 1;
            }
        }
        Ok(tally)
    }
}
