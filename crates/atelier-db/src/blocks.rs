//! Abuse blocks (issue 19, C2): networks refused sign-in and state changes.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// A blocked network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    /// Id.
    pub id: String,
    /// The network in CIDR form (`203.0.113.0/24`, `2001:db8::/48`).
    pub network: String,
    /// Why, in the staff member's words.
    pub reason: String,
    /// The staff member who blocked it.
    pub created_by: String,
    /// When.
    pub created_at: UnixMillis,
    /// When it stops applying; never when `None`.
    pub expires_at: Option<UnixMillis>,
}

impl Store {
    /// Adds a block.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_block(&self, b: &BlockRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO ip_blocks (id, network, reason, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&b.id)
        .bind(&b.network)
        .bind(&b.reason)
        .bind(&b.created_by)
        .bind(b.created_at)
        .bind(b.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The blocks in force at `now` (not expired), newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn active_blocks(&self, now: UnixMillis) -> Result<Vec<BlockRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, network, reason, created_by, created_at, expires_at FROM ip_blocks \
             WHERE expires_at IS NULL OR expires_at > $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BlockRow {
                    id: r.try_get("id")?,
                    network: r.try_get("network")?,
                    reason: r.try_get("reason")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Removes a block; `false` when there was none with that id.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_block(&self, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM ip_blocks WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
