//! Purchases of credit packs and the Stripe webhook events that move them (issue 18: G7, C4).
//!
//! Each event takes effect once: its id is inserted into `stripe_events` in the same transaction
//! as its effect, first, so a redelivery — even one running at the same moment — finds the id and
//! changes nothing. Crediting a purchase is conditional on its status being `pending`, so the
//! two events that may announce the same payment (`checkout.session.completed` and
//! `checkout.session.async_payment_succeeded`) credit it once whatever their order, and the
//! ledger entry is written in the transaction that changes the status.

mod events;
mod notices;

pub use events::{EventEffect, EventOutcome, NoticeJob, SessionFacts, StripeEventRecord};

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;
/// Where a purchase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseStatus {
    /// Waiting for Stripe to say it was paid.
    Pending,
    /// Paid; its credits were booked.
    Paid,
    /// The payment failed (or the session could not be created).
    Failed,
    /// The Checkout session expired unpaid.
    Expired,
    /// Part of the payment was refunded; that share of the credits was taken back.
    PartiallyRefunded,
    /// All of the payment was refunded; all of the credits were taken back.
    Refunded,
}

impl PurchaseStatus {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Paid,
            Self::Failed,
            Self::Expired,
            Self::PartiallyRefunded,
            Self::Refunded,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRow {
    /// Id (sent to Stripe as `client_reference_id` and `metadata[purchase_id]`).
    pub id: String,
    /// The buyer; `None` once the account is deleted.
    pub user_id: Option<String>,
    /// The pack bought.
    pub pack_id: String,
    /// Credits the pack adds.
    pub credits: i64,
    /// The price in minor units.
    pub amount: i64,
    /// ISO 4217 code in lower case.
    pub currency: String,
    /// Where it stands.
    pub status: PurchaseStatus,
    /// Stripe's Checkout session, once created.
    pub stripe_session_id: Option<String>,
    /// Stripe's payment intent, once paid.
    pub payment_intent: Option<String>,
    /// Credits taken back after refunds.
    pub credits_refunded: i64,
    /// Minor units refunded.
    pub amount_refunded: i64,
    /// When it was started.
    pub created_at: UnixMillis,
    /// When it last changed.
    pub updated_at: UnixMillis,
}

const PURCHASE_COLUMNS: &str = "id, user_id, pack_id, credits, amount, currency, status, \
     stripe_session_id, payment_intent, credits_refunded, amount_refunded, created_at, updated_at";

fn purchase_from_row(row: &AnyRow) -> Result<PurchaseRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok(PurchaseRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        pack_id: row.try_get("pack_id")?,
        credits: row.try_get("credits")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        status: PurchaseStatus::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown status {status}").into()))?,
        stripe_session_id: row.try_get("stripe_session_id")?,
        payment_intent: row.try_get("payment_intent")?,
        credits_refunded: row.try_get("credits_refunded")?,
        amount_refunded: row.try_get("amount_refunded")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// Writes a new purchase.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_purchase(&self, p: &PurchaseRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO purchases (id, user_id, pack_id, credits, amount, currency, status, \
             stripe_session_id, payment_intent, credits_refunded, amount_refunded, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&p.id)
        .bind(&p.user_id)
        .bind(&p.pack_id)
        .bind(p.credits)
        .bind(p.amount)
        .bind(&p.currency)
        .bind(p.status.as_str())
        .bind(&p.stripe_session_id)
        .bind(&p.payment_intent)
        .bind(p.credits_refunded)
        .bind(p.amount_refunded)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores the Checkout session created for a purchase.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown purchase.
    pub async fn set_purchase_session(
        &self,
        purchase_id: &str,
        session_id: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let done = sqlx::query(
            "UPDATE purchases SET stripe_session_id = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(purchase_id)
        .bind(session_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }

    /// Marks a pending purchase failed (its Checkout session could not be created); `false` when
    /// it was not pending.
    ///
    /// # Errors
    /// On database failure.
    pub async fn fail_pending_purchase(
        &self,
        purchase_id: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE purchases SET status = 'failed', updated_at = $2 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(purchase_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A purchase by id.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purchase(&self, id: &str) -> Result<Option<PurchaseRow>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(purchase_from_row).transpose()?)
    }

    /// A user's purchases, newest first, before the `(created_at, id)` cursor when given.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purchases_of(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<PurchaseRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE user_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id < $3) OR $3 = '') \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        )))
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(purchase_from_row)
            .collect::<Result<_, _>>()?)
    }
}
