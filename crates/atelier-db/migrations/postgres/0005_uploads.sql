-- Encryption at rest (R1) and reference uploads (C5, C11).
-- Each user's blobs are encrypted with a data key of their own, stored here only wrapped by the
-- instance's master key: deleting this row makes every copy of the user's blobs unreadable.

CREATE TABLE user_keys (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    wrapped     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    byte_size     BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX uploads_user ON uploads (user_id, created_at);
