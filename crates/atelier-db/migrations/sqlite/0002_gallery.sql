-- The public gallery (G1, C7): items indexed from X or imported, their images, takedown tombstones,
-- and a change log that keeps every node's search index current.

CREATE TABLE gallery_items (
    id              TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    source_post_id  TEXT NOT NULL,
    source_url      TEXT,
    prompt          TEXT NOT NULL,
    model           TEXT NOT NULL,
    aspect          TEXT NOT NULL,
    categories      TEXT NOT NULL,
    author_handle   TEXT NOT NULL,
    author_name     TEXT NOT NULL,
    author_url      TEXT,
    likes           INTEGER NOT NULL DEFAULT 0,
    views           INTEGER NOT NULL DEFAULT 0,
    favorites       INTEGER NOT NULL DEFAULT 0,
    posted_at       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (source, source_post_id)
);
CREATE INDEX gallery_items_posted ON gallery_items (posted_at DESC, id);

CREATE TABLE gallery_images (
    item_id       TEXT NOT NULL REFERENCES gallery_items (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    remote_url    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    content_type  TEXT,
    byte_size     INTEGER,
    thumb_widths  TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE gallery_tombstones (
    source          TEXT NOT NULL,
    source_post_id  TEXT NOT NULL,
    removed_at      INTEGER NOT NULL,
    PRIMARY KEY (source, source_post_id)
);

CREATE TABLE gallery_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     TEXT NOT NULL,
    changed_at  INTEGER NOT NULL
);
CREATE INDEX gallery_changes_time ON gallery_changes (changed_at);

CREATE TABLE instance_meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
