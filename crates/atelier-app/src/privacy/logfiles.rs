//! Technical log files (R6): when `log.dir` is set the server writes one file a day,
//! `atelier.YYYY-MM-DD.log`; this keeps them `retention.log_days` at most and within
//! `log.max_total_mb`, the oldest going first (today's file is never removed). Without `log.dir`
//! the logs go to standard error and the service manager (journald) bounds them.

use crate::{App, AppError};
use atelier_core::clock::DAY_MS;
use std::path::PathBuf;

/// A log file and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its day, `YYYY-MM-DD`.
    pub day: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The day of a log file's name, if it is one of ours.
fn day_of(name: &str) -> Option<&str> {
    let day = name.strip_prefix("atelier.")?.strip_suffix(".log")?;
    let b = day.as_bytes();
    (b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && day.replace('-', "").bytes().all(|c| c.is_ascii_digit()))
    .then_some(day)
}

impl App {
    /// The log files under `log.dir`, oldest first.
    ///
    /// # Errors
    /// When the folder cannot be read.
    pub fn log_files(&self) -> Result<Vec<LogFile>, AppError> {
        let Some(dir) = &self.settings().log.dir else {
            return Ok(Vec::new());
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(AppError::Unavailable(format!("log folder: {e}"))),
        };
        let mut files: Vec<LogFile> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let day = day_of(&name)?.to_owned();
                let bytes = e.metadata().ok()?.len();
                Some(LogFile {
                    path: e.path(),
                    day,
                    bytes,
                })
            })
            .collect();
        files.sort_by(|a, b| a.day.cmp(&b.day));
        Ok(files)
    }

    /// The oldest day a log file may be of: `retention.log_days` before today.
    #[must_use]
    pub fn oldest_log_day(&self) -> String {
        let days = i64::from(self.settings().retention.log_days);
        let cutoff = self.now_ms() - days * DAY_MS;
        atelier_core::time::rfc3339(cutoff)
            .get(..10)
            .unwrap_or_default()
            .to_owned()
    }

    /// Removes log files past their retention, then the oldest while the files exceed
    /// `log.max_total_mb`; returns how many went.
    ///
    /// # Errors
    /// When a file cannot be removed.
    pub fn purge_log_files(&self) -> Result<u64, AppError> {
        let files = self.log_files()?;
        let oldest = self.oldest_log_day();
        let cap = self.settings().log.max_total_mb.saturating_mul(1024 * 1024);
        let mut total: u64 = files.iter().map(|f| f.bytes).sum();
        let mut removed = 0;
        let newest = files.last().map(|f| f.day.clone());
        for file in &files {
            let too_old = file.day < oldest;
            let too_big = total > cap;
            if (too_old || too_big) && Some(&file.day) != newest.as_ref() {
                std::fs::remove_file(&file.path)
                    .map_err(|e| AppError::Unavailable(format!("log file: {e}")))?;
                total = total.saturating_sub(file.bytes);
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_daily_files_count() {
        assert_eq!(day_of("atelier.2026-11-25.log"), Some("2026-11-25"));
        assert_eq!(day_of("atelier.log"), None);
        assert_eq!(day_of("other.2026-11-25.log"), None);
        assert_eq!(day_of("atelier.2026-1x-25.log"), None);
    }
}
