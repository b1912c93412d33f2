//! The instance's own bookkeeping: named values such as the version of the demo content that was
//! seeded, kept in `instance_meta`.

use crate::{DbError, Store};
use sqlx::Row as _;

impl Store {
    /// A value of the instance's own bookkeeping.
    ///
    /// # Errors
    /// Database errors.
    pub async fn meta(&self, name: &str) -> Result<Option<String>, DbError> {
        Ok(
            sqlx::query("SELECT value FROM instance_meta WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get("value"))
                .transpose()?,
        )
    }

    /// Sets a bookkeeping value.
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_meta(&self, name: &str, value: &str) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO instance_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
        )
        .bind(name)
        .bind(value)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
