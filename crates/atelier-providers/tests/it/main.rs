//! Integration tests of atelier-providers: one binary, one module per provider, each test against
//! its own fake server on 127.0.0.1 speaking the provider's wire format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assistant;
mod local;
mod openai;
mod replicate;
mod support;
