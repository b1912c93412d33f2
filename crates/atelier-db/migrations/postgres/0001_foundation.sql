-- Foundation: the durable job queue and the periodic scheduler's bookkeeping.
-- Times are integer milliseconds since the Unix epoch (UTC); ids are text.

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    dedup_key       TEXT UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    max_attempts    BIGINT NOT NULL,
    run_at          BIGINT NOT NULL,
    locked_by       TEXT,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE periodic_jobs (
    name              TEXT PRIMARY KEY,
    interval_ms       BIGINT NOT NULL,
    next_run_at       BIGINT NOT NULL,
    last_enqueued_at  BIGINT,
    last_completed_at BIGINT
);
