-- Generations (G3, G6, C5, C6, C8, U1): a user's request with its prompt, the images delivered,
-- and the uploads it used as references. Deleting a generation deletes its images' rows and its
-- reference links (the app then deletes blobs, and uploads no other live record uses).

CREATE TABLE generations (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prompt           TEXT NOT NULL,
    model_id         TEXT NOT NULL,
    provider         TEXT NOT NULL,
    aspect           TEXT NOT NULL,
    count            INTEGER NOT NULL,
    seed             INTEGER,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    error            TEXT,
    price_per_image  INTEGER NOT NULL,
    hold_id          TEXT,
    credits_charged  INTEGER NOT NULL DEFAULT 0,
    idempotency_key  TEXT,
    request_hash     TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX generations_user ON generations (user_id, created_at, id);
CREATE INDEX generations_active ON generations (user_id, status);

CREATE TABLE generation_references (
    generation_id  TEXT NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    upload_id      TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (generation_id, upload_id)
);
CREATE INDEX generation_references_upload ON generation_references (upload_id);

CREATE TABLE generation_images (
    id             TEXT PRIMARY KEY,
    generation_id  TEXT NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    content_type   TEXT NOT NULL,
    byte_size      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (generation_id, position)
);
