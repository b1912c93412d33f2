-- The privacy center (D3, D4, D7, D8, P1, R1, R5, SEC2, SEC4).

-- D3: an account deletion requested by its owner (or entered by an admin for a request that came
-- by mail). Processed when `due_at` passes; withdrawn by deleting the row. It goes with the user.
CREATE TABLE deletion_requests (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    source        TEXT NOT NULL CHECK (source IN ('self', 'admin')),
    requested_at  BIGINT NOT NULL,
    due_at        BIGINT NOT NULL
);
CREATE INDEX deletion_requests_due ON deletion_requests (due_at);

-- C1, D7, P1: what the user agreed to and when — marketing opt-in and opt-out (from settings,
-- the API or an unsubscribe link) and each version of the policy they opened.
CREATE TABLE consent_events (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('marketing', 'policy')),
    value       TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX consent_events_user ON consent_events (user_id, created_at);

-- P1: the policy version a user last opened; a newer one shows a banner until opened.
ALTER TABLE users ADD COLUMN policy_version_seen BIGINT NOT NULL DEFAULT 0;

-- R5: when the operator turns it on, a salted hash of a deleted account's normalized address, to
-- block abuse by the same address; never the address itself.
CREATE TABLE blocked_email_hashes (
    hash        TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- SEC2, SEC4: who read or changed whose data with elevated rights (admin and support actions,
-- deletions). The subject is cleared when that account is deleted.
CREATE TABLE audit_log (
    id               TEXT PRIMARY KEY,
    actor            TEXT NOT NULL,
    action           TEXT NOT NULL,
    subject_user_id  TEXT,
    detail           TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_subject ON audit_log (subject_user_id);

-- SEC4: when each retention job last ran and what it removed (read by `atelier doctor`).
CREATE TABLE retention_runs (
    job          TEXT PRIMARY KEY,
    last_run_at  BIGINT NOT NULL,
    removed      BIGINT NOT NULL
);

-- D4: exports prepared in the background for large accounts; the ZIP is a blob encrypted with the
-- user's key, fetched through a signed link that expires.
CREATE TABLE exports (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'ready', 'failed')),
    byte_size   BIGINT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX exports_user ON exports (user_id);
CREATE INDEX exports_expires ON exports (expires_at);
