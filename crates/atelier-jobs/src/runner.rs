//! Running jobs: a bounded pool of workers on each node claims due jobs with a lease, runs their
//! handlers, and records the outcome; a scheduler enqueues periodic jobs once per period across all
//! nodes. At shutdown, jobs in flight get a grace period and are then handed back to the queue.

use crate::{JobError, Queue};
use atelier_db::DbError;
use atelier_db::jobs::{ClaimedJob, NewJob};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash as _, Hasher as _};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// First retry delay; doubles with each attempt.
const BACKOFF_BASE_MS: i64 = 2_000;
/// Longest retry delay.
const BACKOFF_CAP_MS: i64 = 60 * 60 * 1000;
/// Attempts a periodic job's run gets.
const PERIODIC_MAX_ATTEMPTS: i64 = 3;

/// What a handler gets: the job's identity and its payload.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// Job id.
    pub id: String,
    /// Handler name.
    pub kind: String,
    /// This attempt's number, from 1.
    pub attempt: i64,
    /// Attempts the job gets; `attempt == max_attempts` is the last one.
    pub max_attempts: i64,
    /// JSON payload as enqueued.
    pub payload: String,
}

impl JobContext {
    /// Parses the payload; a payload that does not parse can never succeed, so the error is
    /// permanent.
    ///
    /// # Errors
    /// [`JobError::Permanent`] when the JSON does not match `T`.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_str(&self.payload)
            .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))
    }
}

/// A job handler.
pub type Handler =
    Arc<dyn Fn(JobContext) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// A job enqueued by the scheduler every `interval`.
#[derive(Debug, Clone)]
pub struct Periodic {
    /// Job kind (its handler's name).
    pub name: String,
    /// Time between runs.
    pub interval: Duration,
}

/// Handlers by job kind, and the periodic jobs.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
    periodic: Vec<Periodic>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<&String> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("Registry")
            .field("handlers", &kinds)
            .field("periodic", &self.periodic)
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler of job kind `kind`.
    pub fn handle<F, Fut>(&mut self, kind: &str, handler: F) -> &mut Self
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.handlers
            .insert(kind.to_owned(), Arc::new(move |ctx| handler(ctx).boxed()));
        self
    }

    /// Registers a handler that the scheduler runs every `interval`, once across all nodes.
    pub fn every<F, Fut>(&mut self, kind: &str, interval: Duration, handler: F) -> &mut Self
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.handle(kind, handler);
        self.periodic.retain(|p| p.name != kind);
        self.periodic.push(Periodic {
            name: kind.to_owned(),
            interval,
        });
        self
    }

    /// The periodic jobs.
    #[must_use]
    pub fn periodic(&self) -> &[Periodic] {
        &self.periodic
    }

    fn is_periodic(&self, kind: &str) -> bool {
        self.periodic.iter().any(|p| p.name == kind)
    }
}

/// How a node runs jobs.
#[derive(Debug, Clone, Copy)]
pub struct RunnerConfig {
    /// Jobs run at once on this node.
    pub workers: usize,
    /// Pause between polls when the queue was empty.
    pub poll_interval: Duration,
    /// How long a claim holds before another node may take the job.
    pub lease: Duration,
    /// How often the scheduler looks for due periodic jobs.
    pub scheduler_tick: Duration,
    /// How long jobs in flight may finish after shutdown before they are handed back.
    pub shutdown_grace: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(120),
            scheduler_tick: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

/// One node's workers and scheduler.
#[derive(Debug, Clone)]
pub struct Runner {
    queue: Queue,
    registry: Arc<Registry>,
    config: RunnerConfig,
    worker_id: String,
}

impl Runner {
    /// A runner for `queue` with the handlers of `registry`.
    #[must_use]
    pub fn new(queue: Queue, registry: Registry, config: RunnerConfig) -> Self {
        Self {
            queue,
            registry: Arc::new(registry),
            config: RunnerConfig {
                workers: config.workers.max(1),
                ..config
            },
            worker_id: atelier_core::id::new_id(),
        }
    }

