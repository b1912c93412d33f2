//! Purging a CDN (C6): when an image is deleted (a generation, a taken-down gallery item), its
//! URLs are purged from the CDN in front of the instance, so no edge keeps serving it. Cloudflare's
//! `purge_cache` API is the adapter; the call is a job with retries, so a CDN outage delays the
//! purge without failing the deletion.

use crate::{App, AppError, JobKind};
use atelier_jobs::{EnqueueOptions, JobContext, JobError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// URLs per purge call (Cloudflare's limit for purging by URL).
pub const PURGE_BATCH: usize = 30;

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeJob {
    /// Absolute URLs.
    pub urls: Vec<String>,
}

impl App {
    /// Whether a CDN is configured.
    #[must_use]
    pub fn cdn_configured(&self) -> bool {
        self.settings().cdn.cloudflare_zone_id.is_some()
    }

    /// Queues the purge of these paths (relative to `public_url`); nothing when no CDN is set.
    ///
    /// # Errors
    /// When the queue refuses.
    pub async fn queue_cdn_purge(&self, paths: &[String]) -> Result<(), AppError> {
        if !self.cdn_configured() || paths.is_empty() {
            return Ok(());
        }
        let base = self
            .settings()
            .public_url
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        for chunk in paths.chunks(PURGE_BATCH) {
            let urls = chunk.iter().map(|p| format!("{base}{p}")).collect();
            self.queue()
                .enqueue(
                    JobKind::PurgeCdn.name(),
                    &PurgeJob { urls },
                    EnqueueOptions::default(),
                )
                .await?;
        }
        Ok(())
    }

    /// Sends one purge call (the job).
    ///
    /// # Errors
    /// Retryable on 429, 5xx and network errors; permanent on other refusals.
    pub async fn run_cdn_purge(&self, ctx: &JobContext) -> Result<(), JobError> {
        let job: PurgeJob = ctx.payload()?;
        let cdn = &self.settings().cdn;
        let (Some(zone), Some(token)) = (&cdn.cloudflare_zone_id, &cdn.cloudflare_api_token) else {
            return Ok(());
        };
        let url = format!(
            "{}/client/v4/zones/{zone}/purge_cache",
            cdn.cloudflare_base_url.trim_end_matches('/')
        );
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(JobError::permanent)?;
        let response = client
            .post(url)
            .bearer_auth(token.expose())
            .json(&serde_json::json!({ "files": job.urls }))
            .send()
            .await
            .map_err(|e| JobError::retry(format!("CDN purge: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let reason = format!("CDN purge answered {status}");
        if status.as_u16() == 429 || status.is_server_error() {
            let after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(match after {
                Some(after) => JobError::RetryAfter(reason, after),
                None => JobError::Retry(reason),
            });
        }
        Err(JobError::Permanent(reason))
    }
}
