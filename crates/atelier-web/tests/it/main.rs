//! HTTP tests of the web crate through the real router, on a fresh database per test.
#![allow(clippy::unwrap_used)]

mod account_pages;
mod accounts;
mod admin;
mod assistant;
mod assistant_pages;
mod billing;
mod collection_pages;
mod collections;
mod errors;
mod export;
mod gallery;
mod generations;
mod images;
mod logs;
mod openapi;
mod pages;
mod privacy;
mod privacy_pages;
mod server;
mod snapshots;
mod studio_pages;
mod uploads;
