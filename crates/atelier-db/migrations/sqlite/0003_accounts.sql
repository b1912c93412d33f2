-- Accounts (C1, C2, C3, D1, D5, SEC2): users, one-time sign-in and email-change codes, sessions,
-- personal access tokens, IP events, the mail outbox and rate-limit counters.
-- Secrets (codes, link tokens, session tokens, access tokens) are stored only as SHA-256 hashes.

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    display_name      TEXT,
    language          TEXT NOT NULL,
    roles             TEXT NOT NULL DEFAULT 'user',
    marketing_opt_in  INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE auth_challenges (
    id            TEXT PRIMARY KEY,
    purpose       TEXT NOT NULL CHECK (purpose IN ('sign_in', 'email_change')),
    email         TEXT NOT NULL,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    code_hash     TEXT NOT NULL,
    link_hash     TEXT UNIQUE,
    browser_hash  TEXT,
    language      TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX auth_challenges_email ON auth_challenges (email, purpose);
CREATE INDEX auth_challenges_expires ON auth_challenges (expires_at);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ip_logged_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE access_tokens (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    expires_at    INTEGER
);
CREATE INDEX access_tokens_user ON access_tokens (user_id);

CREATE TABLE ip_events (
    id          TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('signup', 'sign_in', 'session')),
    ip          TEXT NOT NULL,
    network     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ip_events_user_network ON ip_events (user_id, network);
CREATE INDEX ip_events_created ON ip_events (created_at);

CREATE TABLE mail_outbox (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    headers     TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER
);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);

CREATE TABLE rate_limits (
    key           TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
