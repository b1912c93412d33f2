//! Purchases of credit packs and the Stripe webhook events that move them (issue 18: G7, C4).
//!
//! Each event takes effect once: its id is inserted into `stripe_events` in the same transaction
//! as its effect, first, so a redelivery — even one running at the same moment — finds the id and
//! changes nothing. Crediting a purchase is conditional on its status being `pending`, so the
//! two events that may announce the same payment (`checkout.session.completed` and
//! `checkout.session.async_payment_succeeded`) credit it once whatever their order, and the
//! ledger entry is written in the transaction that changes the status.

use crate::credits::{EntryKind, EntryRow, Tx};
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

/// A verified webhook event, as the store records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeEventRecord<'a> {
    /// `evt_…`.
    pub event_id: &'a str,
    /// Its `type`.
    pub event_type: &'a str,
    /// When it was received.
    pub received_at: UnixMillis,
}

/// What a Checkout session event says about money: the session and its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts<'a> {
    /// `cs_…`.
    pub session_id: &'a str,
    /// The total in minor units, when the event names it.
    pub amount: Option<i64>,
    /// The currency, when the event names it.
    pub currency: Option<&'a str>,
    /// The payment intent, when there is one.
    pub payment_intent: Option<&'a str>,
}

/// What an event asks of a purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventEffect<'a> {
    /// The session was paid: credit the purchase once.
    SessionPaid(SessionFacts<'a>),
    /// The buyer finished but the money comes later: nothing changes yet.
    SessionAwaitingPayment(SessionFacts<'a>),
    /// The session ended unpaid: close a pending purchase with this status.
    SessionClosed(SessionFacts<'a>, PurchaseStatus),
    /// A charge was refunded, `amount_refunded` of `amount` in all so far.
    ChargeRefunded {
        /// The charge's payment intent.
        payment_intent: &'a str,
        /// The charge's amount.
        amount: i64,
        /// Refunded so far, in all.
        amount_refunded: i64,
        /// Its currency.
        currency: &'a str,
    },
}

/// What became of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// The event id was handled before; nothing changed.
    Duplicate,
    /// No purchase has this session or payment intent; nothing was recorded.
    UnknownPurchase,
    /// The event's amount or currency is not the purchase's; nothing was recorded.
    Mismatch {
        /// The purchase.
        purchase_id: String,
    },
    /// The purchase was paid now and its credits booked.
    Credited {
        /// The purchase.
        purchase_id: String,
        /// Credits added.
        credits: i64,
    },
    /// Recorded; the purchase did not change (already paid or closed, or awaiting payment).
    Unchanged {
        /// The purchase.
        purchase_id: String,
    },
    /// The pending purchase was closed unpaid.
    Closed {
        /// The purchase.
        purchase_id: String,
    },
    /// A refund took back this many credits (0 when the refund was known already).
    Refunded {
        /// The purchase.
        purchase_id: String,
        /// Credits taken back now.
        credits: i64,
    },
}

impl EventOutcome {
    /// The stored name of the outcome.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::UnknownPurchase => "unknown_purchase",
            Self::Mismatch { .. } => "mismatch",
            Self::Credited { .. } => "credited",
            Self::Unchanged { .. } => "unchanged",
            Self::Closed { .. } => "closed",
            Self::Refunded { .. } => "refunded",
        }
    }

    /// Whether the event was judged and kept (its id recorded).
    const fn recorded(&self) -> bool {
        matches!(
            self,
            Self::Credited { .. }
                | Self::Unchanged { .. }
                | Self::Closed { .. }
                | Self::Refunded { .. }
        )
    }
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

    /// Whether an event id was recorded.
    ///
    /// # Errors
    /// On database failure.
    pub async fn stripe_event_outcome(&self, event_id: &str) -> Result<Option<String>, DbError> {
        Ok(
            sqlx::query_scalar("SELECT outcome FROM stripe_events WHERE event_id = $1")
                .bind(event_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Applies a verified event once, in one transaction with the record of its id. An event
    /// whose purchase is unknown or does not match leaves nothing behind (not even its id), so
    /// that Stripe's redeliveries meet the same answer.
    ///
    /// # Errors
    /// On database failure.
    pub async fn apply_stripe_event(
        &self,
        event: &StripeEventRecord<'_>,
        effect: &EventEffect<'_>,
        entry_id: &str,
    ) -> Result<EventOutcome, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = self.apply_in(&mut tx, event, effect, entry_id).await;
        crate::store::finish_tx(tx, outcome, EventOutcome::recorded).await
    }

    async fn apply_in(
        &self,
        tx: &mut Tx,
        event: &StripeEventRecord<'_>,
        effect: &EventEffect<'_>,
        entry_id: &str,
    ) -> Result<EventOutcome, DbError> {
        // First the id: a concurrent delivery of the same event waits here for this transaction
        // and then finds the id taken.
        let inserted = sqlx::query(
            "INSERT INTO stripe_events (event_id, type, received_at, outcome) \
             VALUES ($1, $2, $3, 'pending') ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event.event_id)
        .bind(event.event_type)
        .bind(event.received_at)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(EventOutcome::Duplicate);
        }
        let now = event.received_at;
        let outcome = match *effect {
            EventEffect::SessionPaid(facts) => match Self::session_purchase(tx, &facts).await? {
                Err(refused) => refused,
                Ok(p) => {
                    self.credit_in(tx, &p, facts.payment_intent, entry_id, now)
                        .await?
                }
            },
            EventEffect::SessionAwaitingPayment(facts) => {
                match Self::session_purchase(tx, &facts).await? {
                    Err(refused) => refused,
                    Ok(p) => EventOutcome::Unchanged { purchase_id: p.id },
                }
            }
            EventEffect::SessionClosed(facts, status) => {
                match Self::session_purchase(tx, &facts).await? {
                    Err(refused) => refused,
                    Ok(p) => {
                        let done = sqlx::query(
                            "UPDATE purchases SET status = $2, updated_at = $3 \
                             WHERE id = $1 AND status = 'pending'",
                        )
                        .bind(&p.id)
                        .bind(status.as_str())
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                        if done.rows_affected() > 0 {
                            EventOutcome::Closed { purchase_id: p.id }
                        } else {
                            EventOutcome::Unchanged { purchase_id: p.id }
                        }
                    }
                }
            }
            EventEffect::ChargeRefunded {
                payment_intent,
                amount,
                amount_refunded,
                currency,
            } => {
                self.refund_in(
                    tx,
                    payment_intent,
                    (amount, amount_refunded, currency),
                    entry_id,
                    now,
                )
                .await?
            }
        };
        if outcome.recorded() {
            sqlx::query("UPDATE stripe_events SET outcome = $2 WHERE event_id = $1")
                .bind(event.event_id)
                .bind(outcome.as_str())
                .execute(&mut **tx)
                .await?;
        }
        Ok(outcome)
    }

    /// The purchase of a session event, or why the event is refused.
    async fn session_purchase(
        tx: &mut Tx,
        facts: &SessionFacts<'_>,
    ) -> Result<Result<PurchaseRow, EventOutcome>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE stripe_session_id = $1"
        )))
        .bind(facts.session_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(p) = row.as_ref().map(purchase_from_row).transpose()? else {
            return Ok(Err(EventOutcome::UnknownPurchase));
        };
        let amount_differs = facts.amount.is_some_and(|a| a != p.amount);
        let currency_differs = facts
            .currency
            .is_some_and(|c| !c.eq_ignore_ascii_case(&p.currency));
        if amount_differs || currency_differs {
            return Ok(Err(EventOutcome::Mismatch { purchase_id: p.id }));
        }
        Ok(Ok(p))
    }

    /// Marks a pending purchase paid and books its credits; a purchase no longer pending is left
    /// as it is.
    async fn credit_in(
        &self,
        tx: &mut Tx,
        p: &PurchaseRow,
        payment_intent: Option<&str>,
        entry_id: &str,
        now: UnixMillis,
    ) -> Result<EventOutcome, DbError> {
        let done = sqlx::query(
            "UPDATE purchases SET status = 'paid', \
             payment_intent = COALESCE($2, payment_intent), updated_at = $3 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(&p.id)
        .bind(payment_intent)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(EventOutcome::Unchanged {
                purchase_id: p.id.clone(),
            });
        }
        if let Some(user_id) = &p.user_id {
            self.lock_user(tx, user_id).await?;
            let entry = EntryRow {
                id: entry_id.to_owned(),
                user_id: user_id.clone(),
                kind: EntryKind::Purchase,
                amount: p.credits,
                hold_id: None,
                reference: Some(p.id.clone()),
                reason: format!("Credit pack {}", p.pack_id),
                created_at: now,
            };
            Self::insert_entry(tx, &entry).await?;
        }
        Ok(EventOutcome::Credited {
            purchase_id: p.id.clone(),
            credits: p.credits,
        })
    }

    /// Takes back the refunded share of a paid purchase's credits: `refunded / amount` of them
    /// (rounded down, all of them once all is refunded), less what earlier refunds took.
    async fn refund_in(
        &self,
        tx: &mut Tx,
        payment_intent: &str,
        (amount, amount_refunded, currency): (i64, i64, &str),
        entry_id: &str,
        now: UnixMillis,
    ) -> Result<EventOutcome, DbError> {
        // PostgreSQL locks the row, so two refund events of one charge take turns (SQLite's
        // single writer already does).
        let lock = match self.kind() {
            crate::DatabaseKind::Postgres => " FOR UPDATE",
            crate::DatabaseKind::Sqlite => "",
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE payment_intent = $1 \
             AND status IN ('paid', 'partially_refunded', 'refunded'){lock}"
        )))
        .bind(payment_intent)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(p) = row.as_ref().map(purchase_from_row).transpose()? else {
            return Ok(EventOutcome::UnknownPurchase);
        };
        if amount != p.amount || !currency.eq_ignore_ascii_case(&p.currency) || amount_refunded < 0
        {
            return Ok(EventOutcome::Mismatch { purchase_id: p.id });
        }
        let refunded = amount_refunded.min(p.amount);
        if refunded <= p.amount_refunded {
            // An older refund event arriving late: the purchase already knows more.
            return Ok(EventOutcome::Refunded {
                purchase_id: p.id,
                credits: 0,
            });
        }
        let (credits_back, status) = if refunded >= p.amount {
            (p.credits, PurchaseStatus::Refunded)
        } else {
            let share = i128::from(p.credits) * i128::from(refunded) / i128::from(p.amount);
            (
                i64::try_from(share).unwrap_or(p.credits),
                PurchaseStatus::PartiallyRefunded,
            )
        };
        let taken = (credits_back - p.credits_refunded).max(0);
        // Only the row as read is changed (a safeguard: the row is locked).
        let done = sqlx::query(
            "UPDATE purchases SET status = $2, amount_refunded = $3, credits_refunded = $4, \
             updated_at = $5 WHERE id = $1 AND amount_refunded = $6",
        )
        .bind(&p.id)
        .bind(status.as_str())
        .bind(refunded)
        .bind(p.credits_refunded + taken)
        .bind(now)
        .bind(p.amount_refunded)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::Conflict);
        }
        if taken > 0
            && let Some(user_id) = &p.user_id
        {
            self.lock_user(tx, user_id).await?;
            let entry = EntryRow {
                id: entry_id.to_owned(),
                user_id: user_id.clone(),
                kind: EntryKind::Refund,
                amount: taken,
                hold_id: None,
                reference: Some(p.id.clone()),
                reason: format!("Refund of credit pack {}", p.pack_id),
                created_at: now,
            };
            Self::insert_entry(tx, &entry).await?;
        }
        Ok(EventOutcome::Refunded {
            purchase_id: p.id,
            credits: taken,
        })
    }
}
