//! The rows behind the durable job queue and the periodic scheduler. The queue's behaviour (retry,
//! back-off, leases, concurrency) lives in `atelier-jobs`; this module only reads and writes rows,
//! each change in one statement so that two nodes racing for the same job cannot both win.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use atelier_core::settings::DatabaseKind;
use sqlx::Row as _;

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Fresh id of the job.
    pub id: &'a str,
    /// Which handler runs it.
    pub kind: &'a str,
    /// JSON payload for the handler.
    pub payload: &'a str,
    /// While a job with the same key is queued or running, enqueueing another is a no-op.
    pub dedup_key: Option<&'a str>,
    /// Earliest time to run.
    pub run_at: UnixMillis,
    /// Attempts before the job is dead.
    pub max_attempts: i64,
}

/// A job claimed by a worker, leased until the time it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    /// Job id.
    pub id: String,
    /// Handler name.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// This attempt's number, starting at 1.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting to run (including back-off).
    pub queued: i64,
    /// Leased to a worker.
    pub running: i64,
    /// Out of attempts.
    pub dead: i64,
}

/// A dead job, for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadJob {
    /// Job id.
    pub id: String,
    /// Handler name.
    pub kind: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
}

/// Adds a queued job unless one with the same dedup key is queued or running.
const INSERT_JOB: &str = "INSERT INTO jobs (id, kind, payload, dedup_key, status, attempts, max_attempts, run_at, \
     created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7) \
     ON CONFLICT (dedup_key) DO NOTHING";

const CLAIM_POSTGRES: &str = "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
     attempts = attempts + 1, updated_at = $3 \
     WHERE id IN (SELECT id FROM jobs \
         WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until <= $3) \
         ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, payload, attempts, max_attempts";

// SQLite has one writer at a time, so the UPDATE with its sub-select is already atomic.
const CLAIM_SQLITE: &str = "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
     attempts = attempts + 1, updated_at = $3 \
     WHERE id IN (SELECT id FROM jobs \
         WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until <= $3) \
         ORDER BY run_at, id LIMIT $4) \
     RETURNING id, kind, payload, attempts, max_attempts";

