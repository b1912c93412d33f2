-- Takedowns of a whole author (issue 19, C7, R3): every item of the author is removed, and this
-- row keeps any later import or indexer run from bringing their posts back. The handle is stored
-- in lower case, as imports compare it.
CREATE TABLE gallery_author_tombstones (
    source         TEXT NOT NULL,
    author_handle  TEXT NOT NULL,
    removed_at     INTEGER NOT NULL,
    PRIMARY KEY (source, author_handle)
);
