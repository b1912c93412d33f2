//! Integration tests of atelier-media: one binary, one module per concern.
#![allow(clippy::unwrap_used)]

mod storage;
