-- The credits ledger (C4, U1): append-only entries; the balance is derived from them. A hold is a
-- pending debit (two-phase, as TigerBeetle's pending transfers): it is settled exactly once by a
-- capture and a release entry whose amounts add up to the hold's, and the unique index below makes a
-- second settlement impossible.

CREATE TABLE credit_entries (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('grant', 'purchase', 'hold', 'capture', 'release', 'refund', 'adjustment')),
    amount      INTEGER NOT NULL,
    hold_id     TEXT REFERENCES credit_entries (id),
    reference   TEXT,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CHECK (kind = 'adjustment' OR amount >= 0),
    CHECK ((kind IN ('capture', 'release')) = (hold_id IS NOT NULL))
);
CREATE INDEX credit_entries_user ON credit_entries (user_id, created_at, id);
CREATE UNIQUE INDEX credit_entries_settlement ON credit_entries (hold_id, kind) WHERE hold_id IS NOT NULL;
