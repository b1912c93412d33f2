//! The mails of a purchase, queued once each (C1): a receipt when it is paid, a notice for each
//! refund. The notice job of a webhook records the notice's key in the transaction that stores
//! the message and queues its sending, so running the job twice mails once.

use crate::accounts::OutboxRow;
use crate::jobs::NewJob;
use crate::{DbError, Store};
use atelier_core::UnixMillis;

impl Store {
    /// Queues a purchase's mail unless its notice was queued before: records `key`, stores the
    /// message in the outbox and queues `send`, in one transaction. `false` when `key` was known
    /// (nothing is written).
    ///
    /// # Errors
    /// On database failure.
    pub async fn queue_purchase_notice(
        &self,
        key: &str,
        purchase_id: &str,
        mail: &OutboxRow,
        send: &NewJob<'_>,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let recorded = sqlx::query(
                "INSERT INTO purchase_notices (notice_key, purchase_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (notice_key) DO NOTHING",
            )
            .bind(key)
            .bind(purchase_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if recorded.rows_affected() == 0 {
                return Ok(false);
            }
            Self::insert_outbox_on(&mut tx, mail).await?;
            Self::enqueue_job_in(&mut tx, send, now).await?;
            Ok(true)
        }
        .await;
        crate::store::finish_tx(tx, outcome, |queued| *queued).await
    }

    /// Whether a purchase notice was queued.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purchase_notice_queued(&self, key: &str) -> Result<bool, DbError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM purchase_notices WHERE notice_key = $1")
                .bind(key)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }
}
