//! `atelier import FILE_OR_URL [--render-missing]`: adds gallery items from JSON lines or a JSON
//! array (docs/import.md), read from a file or downloaded from an `http(s)://` URL, with a
//! progress bar; reports bad records by number and prints a summary.
//! Works with the server stopped or running: it writes only to the database and storage, and
//! every running node's search index picks the new items up from the change log.

use anyhow::Context as _;
use atelier_app::App;
use atelier_app::gallery::fetch::Fetcher;
use atelier_app::gallery::import::{ImportOptions, RecordOutcome, read_records};
use atelier_app::gallery::import_url::{download_import_file, is_url};
use atelier_core::{Settings, SystemClock};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufReader, IsTerminal as _};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Runs the import of a file or URL and prints its summary.
pub async fn run(settings: Settings, source: &str, render_missing: bool) -> anyhow::Result<()> {
    if is_url(source) {
        let file = download(&settings, source)
            .await
            .map_err(|e| anyhow::anyhow!("cannot import {source}: {e}"))?;
        import_file(settings, file.path(), source, render_missing).await
    } else {
        import_file(settings, Path::new(source), source, render_missing).await
    }
}

/// Downloads the import file at `url` into a temporary file, with a byte count on a terminal.
async fn download(
    settings: &Settings,
    url: &str,
) -> Result<tempfile::NamedTempFile, atelier_app::gallery::fetch::FetchError> {
    use atelier_app::gallery::fetch::FetchError;
    let file = tempfile::NamedTempFile::new().map_err(|e| FetchError::Write(e.to_string()))?;
    let mut sink = tokio::fs::File::from_std(
        file.reopen()
            .map_err(|e| FetchError::Write(e.to_string()))?,
    );
    let bar = progress_bar(
        0,
        "{spinner} downloading [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} · {bytes_per_sec}",
    );
    download_import_file(&settings.fetch, url, &mut sink, |so_far, total| {
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(so_far);
    })
    .await?;
    bar.finish_and_clear();
    Ok(file)
}

/// A progress bar on a terminal, hidden otherwise.
fn progress_bar(length: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Imports `file`; `name` is what the user named (the file or the URL it came from).
async fn import_file(
    settings: Settings,
    file: &Path,
    name: &str,
    render_missing: bool,
) -> anyhow::Result<()> {
    let total = count_records(file).with_context(|| format!("cannot import {name}"))?;
    let reader =
        BufReader::new(std::fs::File::open(file).with_context(|| format!("cannot open {name}"))?);
    let records = read_records(reader).map_err(|e| anyhow::anyhow!("cannot import {name}: {e}"))?;
    let fetcher = Fetcher::new(
        Duration::from_secs(10),
        20 * 1024 * 1024,
        settings.fetch.allow_private_addresses,
    )
    .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
    let app = App::open_for_bulk(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database and storage")?;
    let options = ImportOptions {
        fetcher: Some(fetcher),
        render_missing,
        concurrency: 4,
    };
    let bar = progress_bar(
        total,
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} · {per_sec} · ETA {eta}",
    );
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
    app.close().await;
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    print_summary(&summary, seconds);
    Ok(())
}

/// Records in the file, for the progress bar: array elements or non-blank lines.
fn count_records(file: &Path) -> anyhow::Result<u64> {
    let text = std::fs::read(file)?;
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let values: Vec<serde::de::IgnoredAny> = serde_json::from_slice(text).unwrap_or_default();
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
