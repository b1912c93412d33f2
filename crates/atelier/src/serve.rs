//! `atelier serve` and `atelier migrate`.

use anyhow::Context as _;
use atelier_app::App;
use atelier_core::{Settings, SystemClock};
use atelier_jobs::{Runner, RunnerConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often each node's search index reads the gallery's change log.
const INDEX_SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// Applies migrations and exits.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let app = App::open(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database and storage")?;
    app.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

/// Migrates, then serves HTTP and runs the job workers until SIGINT or SIGTERM.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.bind;
    let grace = Duration::from_secs(settings.http.shutdown_grace_secs);
    let runner_config = RunnerConfig {
        workers: settings.jobs.workers,
        poll_interval: Duration::from_millis(settings.jobs.poll_interval_ms),
        lease: Duration::from_secs(settings.jobs.lease_secs),
        shutdown_grace: grace,
        ..RunnerConfig::default()
    };
    let app = App::open_serving(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database, storage and search index")?;
    // Fail at start-up, not at the first upload, when the master key cannot be had.
    app.master_key().context("cannot load the master key")?;
    let shutdown = CancellationToken::new();
    if !app.settings().demo {
        // The privacy policy names the operator and where to write about one's data (issue 22).
        for problem in app.operator_identity_problems() {
            tracing::warn!(
                problem = %problem,
                "the privacy policy does not name a real operator: set operator.name and operator.contact_email (docs/operations.md)"
            );
        }
    }
    if app.settings().demo {
        let queued = app
            .queue_demo_seed()
            .await
            .context("cannot queue the demo gallery")?;
        if queued > 0 {
            tracing::info!(jobs = queued, "drawing the demo gallery in the background");
        }
    }
    let index_sync = tokio::spawn(
        app.clone()
            .run_index_sync(INDEX_SYNC_INTERVAL, shutdown.clone()),
    );

    let runner = Runner::new(
        app.queue().clone(),
        atelier_app::registry(&app),
        runner_config,
    );
    let workers = tokio::spawn(runner.run(shutdown.clone()));

    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        public_url = %app.settings().public_url,
        database = ?app.settings().database_kind,
        storage = app.blobs().backend(),
        demo = app.settings().demo,
        "Atelier is serving"
    );
    let server = tokio::spawn(atelier_web::serve(
        listener,
        atelier_web::router(app.clone()),
        shutdown.clone(),
    ));

    wait_for_signal().await;
    tracing::info!("shutting down: finishing requests and jobs in flight");
    shutdown.cancel();
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => tracing::error!(error = %e, "the server stopped with an error"),
        Ok(Err(e)) => tracing::error!(error = %e, "the server task failed"),
        Err(_) => tracing::warn!("requests still open after the grace period were dropped"),
    }
    index_sync.abort();
    if workers.await.is_err() {
        tracing::error!("the job workers failed");
    }
    app.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
