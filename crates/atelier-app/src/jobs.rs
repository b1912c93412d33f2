//! The job handlers of the app, by name, and the periodic jobs with their intervals. Each later
//! capability (mail, retention) adds its kinds here.

use crate::gallery::demo::SeedJob;
use crate::gallery::fetch::Fetcher;
use crate::gallery::images::{FetchJob, ThumbnailJob};
use crate::{App, AppError};
use atelier_core::clock::DAY_MS;
use atelier_jobs::{JobContext, JobError, Registry};
use std::time::Duration;

/// Dead jobs are kept this long for operators to inspect, then removed with their payloads.
pub const DEAD_JOB_RETENTION_DAYS: i64 = 14;
/// The gallery change log is kept this long; a node whose index is older rebuilds it.
pub const GALLERY_CHANGE_RETENTION_DAYS: i64 = 7;

/// Every job kind, so names are written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Removes dead jobs older than [`DEAD_JOB_RETENTION_DAYS`] (SEC3: keep nothing unneeded).
    PruneDeadJobs,
    /// Removes gallery change-log rows older than [`GALLERY_CHANGE_RETENTION_DAYS`].
    PruneGalleryChanges,
    /// Makes the thumbnails of a stored gallery image.
    GalleryThumbnails,
    /// Downloads a gallery image that an import could not get; the last attempt draws it.
    GalleryFetchImage,
    /// Adds and draws a batch of demo gallery items.
    DemoSeed,
    /// Hands one outbox message to the mail transport.
    SendMail,
    /// Runs one generation.
    RunGeneration,
    /// Purges deleted images' URLs from the CDN.
    PurgeCdn,
    /// Writes a user's data export in the background and mails its link (D4).
    BuildExport,
    /// Mails the buyer of a purchase just paid or refunded (C1).
    PurchaseNotice,
}

impl JobKind {
    /// The kind's name on the queue.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PruneDeadJobs => "prune_dead_jobs",
            Self::PruneGalleryChanges => "prune_gallery_changes",
            Self::GalleryThumbnails => "gallery_thumbnails",
            Self::GalleryFetchImage => "gallery_fetch_image",
            Self::DemoSeed => "demo_seed",
            Self::SendMail => "send_mail",
            Self::RunGeneration => "run_generation",
            Self::PurgeCdn => "purge_cdn",
            Self::BuildExport => "build_export",
            Self::PurchaseNotice => "purchase_notice",
        }
    }
}

/// Maps a use-case error to a job outcome: a thing that is gone cannot be done later either.
fn job_error(err: AppError) -> JobError {
    match err {
        AppError::NotFound => JobError::permanent("its subject no longer exists"),
        AppError::Invalid { message, .. } | AppError::BadRequest { message, .. } => {
            JobError::Permanent(message)
        }
        other => JobError::retry(other),
    }
}

/// Registers a handler that parses its payload and calls one app method.
fn on<P, F, Fut>(registry: &mut Registry, app: &App, kind: JobKind, run: F)
where
    P: serde::de::DeserializeOwned + Send + 'static,
    F: Fn(App, P, JobContext) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>> + Send + 'static,
{
    let app = app.clone();
    registry.handle(kind.name(), move |ctx| {
        let app = app.clone();
        let run = run.clone();
        async move {
            let payload: P = ctx.payload()?;
            run(app, payload, ctx).await.map_err(job_error)
        }
    });
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
    let a = app.clone();
    registry.every(
        JobKind::PruneGalleryChanges.name(),
        Duration::from_secs(6 * 3600),
        move |_| {
            let app = a.clone();
            async move {
                let before = app.now_ms() - GALLERY_CHANGE_RETENTION_DAYS * DAY_MS;
                let removed = app
                    .store()
                    .prune_gallery_changes(before)
                    .await
                    .map_err(JobError::retry)?;
                tracing::info!(removed, "pruned gallery change log");
                Ok(())
            }
        },
    );
    on(
        &mut registry,
        app,
        JobKind::GalleryThumbnails,
        |app, job: ThumbnailJob, _| async move {
            app.make_gallery_thumbnails(&job.item_id, job.position)
                .await
                .map(|_| ())
        },
    );
    on(
        &mut registry,
        app,
        JobKind::GalleryFetchImage,
        |app, job: FetchJob, ctx| async move {
            app.fetch_or_draw_gallery_image(&job.item_id, job.position, ctx.attempt >= 3)
                .await
        },
    );
    on(
        &mut registry,
        app,
        JobKind::BuildExport,
        |app, job: crate::export::ExportJob, _| async move { app.build_export(&job.id).await },
    );
    on(
        &mut registry,
        app,
        JobKind::PurchaseNotice,
        |app, job: crate::billing::PurchaseNoticeJob, _| async move {
            app.send_purchase_notice(&job).await
        },
    );
    on(
        &mut registry,
        app,
        JobKind::DemoSeed,
        |app, job: SeedJob, _| async move { app.seed_demo_batch(job).await },
    );
    let a = app.clone();
    registry.handle(JobKind::PurgeCdn.name(), move |ctx| {
        let app = a.clone();
        async move { app.run_cdn_purge(&ctx).await }
    });
    let a = app.clone();
    registry.handle(JobKind::RunGeneration.name(), move |ctx| {
        let app = a.clone();
        async move { app.run_generation(&ctx).await }
    });
    let a = app.clone();
    registry.handle(JobKind::SendMail.name(), move |ctx| {
        let app = a.clone();
        async move { app.deliver_mail(&ctx).await }
    });
    for job in crate::privacy::retention::Retention::ALL {
        let a = app.clone();
        registry.every(job.name(), job.every(), move |_| {
            let app = a.clone();
            async move {
                app.run_retention(job).await.map_err(JobError::retry)?;
                Ok(())
            }
        });
    }
    registry
}

impl App {
    /// Tries to download a gallery image once more; with `draw_on_failure`, draws it when the
    /// download fails, so the gallery always ends up with a picture.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] when the download failed and drawing was not asked for.
    pub async fn fetch_or_draw_gallery_image(
        &self,
        item_id: &str,
        position: i64,
        draw_on_failure: bool,
    ) -> Result<(), AppError> {
        let item = self.store().gallery_item(item_id).await?;
        let image = item
            .images
            .iter()
            .find(|i| i.position == position)
            .ok_or(AppError::NotFound)?;
        if image.is_ready() {
            return Ok(());
        }
        if let Some(url) = &image.remote_url {
            let fetcher = Fetcher::new(
                Duration::from_secs(15),
                20 * 1024 * 1024,
                self.settings().fetch.allow_private_addresses,
            )
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
            if let Ok(bytes) = fetcher.fetch(url).await
                && self
                    .store_gallery_download(item_id, position, bytes)
                    .await
                    .is_ok()
            {
                return Ok(());
            }
        }
        if draw_on_failure || image.remote_url.is_none() {
            return self.render_gallery_image(&item, position).await;
        }
        Err(AppError::Unavailable(
            "the image could not be downloaded yet".to_owned(),
        ))
    }
}