impl Store {
    /// Adds a job. Returns `false` when a job with the same dedup key is already queued or running.
    ///
    /// # Errors
    /// Database errors.
    pub async fn enqueue_job(&self, job: &NewJob<'_>, now: UnixMillis) -> Result<bool, DbError> {
        let result = sqlx::query(INSERT_JOB)
            .bind(job.id)
            .bind(job.kind)
            .bind(job.payload)
            .bind(job.dedup_key)
            .bind(job.max_attempts)
            .bind(job.run_at)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// [`Store::enqueue_job`] inside a transaction of the caller's, so the job exists exactly when
    /// what it follows up was committed.
    pub(crate) async fn enqueue_job_in(
        tx: &mut crate::credits::Tx,
        job: &NewJob<'_>,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        sqlx::query(INSERT_JOB)
            .bind(job.id)
            .bind(job.kind)
            .bind(job.payload)
            .bind(job.dedup_key)
            .bind(job.max_attempts)
            .bind(job.run_at)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Leases up to `limit` due jobs (or jobs whose lease ran out) to `worker` until `lease_until`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        now: UnixMillis,
        lease_until: UnixMillis,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>, DbError> {
        let sql = match self.kind() {
            DatabaseKind::Postgres => CLAIM_POSTGRES,
            DatabaseKind::Sqlite => CLAIM_SQLITE,
        };
        let rows = sqlx::query(sql)
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedJob {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    payload: row.try_get("payload")?,
                    attempts: row.try_get("attempts")?,
                    max_attempts: row.try_get("max_attempts")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Removes a finished job. `false` when the worker no longer holds its lease.
    ///
    /// # Errors
    /// Database errors.
    pub async fn complete_job(&self, id: &str, worker: &str) -> Result<bool, DbError> {
        let result =
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND status = 'running'")
                .bind(id)
                .bind(worker)
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records a failed attempt: back on the queue at `retry_at`, or dead when `retry_at` is `None`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn fail_job(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let result = match retry_at {
            Some(at) => {
                sqlx::query(
                    "UPDATE jobs SET status = 'queued', run_at = $3, locked_by = NULL, \
                     locked_until = NULL, last_error = $4, updated_at = $5 \
                     WHERE id = $1 AND locked_by = $2 AND status = 'running'",
                )
                .bind(id)
                .bind(worker)
                .bind(at)
                .bind(error)
                .bind(now)
                .execute(self.pool())
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE jobs SET status = 'dead', dedup_key = NULL, locked_by = NULL, \
                     locked_until = NULL, last_error = $3, updated_at = $4 \
                     WHERE id = $1 AND locked_by = $2 AND status = 'running'",
                )
                .bind(id)
                .bind(worker)
                .bind(error)
                .bind(now)
                .execute(self.pool())
                .await?
            }
        };
        Ok(result.rows_affected() == 1)
    }

    /// Extends a running job's lease. `false` when the worker lost it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn extend_job_lease(
        &self,
        id: &str,
        worker: &str,
        lease_until: UnixMillis,
    ) -> Result<bool, DbError> {
        let result = sqlx::query(
            "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        )
        .bind(id)
        .bind(worker)
        .bind(lease_until)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Gives a job back unfinished (at shutdown): queued again at once, this attempt not counted.
    ///
    /// # Errors
    /// Database errors.
    pub async fn release_job(
        &self,
        id: &str,
        worker: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let result = sqlx::query(
            "UPDATE jobs SET status = 'queued', run_at = $3, attempts = attempts - 1, \
             locked_by = NULL, locked_until = NULL, updated_at = $3 \
             WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        )
        .bind(id)
        .bind(worker)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Counts jobs by state.
    ///
    /// # Errors
    /// Database errors.
    pub async fn job_counts(&self) -> Result<JobCounts, DbError> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
            .fetch_all(self.pool())
            .await?;
        let mut counts = JobCounts::default();
        for row in rows {
            let status: String = row.try_get("status")?;
            let n: i64 = row.try_get("n")?;
            match status.as_str() {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                _ => counts.dead += n,
            }
        }
        Ok(counts)
    }

    /// Dead jobs, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn dead_jobs(&self, limit: i64) -> Result<Vec<DeadJob>, DbError> {
        let rows = sqlx::query(
            "SELECT id, kind, attempts, last_error FROM jobs WHERE status = 'dead' \
             ORDER BY updated_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeadJob {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Deletes dead jobs last touched before `before`; returns how many.
    ///
    /// # Errors
    /// Database errors.
    pub async fn delete_dead_jobs(&self, before: UnixMillis) -> Result<u64, DbError> {
        let result = sqlx::query("DELETE FROM jobs WHERE status = 'dead' AND updated_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }

    /// Takes the current period of periodic job `name` for this node when it is due: returns `true`
    /// to exactly one of the nodes that ask within one period, and enqueues the job in the same
    /// transaction.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim_periodic(
        &self,
        name: &str,
        interval_ms: i64,
        job: &NewJob<'_>,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        sqlx::query(
            "INSERT INTO periodic_jobs (name, interval_ms, next_run_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(interval_ms)
        .bind(now)
        .execute(self.pool())
        .await?;
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(
            "UPDATE periodic_jobs SET next_run_at = $2 + $3, interval_ms = $3, last_enqueued_at = $2 \
             WHERE name = $1 AND next_run_at <= $2",
        )
        .bind(name)
        .bind(now)
        .bind(interval_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if taken {
            sqlx::query(INSERT_JOB)
                .bind(job.id)
                .bind(job.kind)
                .bind(job.payload)
                .bind(job.dedup_key)
                .bind(job.max_attempts)
                .bind(job.run_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(taken)
    }

    /// Notes that a run of periodic job `name` finished.
    ///
    /// # Errors
    /// Database errors.
    pub async fn periodic_completed(&self, name: &str, now: UnixMillis) -> Result<(), DbError> {
        sqlx::query("UPDATE periodic_jobs SET last_completed_at = $2 WHERE name = $1")
            .bind(name)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// When each periodic job last finished: `(name, interval_ms, last_completed_at)`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn periodic_status(&self) -> Result<Vec<(String, i64, Option<i64>)>, DbError> {
        let rows = sqlx::query(
            "SELECT name, interval_ms, last_completed_at FROM periodic_jobs ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("name")?,
                    row.try_get("interval_ms")?,
                    row.try_get("last_completed_at")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }
}