    /// This node's worker id (holder of its leases).
    #[must_use]
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Runs workers and the scheduler until `shutdown` is cancelled; then lets jobs in flight finish
    /// within the grace period and hands the rest back to the queue.
    pub async fn run(self, shutdown: CancellationToken) {
        let scheduler = {
            let this = self.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move { this.schedule(shutdown).await })
        };
        let permits = Arc::new(Semaphore::new(self.config.workers));
        let abandon = CancellationToken::new();
        let mut tasks = JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let free = permits.available_permits();
            let mut claimed_all = false;
            if free > 0 {
                let limit = i64::try_from(free).unwrap_or(1);
                match self.claim(limit).await {
                    Ok(jobs) => {
                        claimed_all = jobs.len() == free;
                        for job in jobs {
                            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                                break;
                            };
                            let this = self.clone();
                            let abandon = abandon.clone();
                            tasks.spawn(async move {
                                this.execute(job, &abandon).await;
                                drop(permit);
                                this.queue.wake().notify_one();
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "claiming jobs failed"),
                }
            }
            if claimed_all {
                if shutdown.is_cancelled() {
                    break;
                }
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.queue.wake().notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        let drained = tokio::time::timeout(self.config.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::info!(
                in_flight = tasks.len(),
                "handing unfinished jobs back to the queue"
            );
            abandon.cancel();
            while tasks.join_next().await.is_some() {}
        }
        scheduler.abort();
    }

    /// Claims every due job and runs them, `workers` at a time, until none is due; returns how many
    /// ran. For the `purge` command and for tests.
    ///
    /// # Errors
    /// When claiming fails.
    pub async fn run_due(&self) -> Result<usize, DbError> {
        let never = CancellationToken::new();
        let mut ran = 0;
        loop {
            let limit = i64::try_from(self.config.workers).unwrap_or(1);
            let jobs = self.claim(limit).await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            ran += jobs.len();
            futures::future::join_all(jobs.into_iter().map(|job| self.execute(job, &never))).await;
        }
    }

    /// Enqueues every periodic job that is due, once across all nodes; returns how many this node
    /// enqueued.
    ///
    /// # Errors
    /// Database errors.
    pub async fn tick_scheduler(&self) -> Result<usize, DbError> {
        let mut enqueued = 0;
        for periodic in self.registry.periodic() {
            let now = self.queue.now_ms();
            let id = atelier_core::id::new_id();
            let dedup = format!("periodic:{}", periodic.name);
            let job = NewJob {
                id: &id,
                kind: &periodic.name,
                payload: "{}",
                dedup_key: Some(&dedup),
                run_at: now,
                max_attempts: PERIODIC_MAX_ATTEMPTS,
            };
            let interval_ms = i64::try_from(periodic.interval.as_millis()).unwrap_or(i64::MAX);
            if self
                .queue
                .store()
                .claim_periodic(&periodic.name, interval_ms, &job, now)
                .await?
            {
                enqueued += 1;
            }
        }
        if enqueued > 0 {
            self.queue.wake().notify_one();
        }
        Ok(enqueued)
    }

    async fn schedule(&self, shutdown: CancellationToken) {
        if self.registry.periodic().is_empty() {
            return;
        }
        loop {
            if let Err(e) = self.tick_scheduler().await {
                tracing::warn!(error = %e, "scheduling periodic jobs failed");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.config.scheduler_tick) => {}
            }
        }
    }

    async fn claim(&self, limit: i64) -> Result<Vec<ClaimedJob>, DbError> {
        let now = self.queue.now_ms();
        self.queue
            .store()
            .claim_jobs(
                &self.worker_id,
                now,
                now.saturating_add(self.lease_ms()),
                limit,
            )
            .await
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX)
    }

