//! The database layer. [`Store`] wraps one sqlx pool that speaks SQLite or PostgreSQL, chosen once
//! from the URL; every query is plain SQL that both accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), and where the dialects differ the two versions stand side by side in the module
//! of the aggregate they belong to. Times are integer milliseconds, ids are text.

pub mod accounts;
pub mod assistant;
pub mod billing;
pub mod blocks;
pub mod collections;
pub mod credits;
mod error;
pub mod export;
pub mod gallery;
pub mod generations;
mod instance_meta;
pub mod jobs;
pub mod privacy;
mod store;
pub mod takedown_requests;
pub mod uploads;

pub use atelier_core::settings::DatabaseKind;
pub use error::DbError;
pub use store::{PoolOptions, Store};

#[cfg(feature = "testing")]
pub mod testing;
