//! The Stripe webhook events a purchase moves by, each applied once in the transaction that records
//! its id.

use super::{PURCHASE_COLUMNS, PurchaseRow, PurchaseStatus, purchase_from_row};
use crate::credits::{EntryKind, EntryRow, Tx};
use crate::{DbError, Store};
use atelier_core::UnixMillis;
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

/// The job a webhook queues, in its own transaction, when it pays or refunds a purchase: the
/// handler mails the buyer. Its payload is `{"purchase_id", "notice", "credits", "amount",
/// "key"}`: `notice` is `receipt` or `refund`; `credits` the credits added or taken back;
/// `amount` the money paid or refunded now, in minor units; `key` names the notice once (the
/// purchase id for a receipt, the refund's ledger entry for a refund).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeJob<'a> {
    /// The job kind of the handler.
    pub kind: &'a str,
    /// A fresh id for the job.
    pub id: &'a str,
    /// Attempts before it is dead.
    pub max_attempts: i64,
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
        /// The money paid, in minor units.
        amount: i64,
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
        /// The money refunded now, in minor units.
        amount: i64,
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

    /// Forgets the ids of events received before `before`; returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_stripe_events_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM stripe_events WHERE received_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
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
        notice: &NoticeJob<'_>,
    ) -> Result<EventOutcome, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = self.apply_in(&mut tx, event, effect, entry_id).await;
        let outcome = match outcome {
            Ok(outcome) => {
                Self::queue_notice(&mut tx, &outcome, entry_id, notice, event.received_at)
                    .await
                    .map(|()| outcome)
            }
            Err(e) => Err(e),
        };
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

    /// Queues the mail job of a purchase just paid or refunded, in the event's transaction.
    async fn queue_notice(
        tx: &mut Tx,
        outcome: &EventOutcome,
        entry_id: &str,
        job: &NoticeJob<'_>,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let payload = match outcome {
            EventOutcome::Credited {
                purchase_id,
                credits,
                amount,
            } => serde_json::json!({
                "purchase_id": purchase_id,
                "notice": "receipt",
                "credits": credits,
                "amount": amount,
                "key": purchase_id,
            }),
            EventOutcome::Refunded {
                purchase_id,
                credits,
                amount,
            } if *credits > 0 || *amount > 0 => serde_json::json!({
                "purchase_id": purchase_id,
                "notice": "refund",
                "credits": credits,
                "amount": amount,
                "key": entry_id,
            }),
            _ => return Ok(()),
        };
        let payload = payload.to_string();
        let new = crate::jobs::NewJob {
            id: job.id,
            kind: job.kind,
            payload: &payload,
            dedup_key: None,
            run_at: now,
            max_attempts: job.max_attempts,
        };
        Self::enqueue_job_in(tx, &new, now).await
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
            amount: p.amount,
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
                amount: 0,
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
            amount: refunded - p.amount_refunded,
        })
    }
}
