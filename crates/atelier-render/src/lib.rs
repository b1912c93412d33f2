//! Offline renderer (being written).
