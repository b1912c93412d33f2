//! Use-case tests of the app crate on a fresh database per test (SQLite, or PostgreSQL when
//! `ATELIER_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used)]

mod gallery_import;
mod ledger;
