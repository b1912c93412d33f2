//! The gallery change log: every write to an item or its images appends the item's id, and every
//! node reads the log to keep its own search index current; old rows are pruned.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::{Any, Row as _, Transaction};

pub(super) async fn record_change(
    tx: &mut Transaction<'static, Any>,
    item_id: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO gallery_changes (item_id, changed_at) VALUES ($1, $2)")
        .bind(item_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Changes after `seq`, plus every change at or after `recent_since` (so that a transaction that
    /// committed late with a lower sequence is still seen): `(seq, item_id)`, in order.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_changes_since(
        &self,
        seq: i64,
        recent_since: UnixMillis,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT seq, item_id FROM gallery_changes WHERE seq > $1 OR changed_at >= $2 ORDER BY seq LIMIT $3",
        )
        .bind(seq)
        .bind(recent_since)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("item_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// `(lowest, highest)` sequence in the change log, `None` when empty.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_change_bounds(&self) -> Result<Option<(i64, i64)>, DbError> {
        let row = sqlx::query("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM gallery_changes")
            .fetch_one(self.pool())
            .await?;
        let lo: Option<i64> = row.try_get("lo")?;
        let hi: Option<i64> = row.try_get("hi")?;
        Ok(lo.zip(hi))
    }

    /// Drops change-log rows older than `before`, keeping the newest row so the sequence is known.
    ///
    /// # Errors
    /// Database errors.
    pub async fn prune_gallery_changes(&self, before: UnixMillis) -> Result<u64, DbError> {
        // In batches: after a bulk import the log holds a row per item, and one huge delete
        // would hold that much in memory (and the write lock) at once.
        const BATCH: i64 = 10_000;
        let mut removed = 0;
        loop {
            let done = sqlx::query(
                "DELETE FROM gallery_changes WHERE seq IN (SELECT seq FROM gallery_changes \
                 WHERE changed_at < $1 AND seq < (SELECT MAX(seq) FROM gallery_changes) \
                 ORDER BY seq LIMIT $2)",
            )
            .bind(before)
            .bind(BATCH)
            .execute(self.pool())
            .await?
            .rows_affected();
            removed += done;
            if i64::try_from(done).unwrap_or(i64::MAX) < BATCH {
                return Ok(removed);
            }
        }
    }
}
