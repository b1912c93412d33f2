-- Creators' takedown requests (issue 19, C7): anyone may ask for the removal of a post; staff
-- answer from the console's queue. The contact address is kept while the request is open and for
-- `retention.takedown_contact_days` after its answer, then cleared (the request stays, without it).
CREATE TABLE takedown_requests (
    id             TEXT PRIMARY KEY,
    source_url     TEXT NOT NULL,
    contact_email  TEXT,
    language       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'removed', 'declined')),
    removed        INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    closed_at      BIGINT,
    closed_by      TEXT
);
CREATE INDEX takedown_requests_open ON takedown_requests (status, created_at);
