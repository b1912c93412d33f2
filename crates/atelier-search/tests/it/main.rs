//! Integration tests of the gallery search index (one test binary, modules by concept).
#![allow(clippy::unwrap_used)]

mod cjk;
mod hostile;
mod lifecycle;
mod paging;
mod related;
mod sorts_filters;
mod support;
mod text;
