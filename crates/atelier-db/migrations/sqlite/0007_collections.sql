-- Favorites and boards (G5, D2). Rows point at gallery items and generations with ON DELETE
-- CASCADE: a taken-down item or a deleted generation leaves every board and favorite list at once.

CREATE TABLE favorites (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL REFERENCES gallery_items (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX favorites_user ON favorites (user_id, created_at);
CREATE INDEX favorites_item ON favorites (item_id);

CREATE TABLE boards (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    share_token  TEXT UNIQUE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX boards_user ON boards (user_id, created_at);

CREATE TABLE board_items (
    id             TEXT PRIMARY KEY,
    board_id       TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    item_id        TEXT REFERENCES gallery_items (id) ON DELETE CASCADE,
    generation_id  TEXT REFERENCES generations (id) ON DELETE CASCADE,
    shared         INTEGER NOT NULL DEFAULT 0,
    added_at       INTEGER NOT NULL,
    CHECK ((item_id IS NULL) <> (generation_id IS NULL))
);
CREATE UNIQUE INDEX board_items_gallery ON board_items (board_id, item_id) WHERE item_id IS NOT NULL;
CREATE UNIQUE INDEX board_items_generation ON board_items (board_id, generation_id) WHERE generation_id IS NOT NULL;
CREATE INDEX board_items_board ON board_items (board_id, added_at);
