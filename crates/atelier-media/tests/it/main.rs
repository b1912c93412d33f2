//! Integration tests of atelier-media: one binary, one module per concern.

mod storage;
