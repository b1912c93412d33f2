//! Every retention job in one place (R4, R6, C2, C9, D3, SEC4): what it removes, how often it
//! runs inside the server, and a record of each run that `doctor` reads. `atelier purge` runs
//! them all once.

use crate::{App, AppError};
use std::time::Duration;

/// A periodic purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Assistant call logs older than `retention.assistant_log_days` (C9, R4).
    AssistantLogs,
    /// IP events older than `retention.ip_event_days` (C2).
    IpEvents,
    /// Expired sign-in codes, sessions, access tokens, rate-limit counters and undeliverable
    /// outbox rows (sent rows go at once).
    ExpiredAccountRows,
    /// Account deletions whose grace period is over (D3).
    AccountDeletions,
    /// User blobs no row refers to (C5, C6, R1).
    OrphanBlobs,
    /// Background exports whose download link expired (D4).
    Exports,
    /// Technical log files past `retention.log_days` or over `log.max_total_mb` (R6).
    TechnicalLogs,
    /// Stripe webhook event ids older than
    /// [`crate::billing::STRIPE_EVENT_RETENTION_DAYS`] (SEC3): kept only while Stripe may redeliver
    /// them and the operator reconciles.
    StripeEvents,
    /// Takedown requesters' addresses, `retention.takedown_contact_days` after the answer (C7).
    TakedownContacts,
}

impl Retention {
    /// Every retention job.
    pub const ALL: [Self; 9] = [
        Self::AssistantLogs,
        Self::IpEvents,
        Self::ExpiredAccountRows,
        Self::AccountDeletions,
        Self::OrphanBlobs,
        Self::Exports,
        Self::TechnicalLogs,
        Self::StripeEvents,
        Self::TakedownContacts,
    ];

    /// The job's name (queue and `retention_runs`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::AssistantLogs => "purge_assistant_logs",
            Self::IpEvents => "purge_ip_events",
            Self::ExpiredAccountRows => "purge_account_rows",
            Self::AccountDeletions => "process_account_deletions",
            Self::OrphanBlobs => "sweep_orphan_blobs",
            Self::Exports => "purge_expired_exports",
            Self::TechnicalLogs => "purge_log_files",
            Self::StripeEvents => "purge_stripe_events",
            Self::TakedownContacts => "forget_takedown_contacts",
        }
    }

    /// How often the server runs it.
    #[must_use]
    pub const fn every(self) -> Duration {
        match self {
            Self::AssistantLogs
            | Self::IpEvents
            | Self::Exports
            | Self::TechnicalLogs
            | Self::TakedownContacts => Duration::from_secs(3600),
            Self::ExpiredAccountRows | Self::AccountDeletions => Duration::from_secs(15 * 60),
            Self::OrphanBlobs | Self::StripeEvents => Duration::from_secs(6 * 3600),
        }
    }

    /// What it removes, in words (for `atelier purge`).
    #[must_use]
    pub fn describe(self, app: &App) -> String {
        let r = &app.settings().retention;
        match self {
            Self::AssistantLogs => {
                format!("assistant logs older than {} days", r.assistant_log_days)
            }
            Self::IpEvents => format!("IP events older than {} days", r.ip_event_days),
            Self::ExpiredAccountRows => {
                "expired codes, sessions, tokens, rate-limit counters and undeliverable mail"
                    .to_owned()
            }
            Self::AccountDeletions => format!(
                "accounts whose deletion grace period ({} days) is over",
                r.account_deletion_grace_days
            ),
            Self::OrphanBlobs => "orphan blobs".to_owned(),
            Self::Exports => "expired data exports".to_owned(),
            Self::TechnicalLogs => format!(
                "log files older than {} days or over {} MiB",
                r.log_days,
                app.settings().log.max_total_mb
            ),
            Self::StripeEvents => format!(
                "Stripe webhook event ids older than {} days",
                crate::billing::STRIPE_EVENT_RETENTION_DAYS
            ),
            Self::TakedownContacts => format!(
                "takedown requesters' addresses {} days after the answer",
                r.takedown_contact_days
            ),
        }
    }
}

impl App {
    /// Runs one retention job now and records the run; returns how many things it removed.
    ///
    /// # Errors
    /// When storage or the database fails (the run is not recorded then).
    pub async fn run_retention(&self, job: Retention) -> Result<u64, AppError> {
        let removed = match job {
            Retention::AssistantLogs => self.purge_assistant_logs().await?,
            Retention::IpEvents => self.purge_ip_events().await?,
            Retention::ExpiredAccountRows => {
                let p = self.purge_expired_account_rows().await?;
                p.challenges + p.sessions + p.access_tokens + p.rate_limits + p.outbox
            }
            Retention::AccountDeletions => self.process_due_deletions().await?,
            Retention::OrphanBlobs => self.sweep_orphan_blobs().await?,
            Retention::Exports => self.purge_expired_exports().await?,
            Retention::TechnicalLogs => self.purge_log_files()?,
            Retention::StripeEvents => self.purge_stripe_events().await?,
            Retention::TakedownContacts => self.forget_takedown_contacts().await?,
        };
        self.store()
            .record_retention_run(
                job.name(),
                self.now_ms(),
                i64::try_from(removed).unwrap_or(i64::MAX),
            )
            .await?;
        tracing::info!(job = job.name(), removed, "retention job ran");
        Ok(removed)
    }

    /// Runs every retention job once (`atelier purge`): each job with what it removed.
    ///
    /// # Errors
    /// The first failure.
    pub async fn run_all_retention(&self) -> Result<Vec<(Retention, u64)>, AppError> {
        let mut report = Vec::new();
        for job in Retention::ALL {
            report.push((job, self.run_retention(job).await?));
        }
        Ok(report)
    }
}
