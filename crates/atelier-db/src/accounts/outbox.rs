//! The mail outbox: messages waiting to be sent, removed once sent or given up on (sent mail is
//! never kept with its address) and swept when stale or expired.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Id; also the Message-ID's local part.
    pub id: String,
    /// Mail kind (template name).
    pub kind: String,
    /// The user it concerns, if any.
    pub user_id: Option<String>,
    /// Recipient.
    pub to_address: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// HTML body.
    pub html_body: String,
    /// Extra headers as a JSON array of pairs.
    pub headers: String,
    /// When it was queued.
    pub created_at: UnixMillis,
    /// After this the message is useless (an expired code) and is dropped unsent.
    pub expires_at: Option<UnixMillis>,
}

impl Store {
    /// Queues a message.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_outbox(&self, m: &OutboxRow) -> Result<(), DbError> {
        let mut conn = self.pool().acquire().await?;
        Self::insert_outbox_on(&mut conn, m).await
    }

    /// [`Store::insert_outbox`] on a connection (or in a transaction) of the caller's.
    pub(crate) async fn insert_outbox_on(
        conn: &mut sqlx::AnyConnection,
        m: &OutboxRow,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO mail_outbox (id, kind, user_id, to_address, subject, text_body, html_body, \
             headers, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&m.id)
        .bind(&m.kind)
        .bind(&m.user_id)
        .bind(&m.to_address)
        .bind(&m.subject)
        .bind(&m.text_body)
        .bind(&m.html_body)
        .bind(&m.headers)
        .bind(m.created_at)
        .bind(m.expires_at)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// A queued message.
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox(&self, id: &str) -> Result<Option<OutboxRow>, DbError> {
        let row = sqlx::query(
            "SELECT id, kind, user_id, to_address, subject, text_body, html_body, headers, \
             created_at, expires_at FROM mail_outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok::<_, sqlx::Error>(OutboxRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                user_id: r.try_get("user_id")?,
                to_address: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                text_body: r.try_get("text_body")?,
                html_body: r.try_get("html_body")?,
                headers: r.try_get("headers")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
        .map_err(DbError::from)
    }

    /// Removes a message (sent, or given up on): sent mail is never kept with its address.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_outbox(&self, id: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM mail_outbox WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes messages queued before `before` or expired by `now` (undeliverable leftovers).
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_stale_outbox(
        &self,
        before: UnixMillis,
        now: UnixMillis,
    ) -> Result<u64, DbError> {
        let done = sqlx::query(
            "DELETE FROM mail_outbox WHERE created_at < $1 OR (expires_at IS NOT NULL AND expires_at <= $2)",
        )
        .bind(before)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Messages in the outbox (for `doctor` and tests).
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox_count(&self) -> Result<i64, DbError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}
