//! `atelier import FILE [--render-missing]`: adds gallery items from JSON lines or a JSON array
//! (docs/import.md) with a progress bar, reports bad records by number, and prints a summary.
//! Works with the server stopped or running: it writes only to the database and storage, and
//! every running node's search index picks the new items up from the change log.

use anyhow::Context as _;
use atelier_app::App;
use atelier_app::gallery::fetch::ImageFetcher;
use atelier_app::gallery::import::{ImportOptions, RecordOutcome, read_records};
use atelier_core::{Settings, SystemClock};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufReader, IsTerminal as _};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Runs the import and prints its summary.
pub async fn run(settings: Settings, file: &Path, render_missing: bool) -> anyhow::Result<()> {
    let total = count_records(file)?;
    let reader = BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    let records = read_records(reader).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let app = App::open_for_bulk(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database and storage")?;
    let fetcher = ImageFetcher::new(Duration::from_secs(10), 20 * 1024 * 1024, false)
        .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
    let options = ImportOptions {
        fetcher: Some(fetcher),
        render_missing,
        concurrency: 4,
    };

    let bar = ProgressBar::new(total);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} · {per_sec} · ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let started = std::time::Instant::now();
    let summary = app
        .import_gallery(records, &options, |outcome| {
            if let RecordOutcome::Bad { number, message } = outcome {
                bar.suspend(|| report_bad(*number, message));
            }
            bar.inc(1);
        })
        .await
        .context("the import stopped")?;
    bar.finish_and_clear();
    app.store().close().await;
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    print_summary(&summary, seconds);
    Ok(())
}

/// Records in the file, for the progress bar: array elements or non-blank lines.
fn count_records(file: &Path) -> anyhow::Result<u64> {
    let text = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let values: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&text).unwrap_or_default();
        Ok(values.len() as u64)
    } else {
        Ok(text
            .split(|b| *b == b'\n')
            .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
            .count() as u64)
    }
}

#[allow(clippy::print_stderr)]
fn report_bad(number: usize, message: &str) {
    eprintln!("skipped record {number}: {message}");
}

#[allow(clippy::print_stdout)]
fn print_summary(s: &atelier_app::gallery::import::ImportSummary, seconds: f64) {
    let records = s.created + s.updated + s.tombstoned + s.bad;
    #[allow(clippy::cast_precision_loss)]
    let rate = records as f64 / seconds;
    println!(
        "imported {records} records in {seconds:.1} s ({rate:.0}/s): {} new, {} updated, {} skipped (taken down), {} skipped (bad)",
        s.created, s.updated, s.tombstoned, s.bad
    );
    println!(
        "images: {} downloaded, {} drawn offline, {} left to background jobs",
        s.downloaded, s.rendered, s.deferred
    );
}
