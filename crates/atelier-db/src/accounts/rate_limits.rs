//! Rate-limit counters: one row per key and window, counted up in a single statement.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

impl Store {
    /// Counts one hit of `key` in the window starting at `window_start`; returns the hits so far.
    ///
    /// # Errors
    /// On database failure.
    pub async fn hit_rate_limit(
        &self,
        key: &str,
        window_start: UnixMillis,
    ) -> Result<i64, DbError> {
        let row = sqlx::query(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
             RETURNING hits",
        )
        .bind(key)
        .bind(window_start)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("hits")?)
    }

    /// Removes counters of windows that started before `before`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_rate_limits_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
