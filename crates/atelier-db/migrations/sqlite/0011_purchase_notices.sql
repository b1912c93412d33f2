-- The mails a purchase gives rise to (issue 18, C1): a receipt when it is paid, a notice for each
-- refund. A webhook that credits or refunds queues a notice job in its own transaction; the job
-- renders the mail and, in one transaction, records the notice's key here, stores the message in
-- the outbox and queues its sending. A key already here means the mail was queued before, so a
-- job that runs twice (a crash after its work) never mails twice. Rows name no person and are
-- kept with their purchase's bookkeeping.
CREATE TABLE purchase_notices (
    notice_key   TEXT PRIMARY KEY,
    purchase_id  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
