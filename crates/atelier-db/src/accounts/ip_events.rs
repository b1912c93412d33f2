//! IP events (C2): which addresses and networks an account signed up, signed in and used
//! sessions from, kept for a limited time.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// An IP event (C2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpEventRow {
    /// Id.
    pub id: String,
    /// The user, when known.
    pub user_id: Option<String>,
    /// `signup`, `sign_in` or `session`.
    pub kind: String,
    /// The client address.
    pub ip: String,
    /// Its network (/24 or /48).
    pub network: String,
    /// When.
    pub created_at: UnixMillis,
}

impl Store {
    /// Records an IP event.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_ip_event(&self, e: &IpEventRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO ip_events (id, user_id, kind, ip, network, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(&e.kind)
        .bind(&e.ip)
        .bind(&e.network)
        .bind(e.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether the user has any IP event, and whether one of them is from `network`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn ip_history(&self, user_id: &str, network: &str) -> Result<(bool, bool), DbError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, \
             COALESCE(SUM(CASE WHEN network = $2 THEN 1 ELSE 0 END), 0) AS same \
             FROM ip_events WHERE user_id = $1",
        )
        .bind(user_id)
        .bind(network)
        .fetch_one(self.pool())
        .await?;
        let total: i64 = row.try_get("total")?;
        let same: i64 = row.try_get("same")?;
        Ok((total > 0, same > 0))
    }

    /// A user's IP events, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn ip_events_of_user(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<IpEventRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, ip, network, created_at FROM ip_events WHERE user_id = $1 \
             ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IpEventRow {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    kind: r.try_get("kind")?,
                    ip: r.try_get("ip")?,
                    network: r.try_get("network")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Removes IP events recorded before `before`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_ip_events_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM ip_events WHERE created_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
