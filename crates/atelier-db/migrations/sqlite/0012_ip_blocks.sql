-- Abuse blocks (issue 19, C2): networks whose clients are refused sign-in and state changes.
-- Checked against the database on every state change, so a block applies on every node at once.
CREATE TABLE ip_blocks (
    id          TEXT PRIMARY KEY,
    network     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER
);
CREATE INDEX ip_blocks_expires ON ip_blocks (expires_at);
