//! `atelier doctor` (SEC4): checks a live instance's privacy promises and reports each one.
//! The data checks live here; the binary adds the checks of the HTTP layer (cache headers).

use super::deletion::DELETION_DEADLINE_DAYS;
use super::retention::Retention;
use crate::{App, AppError};
use atelier_core::clock::{DAY_MS, MINUTE_MS};
use atelier_media::BlobKey;
use futures::TryStreamExt as _;

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked, with its requirement id.
    pub name: String,
    /// Whether the promise holds.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

impl Check {
    /// A check's outcome.
    #[must_use]
    pub fn new(name: impl Into<String>, ok: bool, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok,
            detail: detail.into(),
        }
    }
}

/// User blobs read to check that they are encrypted.
const ENCRYPTION_SAMPLE: usize = 200;

impl App {
    /// Runs every data check of `doctor`.
    ///
    /// # Errors
    /// When the database or storage cannot be read at all.
    pub async fn doctor_checks(&self) -> Result<Vec<Check>, AppError> {
        let mut checks = Vec::new();
        let now = self.now_ms();
        let runs = self.store().retention_runs().await?;
        for job in Retention::ALL {
            let period = i64::try_from(job.every().as_millis()).unwrap_or(i64::MAX);
            let name = format!("SEC4 retention job `{}` ran within its period", job.name());
            checks.push(match runs.iter().find(|r| r.job == job.name()) {
                Some(run) if run.last_run_at >= now - 2 * period => Check::new(
                    name,
                    true,
                    format!(
                        "last run {} min ago, removed {}",
                        (now - run.last_run_at) / MINUTE_MS,
                        run.removed
                    ),
                ),
                Some(run) => Check::new(
                    name,
                    false,
                    format!(
                        "last run {} min ago; it should run every {} min (is `atelier serve` running?)",
                        (now - run.last_run_at) / MINUTE_MS,
                        period / MINUTE_MS
                    ),
                ),
                None => Check::new(
                    name,
                    false,
                    "never ran (start `atelier serve`, or run `atelier purge`)",
                ),
            });
        }

        let problems = self.operator_identity_problems();
        checks.push(Check::new(
            "P1 the policy names the operator and a contact that is read",
            self.settings().demo || problems.is_empty(),
            if problems.is_empty() {
                format!(
                    "{} · {}",
                    self.settings().operator.name,
                    self.privacy_contact()
                )
            } else {
                format!(
                    "{}; set `operator.name` and `operator.contact_email` (docs/operations.md){}",
                    problems.join("; "),
                    if self.settings().demo {
                        " — allowed in --demo"
                    } else {
                        ""
                    }
                )
            },
        ));

        let r = &self.settings().retention;
        let store = self.store();
        let slack = 2 * 3600 * 1000; // the hourly purges may be up to two periods behind
        for (name, table, column, days) in [
            (
                "C9 no assistant log older than its retention",
                "assistant_logs",
                "created_at",
                r.assistant_log_days,
            ),
            (
                "C2 no IP event older than its retention",
                "ip_events",
                "created_at",
                r.ip_event_days,
            ),
        ] {
            let before = now - i64::from(days) * DAY_MS - slack;
            let n = store.count_before(table, column, before).await?;
            checks.push(Check::new(
                name,
                n == 0,
                format!("{n} row(s) older than {days} days"),
            ));
        }
        let stale = now - 2 * 15 * MINUTE_MS;
        for (name, table, column) in [
            (
                "C3 no expired sign-in code kept",
                "auth_challenges",
                "expires_at",
            ),
            ("C3 no expired session kept", "sessions", "expires_at"),
        ] {
            let n = store.count_before(table, column, stale).await?;
            checks.push(Check::new(name, n == 0, format!("{n} expired row(s)")));
        }

        let pending = store.pending_deletions().await?;
        let late: Vec<_> = pending
            .iter()
            .filter(|d| d.requested_at < now - DELETION_DEADLINE_DAYS * DAY_MS)
            .collect();
        checks.push(Check::new(
            "D3 no account deletion request older than 30 days",
            late.is_empty(),
            format!("{} pending, {} past 30 days", pending.len(), late.len()),
        ));

        let orphans = self.orphan_blobs().await?;
        checks.push(Check::new(
            "R1 no orphan blobs",
            orphans.is_empty(),
            format!("{} blob(s) without a row", orphans.len()),
        ));

        let mut sampled = 0;
        let mut plain = 0;
        let listed: Vec<_> = self
            .blobs()
            .list(Some(&BlobKey::users_root()))
            .try_collect()
            .await?;
        for blob in listed.iter().take(ENCRYPTION_SAMPLE) {
            // The header alone says whether a blob is sealed; a blob too short for one is not.
            let header_len = u64::try_from(atelier_crypto::HEADER_LEN).unwrap_or(u64::MAX);
            let sealed = match self.blobs().get_range(&blob.key, 0..header_len).await {
                Ok(head) => atelier_crypto::BlobHeader::parse(&head).is_ok(),
                Err(atelier_media::StorageError::NotFound) => continue, // deleted meanwhile
                Err(_) => false,
            };
            sampled += 1;
            if !sealed {
                plain += 1;
            }
        }
        checks.push(Check::new(
            "R1 user blobs are encrypted with the owner's key",
            plain == 0,
            format!("{sampled} blob(s) read, {plain} not encrypted"),
        ));

        let log = &self.settings().log;
        checks.push(match &log.dir {
            Some(dir) => {
                let files = self.log_files()?;
                let oldest = self.oldest_log_day();
                let total: u64 = files.iter().map(|f| f.bytes).sum();
                let old = files.iter().filter(|f| f.day < oldest).count();
                let cap = log.max_total_mb.saturating_mul(1024 * 1024);
                Check::new(
                    "R6 technical logs bounded by age and size",
                    old == 0 && (total <= cap || files.len() <= 1),
                    format!(
                        "{} file(s) in {}, {} MiB, {old} older than {} days",
                        files.len(),
                        dir.display(),
                        total / (1024 * 1024),
                        self.settings().retention.log_days
                    ),
                )
            }
            None => Check::new(
                "R6 technical logs bounded by age and size",
                true,
                "written to standard error; the service manager (journald) bounds them",
            ),
        });
        let filter = self.settings().log.filter.to_lowercase();
        let verbose = ["trace", "debug"]
            .iter()
            .any(|level| filter.contains(level));
        checks.push(Check::new(
            "C10 log redaction on (no debug or trace logging that could carry request data)",
            !verbose,
            format!("log.filter = {:?}", self.settings().log.filter),
        ));
        let private = self.settings().fetch.allow_private_addresses;
        checks.push(Check::new(
            "SEC2 downloads reach public addresses only",
            !private,
            if private {
                "fetch.allow_private_addresses is on: image downloads and URL imports may reach \
                 this network's own hosts; turn it off outside tests"
            } else {
                "fetch.allow_private_addresses is off"
            },
        ));
        Ok(checks)
    }
}
