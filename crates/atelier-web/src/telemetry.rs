//! Service logs (C10, R6): human-readable on a terminal, JSON lines otherwise. What reaches them is
//! decided where events are written (request ids, route templates, statuses, timings, job ids);
//! this module only chooses the format and the filter, and keeps chatty dependencies quiet.

use atelier_core::settings::{LogFormat, LogSettings};
use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Filters added to the configured one: dependencies that would log SQL or connection details
/// at `info` are held to warnings.
const QUIET: &[&str] = &[
    "sqlx=warn",
    "hyper=warn",
    "h2=warn",
    "tower_http=warn",
    "object_store=warn",
];

fn filter(settings: &LogSettings) -> EnvFilter {
    let mut directives = settings.filter.clone();
    for quiet in QUIET {
        directives.push(',');
        directives.push_str(quiet);
    }
    EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber writing to `writer`. `terminal` picks the pretty format when
/// the format is `auto`.
///
/// # Errors
/// When a global subscriber is already installed.
pub fn init<W>(
    settings: &LogSettings,
    writer: W,
    terminal: bool,
) -> Result<(), tracing_subscriber::util::TryInitError>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt as _;
    let json = match settings.format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !terminal,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(settings))
        .with_writer(writer)
        .with_target(true);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .finish()
            .try_init()
    } else {
        builder.compact().finish().try_init()
    }
}

/// Installs the subscriber on standard error, pretty when it is a terminal.
///
/// # Errors
/// When a global subscriber is already installed.
pub fn init_stderr(settings: &LogSettings) -> Result<(), tracing_subscriber::util::TryInitError> {
    let terminal = std::io::stderr().is_terminal();
    init(settings, std::io::stderr, terminal)
}

/// Installs the configured subscriber: daily files under `log.dir` when set (kept
/// `retention.log_days` and `log.max_total_mb` by the retention job, R6), else standard error.
///
/// # Errors
/// When the folder cannot be created or a global subscriber is already installed.
pub fn init_configured(settings: &LogSettings) -> Result<(), Box<dyn std::error::Error>> {
    match &settings.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .filename_suffix(LOG_FILE_SUFFIX)
                .build(dir)?;
            init(settings, appender, false)?;
        }
        None => init_stderr(settings)?,
    }
    Ok(())
}

/// Log files are `atelier.YYYY-MM-DD.log`.
pub const LOG_FILE_PREFIX: &str = "atelier";
/// See [`LOG_FILE_PREFIX`].
pub const LOG_FILE_SUFFIX: &str = "log";
