//! Integration tests of the job queue, on SQLite and (with `ATELIER_TEST_DATABASE_URL`) PostgreSQL.
#![allow(clippy::unwrap_used)]

mod queue;
