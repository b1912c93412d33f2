-- The AI assistant (G4, C9, R4, D6). One row per assistant call, kept `retention.assistant_log_days`
-- (90) and purged by a periodic job; the user sees them, exports them and can delete them at once.
-- The input is the prompt as written or a reference (`upload:ID`, `image:ID`), never image bytes.

CREATE TABLE assistant_logs (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feature      TEXT NOT NULL,
    input        TEXT NOT NULL,
    instruction  TEXT,
    output       TEXT,
    provider     TEXT NOT NULL,
    model        TEXT NOT NULL,
    duration_ms  BIGINT NOT NULL,
    status       TEXT NOT NULL,
    error        TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX assistant_logs_user ON assistant_logs (user_id, created_at);
CREATE INDEX assistant_logs_created ON assistant_logs (created_at);

-- AI Edit results are generations; this says which image they change. The source is one of the
-- owner's uploads or generated images; when it is gone before the job runs, the edit fails.
CREATE TABLE generation_edits (
    generation_id  TEXT PRIMARY KEY REFERENCES generations (id) ON DELETE CASCADE,
    source_kind    TEXT NOT NULL,
    source_id      TEXT NOT NULL
);