    async fn execute(&self, job: ClaimedJob, abandon: &CancellationToken) {
        let store = self.queue.store();
        let started = Instant::now();
        if job.attempts > job.max_attempts {
            // Its earlier workers died holding it: give up rather than loop forever.
            let now = self.queue.now_ms();
            let reason = "out of attempts (worker lost its lease)";
            if let Err(e) = store
                .fail_job(&job.id, &self.worker_id, reason, None, now)
                .await
            {
                tracing::warn!(error = %e, job_id = %job.id, "recording a dead job failed");
            }
            tracing::warn!(job_id = %job.id, kind = %job.kind, "job dead: out of attempts");
            return;
        }
        let Some(handler) = self.registry.handlers.get(&job.kind).cloned() else {
            self.record_failure(
                &job,
                &JobError::Permanent(format!("no handler for job kind `{}`", job.kind)),
            )
            .await;
            return;
        };
        let ctx = JobContext {
            id: job.id.clone(),
            kind: job.kind.clone(),
            attempt: job.attempts,
            max_attempts: job.max_attempts,
            payload: job.payload.clone(),
        };
        let heartbeat = self.heartbeat(job.id.clone());
        let outcome = tokio::select! {
            result = AssertUnwindSafe(handler(ctx)).catch_unwind() => Some(result),
            () = abandon.cancelled() => None,
        };
        heartbeat.abort();
        let now = self.queue.now_ms();
        match outcome {
            None => {
                if let Err(e) = store.release_job(&job.id, &self.worker_id, now).await {
                    tracing::warn!(error = %e, job_id = %job.id, "handing a job back failed");
                }
            }
            Some(Ok(Ok(()))) => {
                match store.complete_job(&job.id, &self.worker_id).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job_id = %job.id, kind = %job.kind, "job finished after its lease was lost")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, job_id = %job.id, "recording a finished job failed")
                    }
                }
                if self.registry.is_periodic(&job.kind)
                    && let Err(e) = store.periodic_completed(&job.kind, now).await
                {
                    tracing::warn!(error = %e, kind = %job.kind, "recording a periodic run failed");
                }
                tracing::info!(
                    job_id = %job.id,
                    kind = %job.kind,
                    attempt = job.attempts,
                    duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "job done"
                );
            }
            Some(Ok(Err(err))) => self.record_failure(&job, &err).await,
            Some(Err(_panic)) => {
                self.record_failure(&job, &JobError::Retry("the handler panicked".to_owned()))
                    .await;
            }
        }
    }

    /// Keeps extending the lease while the handler runs, so long jobs are not taken by others.
    fn heartbeat(&self, job_id: String) -> tokio::task::JoinHandle<()> {
        let store = self.queue.store().clone();
        let clock = Arc::clone(self.queue.clock());
        let worker = self.worker_id.clone();
        let lease_ms = self.lease_ms();
        let every = self.config.lease / 3;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let until = clock.now_ms().saturating_add(lease_ms);
                match store.extend_job_lease(&job_id, &worker, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(error = %e, "extending a job lease failed"),
                }
            }
        })
    }

    async fn record_failure(&self, job: &ClaimedJob, err: &JobError) {
        let now = self.queue.now_ms();
        let retry_at = match err {
            JobError::Retry(_) if job.attempts < job.max_attempts => {
                Some(now.saturating_add(backoff_ms(&job.id, job.attempts)))
            }
            JobError::RetryAfter(_, after) if job.attempts < job.max_attempts => {
                let asked = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
                Some(now.saturating_add(backoff_ms(&job.id, job.attempts).max(asked)))
            }
            JobError::Retry(_) | JobError::RetryAfter(..) | JobError::Permanent(_) => None,
        };
        // The error text is kept on the row for operators; logs carry only ids (C10).
        let message = err.to_string();
        if let Err(e) = self
            .queue
            .store()
            .fail_job(&job.id, &self.worker_id, &message, retry_at, now)
            .await
        {
            tracing::warn!(error = %e, job_id = %job.id, "recording a failed job failed");
        }
        match retry_at {
            Some(at) => tracing::warn!(
                job_id = %job.id,
                kind = %job.kind,
                attempt = job.attempts,
                retry_in_ms = at - now,
                "job failed; will retry"
            ),
            None => {
                tracing::error!(job_id = %job.id, kind = %job.kind, attempt = job.attempts, "job dead")
            }
        }
    }
}

/// Exponential back-off with up to 25 % jitter, derived from the job id so it is reproducible.
#[must_use]
pub fn backoff_ms(job_id: &str, attempt: i64) -> i64 {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let base = BACKOFF_BASE_MS
        .saturating_mul(1_i64 << exp)
        .min(BACKOFF_CAP_MS);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    job_id.hash(&mut hasher);
    attempt.hash(&mut hasher);
    let jitter = i64::try_from(hasher.finish() % 250).unwrap_or(0);
    base + base * jitter / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = backoff_ms("j", 1);
        assert!((2_000..=2_500).contains(&first), "{first}");
        let third = backoff_ms("j", 3);
        assert!((8_000..=10_000).contains(&third), "{third}");
        assert!(backoff_ms("j", 40) <= BACKOFF_CAP_MS * 5 / 4);
        assert_eq!(backoff_ms("j", 2), backoff_ms("j", 2));
    }
}
