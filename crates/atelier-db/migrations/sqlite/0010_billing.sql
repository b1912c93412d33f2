-- Billing through Stripe (issue 18: G7, C4, S1).

-- A pack a user set out to buy. Written `pending` before Stripe is asked for a Checkout session
-- (whose id is then stored), and moved on only by verified webhooks: `paid` (the credits booked
-- in the same transaction as the change), `failed` or `expired` (closed unpaid), and
-- `partially_refunded` or `refunded` (the refunded share of the credits taken back). The amount
-- and currency are the pack's price when it was bought, which every event must match. The row
-- outlives its buyer's account (the user is set to NULL): what was sold is bookkeeping.
CREATE TABLE purchases (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT REFERENCES users (id) ON DELETE SET NULL,
    pack_id            TEXT NOT NULL,
    credits            INTEGER NOT NULL CHECK (credits > 0),
    amount             INTEGER NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded')),
    stripe_session_id  TEXT UNIQUE,
    payment_intent     TEXT,
    credits_refunded   INTEGER NOT NULL DEFAULT 0,
    amount_refunded    INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX purchases_user ON purchases (user_id, created_at, id);
CREATE INDEX purchases_payment_intent ON purchases (payment_intent);

-- Every webhook event that took effect (or was judged), once: the id is inserted in the same
-- transaction as the event's effect, so a redelivered event changes nothing.
CREATE TABLE stripe_events (
    event_id     TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    outcome      TEXT NOT NULL
);
