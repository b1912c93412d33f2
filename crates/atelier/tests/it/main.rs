//! The binary as operators run it: `migrate`, `serve` with SIGTERM, and bad settings.
#![allow(clippy::unwrap_used)]

mod cli;
mod import;
